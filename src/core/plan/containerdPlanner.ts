/**
 * What `docker image prune` removes on Docker's containerd image store (the default of Docker 29 and Docker
 * Desktop), as a pure function of a snapshot and a policy. Rules read in moby `daemon/containerd/image_prune.go`
 * (26.1, 27.3, 28.5, 29.x) and measured on Docker 26.1 and 28.5 (test/integration/oracle.test.ts):
 *
 * - The store keeps a record per NAME: every tag, every digest reference (`repo@sha256:…`), and one
 *   `moby-dangling@<id>` record for an image that lost its last name. A prune removes records; an image and its
 *   bytes go with its last record. There are no parent chains.
 * - dangling mode takes the `moby-dangling@` records; all mode takes every record. A digest reference is not
 *   dangling.
 * - `until` compares when each record was created on the daemon (the engine says which pass: ContainerdFacts).
 * - `label` / `label!` read the config's labels; every filter must hold. Before Docker 29.4.1, `label!=k=v`
 *   keeps images without `k` (moby#52334): the engine's own prune does that, Docker Prune's own prune does the
 *   documented thing (an image without `k` does not have `k=v`).
 * - Containers protect: the record named exactly as their `Config.Image`, the `moby-dangling@` record of their
 *   image, and — when created by id (or, from 27.3, by `repo@digest`) — their image: from 27.3 its sort-last
 *   name survives; before, every name goes and the engine makes a new dangling record.
 * - The engine deletes an image a container uses when that container named a tag that has since moved and the
 *   image still has another name. Docker Prune's own prune never touches an image a container uses.
 *
 * Bytes: an image's content blobs (no other image holds them) and its snapshots (no other image or container
 * holds them) leave the disk with it. The engine reports only the blobs as SpaceReclaimed before 29.6.
 */
import { versionAtLeast } from '../engine/engineProfile';
import type { ImageRecord, KeptImage, LabelFilter, Plan, PlannedImage, PrunePolicy, Snapshot } from '../model';
import { DiskLedger } from '../space/diskLedger';
import { keepRules } from './keepRules';
import { KeptImages } from './keptImages';
import type { PlannerOptions } from './plannerOptions';
import { normalizedRef } from './references';

/** A record of the containerd store: a name of an image, or its `moby-dangling@` record. */
interface StoreRecord {
  readonly imageId: string;
  /** As the API shows it (`app:1`, `repo@sha256:…`); `undefined` for the dangling record. */
  readonly name?: string;
  /** The store's own name, which the engine sorts by: `docker.io/library/app:1`, `moby-dangling@sha256:…`. */
  readonly fullName: string;
}

export function planContainerdPrune(snapshot: Snapshot, policy: PrunePolicy, options: PlannerOptions = {}): Plan {
  const parity = options.engineParity === true;
  const profile = snapshot.profile;
  const sortLastNameSurvives = versionAtLeast(profile, '27.3.0');
  const facts = snapshot.containerd ?? { danglingRecords: new Set<string>() };
  const records = storeRecords(snapshot.images, facts.danglingRecords);
  const recordCount = new Map<string, number>();
  for (const r of records) recordCount.set(r.imageId, (recordCount.get(r.imageId) ?? 0) + 1);
  const byId = new Map(snapshot.images.map((i) => [i.id, i]));

  const kept = new KeptImages();
  const keep = (img: ImageRecord, reason: KeptImage['reason']) => kept.keep(img, reason);

  // 1. The records the mode and the filters select, less what Docker Prune's own keep rules keep (keepRules.ts).
  const untilKnown = policy.filters.until && facts.beforeUntil?.until === policy.filters.until.engineValue ? facts.beforeUntil : undefined;
  const rules = keepRules(snapshot, policy, options);
  const labelsHold = (img: ImageRecord) => containerdLabelsMatch(policy.filters.labels, img.labels ?? {}, !parity || versionAtLeast(profile, '29.4.1'));
  const candidates = new Map<string, StoreRecord>();
  for (const r of records) {
    const img = byId.get(r.imageId)!;
    if (policy.mode === 'dangling' && r.name !== undefined) continue;
    // Without the engine's word on `until` (a snapshot read without it), no record counts as old enough.
    const oldEnough =
      !policy.filters.until || (untilKnown !== undefined && (r.name === undefined ? untilKnown.danglingRecords.has(r.imageId) : untilKnown.names.has(r.name)));
    if (!oldEnough || !labelsHold(img)) {
      keep(img, 'filtered');
      continue;
    }
    const reason = rules.reasonToKeep(img);
    if (reason) {
      keep(img, reason);
      continue;
    }
    candidates.set(r.fullName, r);
  }

  // 2. What containers protect, as the engine decides.
  const usedIds = new Set<string>();
  for (const c of snapshot.containers) {
    candidates.delete(danglingName(c.imageId));
    const ref = c.imageRef;
    const idLike = c.imageId.startsWith(`sha256:${ref.replace(/^sha256:/, '')}`);
    const digested = sortLastNameSurvives && ref.endsWith(`@${c.imageId}`);
    if (idLike || digested) usedIds.add(c.imageId);
    if (idLike && !sortLastNameSurvives) continue;
    const named = parseNamed(ref);
    if (!named) continue;
    candidates.delete(named.full);
    if (sortLastNameSurvives && named.tagged) candidates.delete(named.tagged);
  }

  // 3. The last record of an image a container uses by id survives.
  const survivesAsDangling = new Set<string>();
  const remaining = new Map(recordCount);
  for (const fullName of [...candidates.keys()].sort(byteOrder)) {
    const r = candidates.get(fullName)!;
    const left = remaining.get(r.imageId)!;
    if (left > 1) {
      remaining.set(r.imageId, left - 1);
      continue;
    }
    if (!usedIds.has(r.imageId)) continue;
    if (sortLastNameSurvives) candidates.delete(fullName);
    else survivesAsDangling.add(r.imageId); // 26.1–27.2: every name goes; the engine makes a new dangling record
  }

  // 4. Steps, one per image: delete it when its last record goes, else untag the names that go.
  const removedByImage = new Map<string, StoreRecord[]>();
  for (const r of candidates.values()) {
    const list = removedByImage.get(r.imageId);
    if (list) list.push(r);
    else removedByImage.set(r.imageId, [r]);
  }
  const ledger = new DiskLedger(snapshot.images, snapshot.containers);
  const items: PlannedImage[] = [];
  let engineReported = 0;
  const engineCountsSnapshots = versionAtLeast(profile, '29.6.0');
  const order = [...removedByImage.keys()].sort((a, b) => byteOrder(firstName(removedByImage.get(a)!), firstName(removedByImage.get(b)!)));
  for (const id of order) {
    const img = byId.get(id)!;
    const removed = removedByImage.get(id)!;
    const tags = removed.filter((r) => r.name !== undefined).map((r) => r.name!);
    const danglingRecord = removed.some((r) => r.name === undefined);
    const deletes = removed.length === recordCount.get(id) && !survivesAsDangling.has(id);
    if (!deletes) {
      items.push({ id, action: 'untag', tags, bytes: 0, reason: 'unused', createdNs: img.createdNs, ...(danglingRecord ? { danglingRecord } : {}) });
      continue;
    }
    const { blobs, layers } = ledger.releaseParts(id);
    engineReported += engineCountsSnapshots ? blobs + layers : blobs;
    items.push({
      id,
      action: 'delete',
      tags,
      bytes: blobs + layers,
      reason: img.repoTags.length > 0 ? 'unused' : 'dangling',
      createdNs: img.createdNs,
      ...(danglingRecord ? { danglingRecord } : {}),
    });
  }
  const deletedIds = new Set(items.filter((i) => i.action === 'delete').map((i) => i.id));
  const spaceReclaimable = items.reduce((s, i) => s + i.bytes, 0);
  return {
    environment: snapshot.environment,
    policy,
    items,
    spaceReclaimable,
    kept: kept.except(deletedIds),
    ...(engineReported !== spaceReclaimable ? { engineReportedBytes: engineReported } : {}),
    estimatedBytes: items.some((i) => i.action === 'delete' && (byId.get(i.id)!.blobs ?? []).some((b) => b.estimated)),
  };
}

