/** How a plan is made, beyond the policy: engine parity, a policy's chosen images, images the user left out. */
export interface PlannerOptions {
  /**
   * Reproduce the engine's own prune exactly, including what Docker Prune deliberately does not do (the engine
   * strips names from images containers use, and its byte figure follows its own accounting). Used to preview a
   * native prune and to compare with the engine.
   */
  readonly engineParity?: boolean;
  /**
   * Only these images are candidates (the watermark policy's choice); every other image stays, as if a filter
   * excluded it. What the engine removes along with a candidate (an untagged parent with its last child) still goes.
   */
  readonly onlyImages?: ReadonlySet<string>;
  /**
   * Images the user left out of this prune (the plan view's unchecked rows): never candidates, kept with reason
   * `left-out`. Everything else follows from the store's own rules: a parent that would have gone with a left-out
   * child stays, because that child stays; the bytes are those of the smaller plan.
   */
  readonly leaveOut?: ReadonlySet<string>;
}
