/**
 * The messages between the plan view's page (main.ts) and the extension (src/vscode/planView/). No DOM use here:
 * the host compiles this file too. Every string in the state is already translated and formatted by the host.
 */

export type SortKey = 'bytes' | 'age' | 'name';

export interface PlanRow {
  readonly id: string;
  readonly shortId: string;
  /** `repo:tag` names (digests left out); empty for an untagged image. */
  readonly tags: readonly string[];
  readonly created: string;
  /** When it was last used, where known; '' otherwise. */
  readonly lastUsed: string;
  /** Where it came from (`pulled from docker.io`, `built here`, `loaded`, `unknown`): engine text, shown as text. */
  readonly source: string;
  /** The bytes this step frees ('' for an image left out). */
  readonly bytes: string;
  /** Why it goes (or that it was left out). */
  readonly reason: string;
  /** In the plan (checked) or left out. */
  readonly checked: boolean;
  /** Cannot be left out on its own (a parent that goes with its last child); `lockedWhy` says so. */
  readonly locked: boolean;
  readonly lockedWhy?: string;
  /** What a screen reader says for the row's checkbox. */
  readonly checkboxLabel: string;
  readonly copyLabel: string;
}

export interface PlanGroup {
  readonly key: string;
  readonly title: string;
  /** `3 images · 120 MB`. */
  readonly summary: string;
  readonly rows: readonly PlanRow[];
  /** The group checkbox: every row that can be left out is in the plan, none, or some (mixed). */
  readonly checked: 'all' | 'none' | 'some';
  readonly toggleable: boolean;
  readonly checkboxLabel: string;
}

export interface KeptGroup {
  readonly reason: string;
  readonly text: string;
  readonly count: number;
  /** `dp/app:1 (3f2a1b0c9d8e)` for each image. */
  readonly images: readonly string[];
}

/** A stopped container the plan removes first (or one the user left out). Engine text, shown as text. */
export interface ContainerRow {
  readonly id: string;
  readonly shortId: string;
  readonly name: string;
  /** Its image: a tag, else the short id. */
  readonly image: string;
  /** `3 months ago`, or `created 5 weeks ago, never started`. */
  readonly stopped: string;
  /** '' when it never ran. */
  readonly exitCode: string;
  /** Its Compose project ('' for none). */
  readonly project: string;
  /** Its own writable bytes ('' for one left out). */
  readonly bytes: string;
  /** In the plan (checked) or left out. */
  readonly checked: boolean;
  readonly checkboxLabel: string;
}

/** The stopped containers in the plan: rows of their own above the images. */
export interface ContainersSection {
  /** `Stopped containers to remove first: 2 · 12 MB of their own; their volumes stay`. */
  readonly title: string;
  readonly columns: {
    readonly include: string;
    readonly name: string;
    readonly image: string;
    readonly stopped: string;
    readonly exitCode: string;
    readonly project: string;
    readonly frees: string;
  };
  readonly rows: readonly ContainerRow[];
  /** The stopped containers that stay, counted by reason in one line (undefined: none). */
  readonly kept?: string;
}

/** The checkbox "Also remove stopped containers" and its duration field ("stopped at least … ago"). */
export interface ContainersOption {
  readonly label: string;
  readonly checked: boolean;
  /** The words before and after the duration field. */
  readonly before: string;
  readonly after: string;
  /** The duration as typed (kept as typed, even while invalid). */
  readonly value: string;
  readonly hint: string;
  readonly apply: string;
  readonly error?: string;
}

export interface HeaderLine {
  readonly label: string;
  readonly value: string;
}

