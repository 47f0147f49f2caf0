/**
 * Turns a preview (snapshot + plan) into the plan view's state: rows grouped by repository (untagged images last),
 * sorted, with totals, the Remove button's words and what was kept and why. Pure: no `vscode` import; the words
 * come translated from the caller (viewWords.ts), so unit tests pass their own.
 */
import type { Preview } from '../../core/execute/pruneJob';
import type { EngineProfile } from '../../core/engine/engineProfile';
import type { ImageSource, KeepReason, PlannedImage, PruneFilters, PruneMode } from '../../core/model';
import { shortImageId } from '../../core/format/units';
import { repositoryOf } from '../../core/plan/references';
import type { HeaderLine, KeptGroup, PlanGroup, PlanRow, PlanViewState, SortKey } from '../../webview/planView/protocol';
import { buildContainerOption, buildContainersSection, type ContainerWords } from './containerRows';
import { displayText } from '../../core/format/displayText';

/** Everything the view says, translated and formatted by the caller. */
export interface PlanViewWords {
  bytes(n: number): string;
  /** `3 images`. */
  images(n: number): string;
  /** How old (`3 days`), from nanoseconds. */
  age(thenNs: bigint, nowNs: bigint): string;
  /** `3 days ago`. */
  ago(thenNs: bigint, nowNs: bigint): string;
  /** Where an image came from, in a word or three (`pulled from docker.io`). */
  source(source: ImageSource | undefined): string;
  title(environment: string, mode: PruneMode, watermark: boolean): string;
  /** Environment, engine, mode, filters, protect patterns… and a watermark plan's figures. */
  header(input: PlanViewInput): HeaderLine[];
  /** `24 images, 1.3 GB back` (`about 1.3 GB` when estimated); `2 stopped containers and 24 images, …` with containers. */
  totals(images: number, bytes: number, estimated: boolean, containers: number): string;
  notes(input: PlanViewInput): string[];
  removeButton(images: number, bytes: number, containers: number): string;
  nothingToRemove: string;
  staleText: string;
  replan: string;
  readOnly(environment: string): string;
  removeReason(reason: PlannedImage['reason']): string;
  untagOnly: string;
  keepReason(reason: KeepReason): string;
  leftOut: string;
  goesWithChild: string;
  untaggedGroup: string;
  none: string;
  keptTitle(n: number): string;
  groupSummary(images: number, bytes: number): string;
  includeImage(name: string): string;
  includeGroup(name: string): string;
  copyId(id: string): string;
  filters: { label: string; hint: string; apply: string };
  sort: { label: string; bytes: string; age: string; name: string };
  columns: PlanViewState['columns'];
  busy: { planning: string; removing: string; checking: string };
  checkRegistry: { label: string; title: string };
  /** The containers option and the stopped containers' rows. */
  containers: ContainerWords;
}

export interface PlanViewInput {
  readonly key: string;
  readonly environmentName: string;
  readonly location: string;
  readonly profile: EngineProfile;
  readonly mode: PruneMode;
  readonly filters: PruneFilters;
  /** The filters as typed in the view (kept as typed, even while invalid). */
  readonly filtersText: string;
  readonly filterError?: string;
  readonly preview: Preview;
  readonly sort: SortKey;
  readonly stale: boolean;
  readonly busy?: 'planning' | 'removing' | 'checking';
  readonly readOnly: boolean;
  /** The containers option's duration as typed, and why it cannot be used (the plan then stays as it was). */
  readonly containersText: string;
  readonly containersError?: string;
}

interface RowFacts {
  readonly row: PlanRow;
  readonly repo: string | undefined;
  readonly bytes: number;
  readonly createdNs: bigint;
  readonly name: string;
}

export function buildPlanViewState(input: PlanViewInput, w: PlanViewWords): PlanViewState {
  const { preview, sort } = input;
  const { plan, snapshot } = preview;
  const now = snapshot.daemonNowNs;
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));
  const facts: RowFacts[] = [];

  const rowOf = (id: string, refs: readonly string[], bytes: number | undefined, reason: string, checked: boolean, locked: boolean): RowFacts => {
    const img = byId.get(id);
    const tags = refs.filter((t) => !t.includes('@'));
    const shown = tags.map((t) => displayText(t));
    const createdNs = img?.createdNs ?? 0n;
    const use = snapshot.lastUsed?.get(id);
    const name = tags[0] ?? `<none> ${shortImageId(id)}`;
    return {
      row: {
        id,
        shortId: shortImageId(id),
        tags: shown,
        created: img ? w.age(createdNs, now) : '',
        lastUsed: use && use.source !== 'created' ? w.ago(use.atNs, now) : '',
        source: w.source(snapshot.sources?.get(id)),
        bytes: bytes === undefined ? '' : w.bytes(bytes),
        reason,
        checked,
        locked,
        lockedWhy: locked ? w.goesWithChild : undefined,
        checkboxLabel: w.includeImage(tags.length ? `${shown.join(', ')} (${shortImageId(id)})` : shortImageId(id)),
        copyLabel: w.copyId(shortImageId(id)),
      },
      repo: tags.length ? repositoryOf(tags[0]!) : undefined,
      bytes: bytes ?? 0,
      createdNs,
      name,
    };
  };

  for (const item of plan.items) {
    const refs = item.tags.length ? item.tags : (byId.get(item.id)?.repoTags ?? []);
    const reason = item.action === 'untag' ? w.untagOnly : w.removeReason(item.reason);
    facts.push(rowOf(item.id, refs, item.bytes, reason, true, item.reason === 'parent'));
  }
  for (const k of plan.kept) {
    if (k.reason === 'left-out') facts.push(rowOf(k.id, k.tags, undefined, w.leftOut, false, false));
  }

  const groups = groupRows(facts, sort, w);
  const images = plan.items.length;
  const containers = plan.containers?.length ?? 0;
  const bytes = plan.spaceReclaimable;
  const busy = input.busy ? w.busy[input.busy] : undefined;
  const why = input.readOnly ? w.readOnly(input.environmentName) : input.stale ? w.staleText : images + containers === 0 ? w.nothingToRemove : undefined;
  const containerSection = buildContainersSection(preview, w.containers, w.ago);

  return {
    key: input.key,
    title: w.title(input.environmentName, input.mode, preview.watermark !== undefined),
    header: w.header(input),
    totals: w.totals(images, bytes, plan.estimatedBytes === true, containers),
    notes: w.notes(input),
    filters: { ...w.filters, value: input.filtersText, error: input.filterError },
    ...(preview.watermark
      ? {}
      : { containerOption: buildContainerOption(plan.policy.containers !== undefined, input.containersText, input.containersError, w.containers) }),
    ...(containerSection ? { containers: containerSection } : {}),
    sort,
    sortLabel: w.sort.label,
    sortOptions: [
      { key: 'bytes', label: w.sort.bytes },
      { key: 'age', label: w.sort.age },
      { key: 'name', label: w.sort.name },
    ],
    columns: w.columns,
    groups,
    empty: facts.length === 0 && !containerSection?.rows.length ? w.nothingToRemove : undefined,
    kept: keptGroups(plan.kept, w),
    remove: { label: images + containers ? w.removeButton(images, bytes, containers) : w.nothingToRemove, enabled: !why && !busy, why },
    stale: input.stale ? { text: w.staleText, action: w.replan } : undefined,
    busy,
    replanLabel: w.replan,
    ...(plan.items.some((i) => snapshot.sources?.get(i.id)?.kind === 'pulled') ? { checkRegistry: w.checkRegistry } : {}),
  };
}

