import * as fs from 'fs';
import * as path from 'path';

/** What never changes for an image id (the id is the hash of the image config): cached across runs. */
export interface ImageDetails {
  readonly parentId: string;
  readonly createdNs: bigint;
  readonly labels: Readonly<Record<string, string>> | null;
  readonly chain: readonly string[];
  readonly sizes: readonly number[];
  readonly exact: boolean;
}

/** Where image details persist between processes (the CLI runs cold every time; the extension restarts). */
export interface ImageDetailsStore {
  load(engineId: string): Map<string, ImageDetails>;
  save(engineId: string, details: ReadonlyMap<string, ImageDetails>): void;
}

const FORMAT = 1;

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
