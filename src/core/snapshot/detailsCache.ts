import * as fs from 'fs';
import * as path from 'path';

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

/**
 * One JSON file per engine under `dir`. Unreadable or foreign files are ignored (the details are simply read
 * again from the engine); writes go through a temp file and a rename so a crash never leaves half a file.
 */
export class FileImageDetailsStore implements ImageDetailsStore {
  constructor(private readonly dir: string) {}

  private file(engineId: string): string {
    return path.join(this.dir, `images-${engineId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120)}.json`);
  }

  load(engineId: string): Map<string, ImageDetails> {
    try {
      const data = JSON.parse(fs.readFileSync(this.file(engineId), 'utf8')) as { format: number; images: Record<string, SerializedDetails> };
      if (data.format !== FORMAT) return new Map();
      return new Map(Object.entries(data.images).map(([id, d]) => [id, { ...d, createdNs: BigInt(d.createdNs) }]));
    } catch {
      return new Map();
    }
  }

  save(engineId: string, details: ReadonlyMap<string, ImageDetails>): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const images: Record<string, SerializedDetails> = {};
      for (const [id, d] of details) images[id] = { ...d, createdNs: d.createdNs.toString() };
      const target = this.file(engineId);
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ format: FORMAT, images }));
      fs.renameSync(tmp, target);
    } catch {
      // A cache that cannot be written only costs speed next time.
    }
  }
}

type SerializedDetails = Omit<ImageDetails, 'createdNs'> & { createdNs: string };