/** By repository (the first tag's), untagged images last; rows and groups in the chosen order. */
function groupRows(facts: readonly RowFacts[], sort: SortKey, w: PlanViewWords): PlanGroup[] {
  const byRepo = new Map<string, RowFacts[]>();
  const untagged: RowFacts[] = [];
  for (const f of facts) {
    if (f.repo === undefined) untagged.push(f);
    else if (byRepo.has(f.repo)) byRepo.get(f.repo)!.push(f);
    else byRepo.set(f.repo, [f]);
  }
  const compare = rowOrder(sort);
  const sum = (rows: readonly RowFacts[]) => rows.reduce((s, r) => s + r.bytes, 0);
  const oldest = (rows: readonly RowFacts[]) => rows.reduce((m, r) => (r.createdNs < m ? r.createdNs : m), rows[0]!.createdNs);
  // Each group's total and oldest once, not once per comparison (thousands of repositories on a build machine).
  const keys = new Map([...byRepo].map(([repo, rows]) => [repo, { bytes: sum(rows), oldest: oldest(rows) }]));
  const repos = [...byRepo.entries()].sort(([a], [b]) => {
    const x = keys.get(a)!;
    const y = keys.get(b)!;
    if (sort === 'bytes' && x.bytes !== y.bytes) return y.bytes - x.bytes;
    if (sort === 'age' && x.oldest !== y.oldest) return x.oldest < y.oldest ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const group = (key: string, title: string, rows: RowFacts[]): PlanGroup => {
    const sorted = [...rows].sort(compare).map((f) => f.row);
    const free = sorted.filter((r) => !r.locked);
    const on = free.filter((r) => r.checked).length;
    const inPlan = sorted.filter((r) => r.checked).length;
    return {
      key,
      title,
      summary: w.groupSummary(inPlan, sum(rows.filter((r) => r.row.checked))),
      rows: sorted,
      checked: on === 0 ? 'none' : on === free.length ? 'all' : 'some',
      toggleable: free.length > 0,
      checkboxLabel: w.includeGroup(title),
    };
  };
  const out = repos.map(([repo, rows]) => group(`repo:${repo}`, displayText(repo), rows));
  if (untagged.length) out.push(group('untagged', w.untaggedGroup, untagged));
  return out;
}

function rowOrder(sort: SortKey): (a: RowFacts, b: RowFacts) => number {
  const byName = (a: RowFacts, b: RowFacts) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0);
  switch (sort) {
    case 'bytes':
      return (a, b) => (a.row.checked !== b.row.checked ? (a.row.checked ? -1 : 1) : b.bytes - a.bytes || byName(a, b));
    case 'age':
      return (a, b) => (a.createdNs !== b.createdNs ? (a.createdNs < b.createdNs ? -1 : 1) : byName(a, b));
    case 'name':
      return byName;
  }
}

/** Counts by reason, in a fixed order (the user's own choice first), each with its images. */
function keptGroups(kept: Preview['plan']['kept'], w: PlanViewWords): PlanViewState['kept'] {
  const order: KeepReason[] = [
    'left-out',
    'in-use',
    'protected',
    'keep-latest',
    'filtered',
    'recently-used',
    'minimum-age',
    'below-low-mark',
    'loaded',
    'parent-stays',
  ];
  const by = new Map<KeepReason, string[]>();
  for (const k of kept) {
    const tags = k.tags.filter((t) => !t.includes('@'));
    const line = `${tags.length ? tags.map((t) => displayText(t)).join(', ') : '<none>'} (${shortImageId(k.id)})`;
    if (by.has(k.reason)) by.get(k.reason)!.push(line);
    else by.set(k.reason, [line]);
  }
  const groups: KeptGroup[] = [...by.entries()]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([reason, images]) => ({ reason, text: w.keepReason(reason), count: images.length, images }));
  return { title: w.keptTitle(kept.length), groups };
}