export interface PlanViewState {
  readonly key: string;
  readonly title: string;
  readonly header: readonly HeaderLine[];
  /** `24 images, 1.3 GB back` (`2 stopped containers and 24 images, 1.3 GB back`). */
  readonly totals: string;
  /** Warnings under the totals (tagged images go; bytes partly estimated). */
  readonly notes: readonly string[];
  readonly filters: {
    readonly label: string;
    /** The filters as the user types them: `until=24h label=team=web`. */
    readonly value: string;
    readonly hint: string;
    readonly apply: string;
    readonly error?: string;
  };
  /** Absent for a watermark plan. */
  readonly containerOption?: ContainersOption;
  /** Set when the plan removes stopped containers. */
  readonly containers?: ContainersSection;
  readonly sort: SortKey;
  readonly sortLabel: string;
  readonly sortOptions: ReadonlyArray<{ readonly key: SortKey; readonly label: string }>;
  readonly columns: {
    readonly include: string;
    readonly image: string;
    readonly id: string;
    readonly created: string;
    readonly lastUsed: string;
    readonly source: string;
    readonly frees: string;
    readonly why: string;
  };
  readonly groups: readonly PlanGroup[];
  /** Shown instead of the tables when the plan is empty. */
  readonly empty?: string;
  readonly kept: { readonly title: string; readonly groups: readonly KeptGroup[] };
  readonly remove: { readonly label: string; readonly enabled: boolean; readonly why?: string };
  /** The engine changed since this plan: Remove is disabled until it is re-planned. */
  readonly stale?: { readonly text: string; readonly action: string };
  /** Planning or removing: what the view is doing. */
  readonly busy?: string;
  readonly replanLabel: string;
  /** The button that asks each pulled image's registry whether it still has it (shown when the plan has one). */
  readonly checkRegistry?: { readonly label: string; readonly title: string };
}

/** A build-cache record the plan removes (or one the user left out). Engine text, shown as text. */
export interface BuildCacheRow {
  readonly id: string;
  readonly shortId: string;
  /** BuildKit's record type: `regular`, `source.local`, `exec.cachemount`, … */
  readonly type: string;
  /** The step that made it (`[2/3] COPY app /app`): engine text, shown as text only. */
  readonly description: string;
  /** `3 days ago`, or `never`. */
  readonly lastUsed: string;
  /** `shared with an image` ('' when not): the disk keeps its bytes while the image stays. */
  readonly shared: string;
  /** Its bytes ('' for one left out). */
  readonly bytes: string;
  /** In the plan (checked) or left out. */
  readonly checked: boolean;
  readonly checkboxLabel: string;
  readonly copyLabel: string;
}

/**
 * The plan view of a build-cache prune: the records it removes, a row each, and those that stay counted by reason.
 * Posted in the same `state` message as an image plan; `kind` tells them apart.
 */
export interface BuildCachePlanState {
  readonly kind: 'build-cache';
  readonly key: string;
  readonly title: string;
  /** Environment, engine, mode, the builder's filters (read-only here), the cache as a whole. */
  readonly header: readonly HeaderLine[];
  /** `12 records, 48 MB back`. */
  readonly totals: string;
  /** What the disk gets back (exact, or a range on the containerd store), and the engine's "may choose differently". */
  readonly notes: readonly string[];
  readonly columns: {
    readonly include: string;
    readonly record: string;
    readonly type: string;
    readonly description: string;
    readonly lastUsed: string;
    readonly shared: string;
    readonly frees: string;
  };
  readonly rows: readonly BuildCacheRow[];
  /** Shown instead of the table when the plan is empty. */
  readonly empty?: string;
  /** `Kept (7)`, and one line per reason: `shared with images: 3`. */
  readonly kept: { readonly title: string; readonly groups: ReadonlyArray<{ readonly reason: string; readonly text: string; readonly count: number }> };
  readonly remove: { readonly label: string; readonly enabled: boolean; readonly why?: string };
  readonly busy?: string;
  readonly replanLabel: string;
}

/** What the page posts. */
export type PageMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'toggle'; readonly ids: readonly string[]; readonly include: boolean }
  /** The containers option: on with this duration (re-planned on a fresh snapshot), or off. */
  | { readonly type: 'containers'; readonly include: boolean; readonly exitedFor: string }
  | { readonly type: 'sort'; readonly by: SortKey }
  | { readonly type: 'copy'; readonly id: string }
  | { readonly type: 'checkFilters'; readonly text: string }
  | { readonly type: 'applyFilters'; readonly text: string }
  | { readonly type: 'replan' }
  | { readonly type: 'checkRegistry' }
  | { readonly type: 'remove' };

/** What the host posts. */
export type HostMessage =
  | { readonly type: 'state'; readonly state: PlanViewState | BuildCachePlanState }
  | { readonly type: 'filterCheck'; readonly text: string; readonly error?: string };
