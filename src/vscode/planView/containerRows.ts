/**
 * The plan view's stopped containers: the option that adds them to the plan ("Also remove stopped containers",
 * stopped at least … ago) and, when the plan has them, their rows above the images — the containers it removes
 * first and those the user left out — with the others that stay counted by reason in one line. Pure: no `vscode`
 * import; the words come translated from the caller. Engine text (names, projects, tags) goes through displayText.
 */
import type { Preview } from '../../core/execute/pruneJob';
import { displayText } from '../../core/format/displayText';
import { shortImageId } from '../../core/format/units';
import type { ContainerKeepReason, ImageRecord } from '../../core/model';
import type { ContainerRow, ContainersOption, ContainersSection } from '../../webview/planView/protocol';

/** Everything the containers' parts of the view say, translated and formatted by the caller. */
export interface ContainerWords {
  readonly option: string;
  readonly before: string;
  readonly after: string;
  readonly hint: string;
  readonly apply: string;
  /** `Stopped containers to remove first: 2 · 12 MB of their own; their volumes stay`. */
  title(containers: number, bytes: number): string;
  readonly columns: ContainersSection['columns'];
  bytes(n: number): string;
  /** `created 5 weeks ago, never started`, from the `ago` text of its creation. */
  createdNeverStarted(ago: string): string;
  /** What a screen reader says for a row's checkbox. */
  include(name: string): string;
  /** `Stopped containers kept: 1 restart policy brings it back, 1 labelled docker-prune.keep`. */
  kept(byReason: ReadonlyArray<{ readonly reason: ContainerKeepReason; readonly count: number }>): string;
}

/** The fields a row is made of: a planned container, or one left out as the engine described it. */
interface ContainerFacts {
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  readonly state: string;
  readonly finishedNs?: bigint;
  readonly createdNs?: bigint;
  readonly exitCode?: number;
  readonly composeProject?: string;
}

export function buildContainerOption(checked: boolean, value: string, error: string | undefined, w: ContainerWords): ContainersOption {
  return { label: w.option, checked, before: w.before, after: w.after, value, hint: w.hint, apply: w.apply, ...(error ? { error } : {}) };
}

/** Undefined when the plan does not remove stopped containers (the option is off). */
export function buildContainersSection(preview: Preview, w: ContainerWords, ago: (thenNs: bigint, nowNs: bigint) => string): ContainersSection | undefined {
  const { plan, snapshot } = preview;
  if (!plan.containers) return undefined;
  const now = snapshot.daemonNowNs;
  const images = new Map<string, ImageRecord>(snapshot.images.map((i) => [i.id, i]));
  const row = (c: ContainerFacts, bytes: number | undefined, checked: boolean): ContainerRow => {
    const name = displayText(c.name);
    const tag = images.get(c.imageId)?.repoTags[0];
    const neverStarted = c.state === 'created' || c.finishedNs === undefined;
    return {
      id: c.id,
      shortId: shortImageId(c.id),
      name,
      image: tag ? displayText(tag) : shortImageId(c.imageId),
      stopped: neverStarted ? w.createdNeverStarted(c.createdNs === undefined ? '' : ago(c.createdNs, now)) : ago(c.finishedNs!, now),
      exitCode: neverStarted || c.exitCode === undefined ? '' : String(c.exitCode),
      project: c.composeProject ? displayText(c.composeProject) : '',
      bytes: bytes === undefined ? '' : w.bytes(bytes),
      checked,
      checkboxLabel: w.include(name),
    };
  };
  const rows = plan.containers.map((c) => row(c, c.bytes, true));
  const counts = new Map<ContainerKeepReason, number>();
  for (const k of plan.keptContainers ?? []) {
    const c = snapshot.stopped?.get(k.id);
    if (k.reason === 'left-out' && c) rows.push(row(c, undefined, false));
    else counts.set(k.reason, (counts.get(k.reason) ?? 0) + 1);
  }
  const bytes = plan.containers.reduce((sum, c) => sum + c.bytes, 0);
  return {
    title: w.title(plan.containers.length, bytes),
    columns: w.columns,
    rows,
    ...(counts.size ? { kept: w.kept([...counts.entries()].map(([reason, count]) => ({ reason, count }))) } : {}),
  };
}
