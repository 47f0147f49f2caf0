/**
 * The plan view's long tables, built a screenful at a time: each table body holds a spacer, the rows on screen
 * and a margin around them (rowWindow.ts), and a spacer for the rest. Scrolling and resizing build the rows that
 * come into view; a new state keeps each table's place. Screen readers still hear the whole table's size
 * (`aria-rowcount`, and each row's `aria-rowindex`).
 */
import { el } from './dom';
import { needsRebuild, rowWindow, WINDOW_MARGIN, type RowWindow } from './rowWindow';

interface Windowed {
  readonly key: string;
  readonly tbody: HTMLTableSectionElement;
  readonly columns: number;
  readonly total: number;
  readonly build: (index: number) => HTMLTableRowElement;
  built: RowWindow;
}

/** Every row's height in pixels, measured on the first row built (main.css keeps rows to one line). */
let rowHeight = 0;
const ROW_HEIGHT_GUESS = 24;
let tables: Windowed[] = [];
/** What each table (by key) built last, so a new state starts where the user was. */
const lastBuilt = new Map<string, RowWindow>();
let scheduled = false;

/** A table of `total` rows under `head`; `build(i)` makes row i when it comes near the screen. */
export function windowedTable(key: string, head: HTMLTableRowElement, total: number, build: (index: number) => HTMLTableRowElement): HTMLTableElement {
  const tbody = el('tbody');
  const table = el('table', {}, el('thead', {}, head), tbody);
  table.setAttribute('aria-rowcount', String(total + 1));
  head.setAttribute('aria-rowindex', '1');
  const before = lastBuilt.get(key);
  const start = Math.min(before?.start ?? 0, total);
  const w: Windowed = {
    key,
    tbody,
    columns: head.cells.length,
    total,
    build,
    built: { start, end: Math.min(total, Math.max(before?.end ?? 0, start + 2 * WINDOW_MARGIN)) },
  };
  fill(w, w.built);
  tables.push(w);
  return table;
}

/** A new page is about to replace the old one: its tables are forgotten. */
export function beginPage(): void {
  tables = [];
}

/** The page is in the document: build what is on screen. */
export function settlePage(): void {
  refreshAll(false);
}

/**
 * The height of one row: the span of the longest run of built rows over their count (a row's own box can be half a
 * pixel off its share once borders collapse, and that half pixel times thousands of rows would misplace them).
 */
function measuredRowHeight(): number | undefined {
  let best: { span: number; count: number } | undefined;
  for (const w of tables) {
    const count = w.built.end - w.built.start;
    if (count < 2 || (best && count <= best.count)) continue;
    const rows = w.tbody.querySelectorAll('tr:not(.spacer)');
    const span = rows[rows.length - 1]!.getBoundingClientRect().bottom - rows[0]!.getBoundingClientRect().top;
    if (span > 0) best = { span, count };
  }
  return best && best.span / best.count;
}

/**
 * Rebuilds the tables whose rows no longer cover the screen (all of them when `force`). Reads every table's place
 * before changing any, so the page is laid out once: a table's height does not depend on which rows it built.
 */
function refreshAll(force: boolean): void {
  const measured = measuredRowHeight();
  if (measured !== undefined && Math.abs(measured - rowHeight) > 0.001) {
    rowHeight = measured;
    force = true; // the spacers were sized with the old height
  }
  const h = rowHeight || ROW_HEIGHT_GUESS;
  const viewport = window.innerHeight;
  const tops = tables.map((w) => w.tbody.getBoundingClientRect().top);
  tables.forEach((w, i) => {
    const top = tops[i]!;
    if (force || needsRebuild(w.built, w.total, h, top, viewport)) fill(w, rowWindow(w.total, h, top, viewport));
  });
}

function fill(w: Windowed, win: RowWindow): void {
  const focused = document.activeElement as HTMLElement | null;
  const focusKey = focused && w.tbody.contains(focused) ? focused.dataset.key : undefined;
  const rows: HTMLTableRowElement[] = [];
  for (let i = win.start; i < win.end; i++) {
    const row = w.build(i);
    row.setAttribute('aria-rowindex', String(i + 2));
    rows.push(row);
  }
  const parts = [spacer(w, win.start), ...rows, spacer(w, w.total - win.end)].filter((r): r is HTMLTableRowElement => r !== undefined);
  w.tbody.replaceChildren(...parts);
  w.built = win;
  lastBuilt.set(w.key, win);
  if (focusKey) (w.tbody.querySelector(`[data-key="${CSS.escape(focusKey)}"]`) as HTMLElement | null)?.focus({ preventScroll: true });
}

/** A row standing for `count` rows not built. */
function spacer(w: Windowed, count: number): HTMLTableRowElement | undefined {
  if (count <= 0) return undefined;
  const cell = el('td', { colSpan: w.columns });
  cell.style.height = `${count * (rowHeight || ROW_HEIGHT_GUESS)}px`;
  const row = el('tr', { className: 'spacer' }, cell);
  row.setAttribute('aria-hidden', 'true');
  return row;
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    refreshAll(false);
  });
}

window.addEventListener('scroll', schedule, { passive: true });
window.addEventListener('resize', schedule);
