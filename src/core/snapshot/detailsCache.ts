import * as path from 'path';
import { errorMessage } from '../errors';
import type { PodmanDetails } from './podmanFacts';
import { mayWrite, readProblem, readStateFile, writeStateFile, type StateFileSpec } from '../state/stateFile';

/**
 * What never changes for an image id (the id is the hash of the image config, or in the containerd store of its
 * manifest): cached across runs.
 */
export interface ImageDetails {
  readonly parentId: string;
  readonly createdNs: bigint;
  readonly labels: Readonly<Record<string, string>> | null;
  /** Chain ids of the layers (graphdriver layers, containerd snapshots), bottom first, and their sizes. */
  readonly chain: readonly string[];
  readonly sizes: readonly number[];
  readonly exact: boolean;
  /** The containerd store only: what the image's content blobs add up to (see ContentDetails). */
  readonly content?: ContentDetails;
  /** What the image itself says about where it came from (see source/imageSource.ts). */
  readonly provenance?: Provenance;
  /** Podman only: what its own API says of the image's history and layers (see snapshot/podmanFacts.ts). */
  readonly podman?: PodmanDetails;
}

/** Read from image inspect; immutable per image id. */
export interface Provenance {
  /** `docker import` wrote its config: the comment `Imported from …`. */
  readonly imported?: boolean;
  /**
   * The containerd store: the `containerd.io/distribution.source.<host>` annotations of the image's target (what
   * containerd records when it pulls), as `host/repository`.
   */
  readonly distributionSources?: readonly string[];
}

/**
 * An image's content in the containerd store, as far as the Engine API tells it: the exact total of its blobs
 * (manifest + config + layer blobs: image inspect `Size`), the manifest's own size where the API gives it
 * (`Descriptor.size`, API 1.48+), and the config's size rebuilt from what inspect and history show. Which layer
 * blob weighs what is not in the API (see space/blobEstimate.ts).
 */
export interface ContentDetails {
  readonly total: number;
  readonly manifest?: number;
  readonly configEstimate: number;
  readonly diffIds: readonly string[];
}

/** Where image details persist between processes (the CLI runs cold every time; the extension restarts). */
export interface ImageDetailsStore {
  load(engineId: string): Map<string, ImageDetails>;
  save(engineId: string, details: ReadonlyMap<string, ImageDetails>): void;
}

const FORMAT = 3;
const WHAT = 'the image details cache';

/**
 * One JSON file per engine under `dir`, read and written through state/stateFile.ts: a corrupt file is set aside
 * (`….corrupt-<time>`) and reported; a newer format's or another user's is reported and neither used nor written
 * over; either way the details are simply read again from the engine. Formats 1 and 2 (before the containerd store's
 * content sizes, then the images' provenance, were kept) are read as empty, the cache being rebuilt from the engine:
 * nothing the engine cannot give back is lost. Podman's facts joined format 3 as an optional field: an image cached
 * without them (or with them in an unknown shape) is read again by the snapshot reader. Writes go through a temp file and a rename so a crash never leaves half a file; a write that fails
 * (a read-only file system) is reported once and only costs speed next time.
 */
export class FileImageDetailsStore implements ImageDetailsStore {
  private readonly reported = new Set<string>();
  /** Engines whose file must not be written over. */
  private readonly keep = new Set<string>();

  /** `warn`: a problem with a cache file, once per message (default: none). */
  constructor(
    private readonly dir: string,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  private file(engineId: string): string {
    return path.join(this.dir, `images-${engineId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120)}.json`);
  }

  load(engineId: string): Map<string, ImageDetails> {
    const read = readStateFile(this.file(engineId), SPEC);
    const problem = readProblem(read);
    if (problem) this.report(problem);
    if (mayWrite(read)) this.keep.delete(engineId);
    else this.keep.add(engineId);
    return read.status === 'ok' ? read.value : new Map();
  }

  save(engineId: string, details: ReadonlyMap<string, ImageDetails>): void {
    if (this.keep.has(engineId)) return;
    const images: Record<string, SerializedDetails> = {};
    for (const [id, d] of details) images[id] = { ...d, createdNs: d.createdNs.toString() };
    try {
      writeStateFile(this.file(engineId), JSON.stringify({ format: FORMAT, images }), WHAT);
    } catch (e) {
      this.report(`${errorMessage(e)} (Only speed is lost: the details are read from the engine again.)`);
    }
  }

  private report(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.warn(message);
  }
}

const SPEC: StateFileSpec<Map<string, ImageDetails>> = {
  what: WHAT,
  formatField: 'format',
  format: FORMAT,
  parse(o, format) {
    if (format < FORMAT) return new Map();
    const images = o.images;
    if (!images || typeof images !== 'object' || Array.isArray(images)) throw new Error('no images object');
    return new Map(
      Object.entries(images as Record<string, SerializedDetails>).map(([id, d]) => {
        if (
          !d ||
          typeof d !== 'object' ||
          typeof d.createdNs !== 'string' ||
          !/^\d+$/.test(d.createdNs) ||
          !Array.isArray(d.chain) ||
          !Array.isArray(d.sizes)
        ) {
          throw new Error(`image ${id}: not image details`);
        }
        // Podman's facts in a shape this version does not know are read again from the engine.
        const { podman, ...rest } = d;
        const sizes = podman?.layerSizes;
        const keepPodman =
          podman &&
          typeof podman === 'object' &&
          typeof podman.historyKey === 'string' &&
          (sizes === undefined || sizes === null || (Array.isArray(sizes) && sizes.every((n) => typeof n === 'number')));
        return [id, { ...rest, ...(keepPodman ? { podman } : {}), createdNs: BigInt(d.createdNs) }];
      }),
    );
  },
};

type SerializedDetails = Omit<ImageDetails, 'createdNs'> & { createdNs: string };
