/**
 * Which rows of a long table the plan view builds: the rows on screen and a margin on each side. Spacers stand
 * for the rest, so a plan of 20,000 images costs the page a screenful of rows, not 20,000 (every row has one
 * height, see main.css). Pure arithmetic, shared by the page and its unit tests.
 */

/** Rows `start` (included) to `end` (excluded). */
export interface RowWindow {
  readonly start: number;
  readonly end: number;
}

/** Rows built beyond each edge of the screen, so scrolling a little or tabbing on shows rows that exist. */
export const WINDOW_MARGIN = 40;
/** A table this short is built whole, wherever it is: most plans, read and searched as a page like any other. */
export const WHOLE_TABLE_ROWS = 100;

/**
 * The rows to build for a table of `total` rows of `rowHeight` pixels whose first row starts `top` pixels below
 * the top of a viewport `viewportHeight` high (negative once scrolled past).
 */
export function rowWindow(total: number, rowHeight: number, top: number, viewportHeight: number, margin = WINDOW_MARGIN): RowWindow {
  if (total <= WHOLE_TABLE_ROWS) return { start: 0, end: total };
  const { first, last } = onScreen(rowHeight, top, viewportHeight);
  const start = clamp(first - margin, 0, total);
  return { start, end: clamp(last + margin, start, total) };
}

/**
 * Whether the built rows `built` no longer cover the screen with at least half the margin on each side (so a
 * scroll rebuilds the rows only every half margin, not on every pixel).
 */
export function needsRebuild(built: RowWindow, total: number, rowHeight: number, top: number, viewportHeight: number, margin = WINDOW_MARGIN): boolean {
  if (total <= WHOLE_TABLE_ROWS) return built.start > 0 || built.end < total;
  const { first, last } = onScreen(rowHeight, top, viewportHeight);
  const half = Math.floor(margin / 2);
  const wantStart = clamp(first - half, 0, total);
  const wantEnd = clamp(last + half, wantStart, total);
  if (wantStart >= wantEnd) return false; // the table is off screen: what it has built can wait
  return built.start > wantStart || built.end < wantEnd;
}

/** The first row on screen and the row after the last; either may lie outside 0..total (the table is off screen). */
function onScreen(rowHeight: number, top: number, viewportHeight: number): { first: number; last: number } {
  const h = rowHeight > 0 ? rowHeight : 1;
  return { first: Math.floor(-top / h), last: Math.ceil((viewportHeight - top) / h) };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}