/** Every record of the store, as far as the API shows them: the names of each image, and its dangling record. */
function storeRecords(images: readonly ImageRecord[], danglingRecords: ReadonlySet<string>): StoreRecord[] {
  const out: StoreRecord[] = [];
  for (const img of images) {
    for (const name of img.repoTags) out.push({ imageId: img.id, name, fullName: normalizedRef(name) });
    // An image listed without a name is there through its dangling record.
    if (danglingRecords.has(img.id) || img.repoTags.length === 0) out.push({ imageId: img.id, fullName: danglingName(img.id) });
  }
  return out;
}

function danglingName(imageId: string): string {
  return `moby-dangling@${imageId}`;
}

function firstName(records: readonly StoreRecord[]): string {
  return records.map((r) => r.fullName).sort(byteOrder)[0]!;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A reference the engine can parse: optional registry, lowercase path, optional tag, optional digest. */
const NAMED =
  /^(?:(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+|localhost)(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/**
 * A container's `Config.Image` as the engine reads it (reference.ParseNormalizedNamed + TagNameOnly): the full
 * name of the record it protects (`rl` → `docker.io/library/rl:latest`), and for `repo:tag@digest` also
 * `repo:tag`. Undefined for what is not a name (a full hex id).
 */
export function parseNamed(ref: string): { full: string; tagged?: string } | undefined {
  if (!NAMED.test(ref) || /^[a-f0-9]{64}$/.test(ref)) return undefined;
  const at = ref.indexOf('@');
  const namePart = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const slash = namePart.lastIndexOf('/');
  const colon = namePart.lastIndexOf(':');
  const hasTag = colon > slash;
  const full = normalizedRef(hasTag || digest ? ref : `${ref}:latest`);
  if (hasTag && digest) return { full, tagged: normalizedRef(namePart) };
  return { full };
}

/**
 * The containerd store's label filters (moby `setupLabelFilter`): every filter must hold on the config's labels;
 * `label=k!=v` means `label!=k=v`. `fixedNegation` is the documented rule for `label!=k=v` (an image without `k`
 * passes), which the engine follows from 29.4.1; before, it keeps such images.
 */
export function containerdLabelsMatch(filters: readonly LabelFilter[], labels: Readonly<Record<string, string>>, fixedNegation: boolean): boolean {
  for (const f of filters) {
    let key = f.key;
    let negate = f.negate;
    if (key.endsWith('!')) {
      key = key.slice(0, -1);
      negate = !negate;
    }
    const exists = Object.hasOwn(labels, key);
    if (f.value === undefined) {
      if (negate ? exists : !exists) return false;
      continue;
    }
    if (!exists) {
      if (negate && fixedNegation) continue;
      return false;
    }
    if (negate ? labels[key] === f.value : labels[key] !== f.value) return false;
  }
  return true;
}
