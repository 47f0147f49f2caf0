/**
 * The images a plan keeps only because stopped containers use them: "prune all unused" keeps every image any
 * container references, running or exited three months ago, and nothing else tells the user which is which. For
 * each such image, the stopped containers (exited, created, dead) that hold it, with what the engine says of them:
 * when each exited and how, its own writable bytes (`SizeRw`, computed on request) and its Compose project.
 * Nothing here removes anything; it reads one `inspect` (with size) per such container.
 */
import type { DockerEngine } from '../engine/dockerEngine';
import type { ContainerRecord, Plan, Snapshot, StoppedContainer } from '../model';
import { describeStoppedContainers, STOPPED_STATES } from './stoppedContainers';
import { displayText } from '../format/displayText';
import { formatAgo, formatBytes } from '../format/units';

/**
 * The images a plan leaves only because stopped containers use them: the same plan made without the stopped
 * containers (`replan`: the planner with the same policy and options) removes them, and each has a stopped container
 * of its own (an untagged parent that would go with such an image is not listed apart). So the policy's filters,
 * protect patterns and keep rules hold as they do for the plan itself. Image id → the stopped containers on it.
 */
export function imagesKeptOnlyByStoppedContainers(
  snapshot: Snapshot,
  plan: Pick<Plan, 'items' | 'containers'>,
  replan: (snapshot: Snapshot) => Pick<Plan, 'items'>,
): Map<string, ContainerRecord[]> {
  // A container the plan removes keeps nothing (PrunePolicy.containers).
  const removing = new Set(plan.containers?.map((c) => c.id));
  const stopped = snapshot.containers.filter((c) => STOPPED_STATES.has(c.state) && !removing.has(c.id));
  if (stopped.length === 0) return new Map();
  const removed = new Set(plan.items.filter((i) => i.action === 'delete').map((i) => i.id));
  const freed = replan({ ...snapshot, containers: snapshot.containers.filter((c) => !STOPPED_STATES.has(c.state)) })
    .items.filter((i) => i.action === 'delete' && !removed.has(i.id))
    .map((i) => i.id);
  const out = new Map<string, ContainerRecord[]>();
  for (const id of freed) {
    const own = stopped.filter((c) => c.imageId === id);
    if (own.length) out.set(id, own);
  }
  return out;
}

/**
 * For each image the plan leaves that only stopped containers hold, those containers as the engine describes them
 * now. A container removed meanwhile is left out (and an image left with none is too).
 */
export async function readStoppedPins(
  engine: DockerEngine,
  snapshot: Snapshot,
  plan: Pick<Plan, 'items' | 'containers'>,
  replan: (snapshot: Snapshot) => Pick<Plan, 'items'>,
  concurrency = 8,
): Promise<Map<string, StoppedContainer[]>> {
  const pinned = imagesKeptOnlyByStoppedContainers(snapshot, plan, replan);
  // A snapshot read for a policy that removes stopped containers describes them already (Snapshot.stopped).
  const wanted = [...pinned.values()].flat();
  const described = new Map(wanted.flatMap((c) => (snapshot.stopped?.has(c.id) ? [[c.id, snapshot.stopped.get(c.id)!] as const] : [])));
  const missing = wanted.filter((c) => !described.has(c.id));
  for (const c of await describeStoppedContainers(engine, missing, concurrency)) described.set(c.id, c);
  const out = new Map<string, StoppedContainer[]>();
  for (const [imageId, list] of pinned) {
    const found = list.flatMap((c) => described.get(c.id) ?? []);
    if (found.length) out.set(imageId, found);
  }
  return out;
}

/** How a front end words a stopped container (the CLI in English, VS Code through its l10n). */
export interface StoppedContainerWords {
  /** Engine text shown as text (displayText, or Markdown-literal text). */
  readonly name: (s: string) => string;
  readonly ago: (thenNs: bigint, nowNs: bigint) => string;
  readonly bytes: (n: number) => string;
  readonly exited: (ago: string) => string;
  readonly createdNeverStarted: (ago: string) => string;
  readonly neverStarted: string;
  readonly exitCode: (code: number) => string;
  readonly ownBytes: (bytes: string) => string;
  readonly composeProject: (project: string) => string;
  readonly restartPolicy: (policy: string) => string;
}

/** The CLI's words (English; engine text through displayText). */
const ENGLISH_STOPPED_WORDS: StoppedContainerWords = {
  name: (s) => displayText(s),
  ago: (t, n) => formatAgo(t, n),
  bytes: formatBytes,
  exited: (ago) => `exited ${ago}`,
  createdNeverStarted: (ago) => `created ${ago}, never started`,
  neverStarted: 'never started',
  exitCode: (code) => `exit code ${code}`,
  ownBytes: (bytes) => `${bytes} of its own`,
  composeProject: (project) => `Compose project ${project}`,
  restartPolicy: (policy) => `restart policy ${policy}`,
};

/** `api-test (exited 3 months ago, exit code 0, 12 MB of its own, Compose project shop)`. */
export function describeStoppedContainer(c: StoppedContainer, nowNs: bigint, words: StoppedContainerWords = ENGLISH_STOPPED_WORDS): string {
  const parts: string[] = [];
  if (c.state === 'created') parts.push(c.createdNs !== undefined ? words.createdNeverStarted(words.ago(c.createdNs, nowNs)) : words.neverStarted);
  else if (c.finishedNs !== undefined) parts.push(words.exited(words.ago(c.finishedNs, nowNs)));
  else parts.push(words.name(c.state));
  if (c.exitCode !== undefined && c.state !== 'created') parts.push(words.exitCode(c.exitCode));
  if (c.ownBytes !== undefined) parts.push(words.ownBytes(words.bytes(c.ownBytes)));
  if (c.composeProject) parts.push(words.composeProject(words.name(c.composeProject)));
  if (c.restartPolicy && c.restartPolicy !== 'no') parts.push(words.restartPolicy(words.name(c.restartPolicy)));
  return `${words.name(c.name)} (${parts.join(', ')})`;
}
