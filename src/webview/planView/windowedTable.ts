/**
 * The plan view's long tables, built a screenful at a time: each table body holds a spacer, the rows on screen
 * and a margin around them (rowWindow.ts), and a spacer for the rest. Scrolling and resizing build the rows that
 * come into view and drop those far away, keeping the rows in between as they are (a checkbox just clicked, the
 * focus); a new state keeps each table's place. Screen readers still hear the whole table's size
 * (`aria-rowcount`, and each row's `aria-rowindex`).
 */
import { el } from './dom';
import { needsRebuild, rowWindow, WHOLE_TABLE_ROWS, WINDOW_MARGIN, type RowWindow } from './rowWindow';

interface Windowed {
  readonly key: string;
  readonly tbody: HTMLTableSectionElement;
  readonly top: HTMLTableRowElement;
  readonly bottom: HTMLTableRowElement;
  readonly total: number;
  readonly build: (index: number) => HTMLTableRowElement;
  /** The rows built, in order: row `built.start + i` is `rows[i]`. */
  rows: HTMLTableRowElement[];
  built: RowWindow;
  /** The height of one of its rows, measured once two are built (main.css keeps them to one line of fixed height). */
  rowHeight: number;
}

/** Until a table has measured its rows: the last height measured on this page, or a guess. */
let lastRowHeight = 24;
let tables: Windowed[] = [];
/** What each table (by key) built last, so a new state starts where the user was. */
const lastBuilt = new Map<string, RowWindow>();
let scheduled = false;

/** A table of `total` rows under `head`; `build(i)` makes row i when it comes near the screen. */
export function windowedTable(key: string, head: HTMLTableRowElement, total: number, build: (index: number) => HTMLTableRowElement): HTMLTableElement {
  const top = spacerRow(head.cells.length);
  const bottom = spacerRow(head.cells.length);
  const tbody = el('tbody', {}, top, bottom);
  const table = el('table', {}, el('thead', {}, head), tbody);
  table.setAttribute('aria-rowcount', String(total + 1));
  head.setAttribute('aria-rowindex', '1');
  const before = lastBuilt.get(key);
  const whole = total <= WHOLE_TABLE_ROWS;
  const start = whole ? 0 : Math.min(before?.start ?? 0, total);
  const end = whole ? total : Math.min(total, Math.max(before?.end ?? 0, start + 2 * WINDOW_MARGIN));
  const w: Windowed = { key, tbody, top, bottom, total, build, rows: [], built: { start: 0, end: 0 }, rowHeight: 0 };
  fill(w, { start, end });
  tables.push(w);
  return table;
}

/** A new page is about to replace the old one: its tables are forgotten. */
export function beginPage(): void {
  tables = [];
}

/** The page is in the document: build what is on screen. */
export function settlePage(): void {
  refreshAll();
}

/**
 * Measures the tables that have not measured their rows (or whose rows changed height: a zoom, another font size),
 * then rebuilds the tables whose rows no longer cover the screen. Every table's place is read before any changes,
 * so the page is laid out once; when row heights changed, the row at the top of the screen stays there.
 */
function refreshAll(): void {
  const anchor = topRow();
  const changed = tables.filter((w) => measure(w));
  if (changed.length) {
    for (const w of changed) sizeSpacers(w);
    if (anchor) keepInPlace(anchor);
  }
  const viewport = window.innerHeight;
  const tops = tables.map((w) => w.tbody.getBoundingClientRect().top);
  tables.forEach((w, i) => {
    const h = heightOf(w);
    if (needsRebuild(w.built, w.total, h, tops[i]!, viewport)) fill(w, rowWindow(w.total, h, tops[i]!, viewport));
  });
}

function heightOf(w: Windowed): number {
  return w.rowHeight || lastRowHeight;
}

/**
 * The height of one row: the span of the built rows over their count. Separate borders (main.css) make a row's box
 * its whole share. True when it differs from what the table's spacers were sized with.
 */
function measure(w: Windowed): boolean {
  if (w.rows.length < 2) return false;
  const span = w.rows[w.rows.length - 1]!.getBoundingClientRect().bottom - w.rows[0]!.getBoundingClientRect().top;
  const h = span / w.rows.length;
  if (!(h > 0) || Math.abs(h - heightOf(w)) < 0.01) {
    w.rowHeight ||= h > 0 ? h : 0;
    return false;
  }
  w.rowHeight = lastRowHeight = h;
  return true;
}

/** The built row at the top of the screen, and where it is. */
function topRow(): { w: Windowed; index: number; y: number } | undefined {
  for (const w of tables) {
    const i = w.rows.findIndex((r) => r.getBoundingClientRect().bottom > 0);
    if (i >= 0 && w.rows[i]!.getBoundingClientRect().top < window.innerHeight)
      return { w, index: w.built.start + i, y: w.rows[i]!.getBoundingClientRect().top };
  }
  return undefined;
}

function keepInPlace(anchor: { w: Windowed; index: number; y: number }): void {
  const row = anchor.w.rows[anchor.index - anchor.w.built.start];
  if (row) window.scrollBy(0, row.getBoundingClientRect().top - anchor.y);
}

/**
 * Builds rows `win`: keeps the rows built already that are in it (their nodes, state and focus untouched), drops the
 * others, builds the missing ones at either edge, and sizes the spacers.
 */
function fill(w: Windowed, win: RowWindow): void {
  const old = w.built;
  const overlaps = w.rows.length > 0 && win.start < old.end && old.start < win.end;
  if (!overlaps) {
    for (const r of w.rows) r.remove();
    w.rows = [];
    w.built = { start: win.start, end: win.start };
  }
  // Drop what left the window, at each end.
  while (w.built.start < win.start && w.rows.length) {
    w.rows.shift()!.remove();
    w.built = { start: w.built.start + 1, end: w.built.end };
  }
  while (w.built.end > win.end && w.rows.length) {
    w.rows.pop()!.remove();
    w.built = { start: w.built.start, end: w.built.end - 1 };
  }
  // Build what came in, at each end.
  const before = rowsFor(w, win.start, w.built.start);
  if (w.rows[0]) w.rows[0].before(...before);
  else w.bottom.before(...before);
  const after = rowsFor(w, Math.max(w.built.end, win.start), win.end);
  w.bottom.before(...after);
  w.rows = [...before, ...w.rows, ...after];
  w.built = win;
  lastBuilt.set(w.key, win);
  sizeSpacers(w);
}

function rowsFor(w: Windowed, from: number, to: number): HTMLTableRowElement[] {
  const rows: HTMLTableRowElement[] = [];
  for (let i = from; i < to; i++) {
    const row = w.build(i);
    row.setAttribute('aria-rowindex', String(i + 2));
    rows.push(row);
  }
  return rows;
}

function sizeSpacers(w: Windowed): void {
  const h = heightOf(w);
  setSpacer(w.top, w.built.start * h);
  setSpacer(w.bottom, (w.total - w.built.end) * h);
}

/** A row standing for rows not built; hidden when it stands for none. */
function spacerRow(columns: number): HTMLTableRowElement {
  const row = el('tr', { className: 'spacer' }, el('td', { colSpan: columns }));
  row.setAttribute('aria-hidden', 'true');
  return row;
}

function setSpacer(row: HTMLTableRowElement, px: number): void {
  row.hidden = px <= 0;
  row.cells[0]!.style.height = `${px}px`;
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    refreshAll();
  });
}

window.addEventListener('scroll', schedule, { passive: true });
window.addEventListener('resize', schedule);
// A new font size or zoom changes the rows' height without a resize of the window: the page's height changes.
new ResizeObserver(schedule).observe(document.documentElement);
