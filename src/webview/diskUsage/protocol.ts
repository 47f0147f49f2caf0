/**
 * What the disk-usage page and the extension say to each other. Plain data, no DOM: the host builds a
 * DiskUsageViewState (src/vscode/diskUsage/diskUsageState.ts) with every string already translated and every size
 * already written out, and the page only draws it.
 */

/** One part of the space picture, in the order drawn (left to right). */
export type SpaceKey = 'inUse' | 'unused' | 'dangling' | 'buildCacheInUse' | 'buildCacheReclaimable';

export interface SpaceSegment {
  readonly key: SpaceKey;
  readonly label: string;
  readonly bytes: number;
  readonly bytesText: string;
  /** "12 images", "7 records" (or a short note such as "freed by a dangling prune"). */
  readonly detail: string;
  /** Share of the picture's total, 0–100 (for the drawing and the text). */
  readonly percent: number;
  readonly percentText: string;
}

export interface SpacePicture {
  readonly segments: readonly SpaceSegment[];
  readonly totalBytes: number;
  readonly totalText: string;
  /** Sentence a screen reader reads for the drawing (the figures are in the legend too). */
  readonly ariaLabel: string;
  /** Short lines under the legend: what the image total is, what a prune of each kind frees. */
  readonly notes: readonly string[];
}

export interface RepositoryRow {
  /** The repository, or `''` for images without a name. */
  readonly repository: string;
  readonly label: string;
  readonly bytes: number;
  readonly bytesText: string;
  readonly images: number;
  readonly imagesText: string;
}

export interface RepositoryChart {
  readonly rows: readonly RepositoryRow[];
  readonly ariaLabel: string;
  /** Shown instead of the chart when no repository would free anything. */
  readonly empty?: string;
}

export type HistoryTrigger = 'manual' | 'auto' | 'cli';

export interface HistoryBar {
  /** The local day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly dayText: string;
  readonly bytes: number;
  readonly bytesText: string;
  readonly prunes: number;
  readonly prunesText: string;
  /** Bytes by what started the prunes (for the stacked bar). */
  readonly byTrigger: Readonly<Record<HistoryTrigger, number>>;
}

export interface HistoryChart {
  /** Oldest first; at most the most recent HISTORY_DAYS days that had a prune. */
  readonly bars: readonly HistoryBar[];
  readonly totalBytes: number;
  readonly totalText: string;
  readonly prunes: number;
  /** "9 prunes reclaimed 120 MB (manual 100 MB, auto 20 MB)". */
  readonly summary: string;
  readonly triggers: ReadonlyArray<{ readonly key: HistoryTrigger; readonly label: string; readonly bytes: number; readonly bytesText: string }>;
  readonly ariaLabel: string;
  readonly empty?: string;
  /** Why the audit log could not be read. */
  readonly problem?: string;
}

/** Every fixed string of the page, translated by the host. */
export interface DiskUsageLabels {
  readonly refresh: string;
  readonly space: string;
  readonly repositories: string;
  readonly history: string;
  readonly repository: string;
  readonly frees: string;
  readonly images: string;
  readonly day: string;
  readonly prunes: string;
  readonly reclaimed: string;
  readonly tableCaption: string;
}

export type DiskUsageViewState =
  | {
      readonly kind: 'ready';
      readonly environment: string;
      readonly location: string;
      readonly heading: string;
      /** "Measured 10:42:03" */
      readonly measured: string;
      readonly labels: DiskUsageLabels;
      readonly space: SpacePicture;
      readonly repositories: RepositoryChart;
      readonly history: HistoryChart;
    }
  | {
      /** Not measured yet, or the environment cannot be read: `message` says which. */
      readonly kind: 'waiting' | 'failed';
      readonly environment: string;
      readonly location: string;
      readonly heading: string;
      readonly message: string;
      readonly labels: DiskUsageLabels;
    };

/** Page → extension. */
export type DiskUsageRequest =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh' }
  /** The page drew this state (the heading and the figures it shows, for the tests' seam). */
  | { readonly type: 'rendered'; readonly kind: DiskUsageViewState['kind']; readonly figures: readonly string[] };

/** Extension → page. */
export interface DiskUsageUpdate {
  readonly type: 'state';
  readonly state: DiskUsageViewState;
}
