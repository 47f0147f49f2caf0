/**
 * The disk-usage page: draws the state the extension sends (src/vscode/diskUsage/diskUsageState.ts) as inline SVG —
 * a stacked bar of where the space is, a horizontal bar chart of the repositories that would free the most, a bar per
 * day of what prunes reclaimed — each with its figures as text (legend, tables) for screen readers and for copying.
 * Every word comes from the extension, already translated; colours are VS Code's chart theme variables (main.css).
 */
import { initialState, vscodeApi } from '../shared/vscodeApi';
import type { DiskUsageRequest, DiskUsageUpdate, DiskUsageViewState, HistoryChart, HistoryTrigger, RepositoryChart, SpacePicture } from './protocol';

const SVG = 'http://www.w3.org/2000/svg';
const api = vscodeApi<DiskUsageViewState>();
const send = (m: DiskUsageRequest) => api.postMessage(m);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Node[]): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  e.append(...children);
  return e;
}

function titled(node: SVGElement, text: string): SVGElement {
  const t = document.createElementNS(SVG, 'title');
  t.textContent = text;
  node.prepend(t);
  return node;
}

function render(state: DiskUsageViewState): void {
  api.setState(state);
  const root = el('main', { class: 'disk-usage' });
  const refresh = el(
    'button',
    { type: 'button', class: 'refresh', id: 'refresh' },
    el('span', { class: 'codicon codicon-refresh', 'aria-hidden': 'true' }),
    ' ',
    state.labels.refresh,
  );
  refresh.addEventListener('click', () => send({ type: 'refresh' }));
  const sub = el('p', { class: 'location' }, state.location);
  if (state.kind === 'ready') sub.append(' · ', el('span', { id: 'measured' }, state.measured));
  root.append(el('header', {}, el('div', {}, el('h1', {}, state.heading), sub), refresh));
  const figures: string[] = [];
  if (state.kind !== 'ready') {
    root.append(el('p', { class: `message ${state.kind}`, role: 'status', 'aria-live': 'polite' }, state.message));
    figures.push(state.message);
  } else {
    root.append(
      spaceSection(state.space, state.labels, figures),
      repositorySection(state.repositories, state.labels, figures),
      historySection(state.history, state.labels, figures),
    );
  }
  document.body.replaceChildren(root);
  send({ type: 'rendered', kind: state.kind, figures });
}

type Labels = DiskUsageViewState['labels'];

function spaceSection(space: SpacePicture, labels: Labels, figures: string[]): HTMLElement {
  const width = 1000;
  const height = 48;
  const bar = svg('svg', { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', class: 'stacked', role: 'img', 'aria-label': space.ariaLabel });
  let x = 0;
  const drawn = space.segments.filter((s) => s.bytes > 0);
  if (drawn.length === 0) bar.append(svg('rect', { x: 0, y: 0, width, height, class: 'empty' }));
  for (const s of drawn) {
    const w = (s.bytes / space.totalBytes) * width;
    bar.append(titled(svg('rect', { x, y: 0, width: Math.max(w, 1), height, class: `seg seg-${s.key}` }), `${s.label}: ${s.bytesText} (${s.percentText})`));
    x += w;
  }
  const legend = el('ul', { class: 'legend' });
  for (const s of space.segments) {
    legend.append(
      el(
        'li',
        { 'data-key': s.key },
        el('span', { class: 'label' }, swatch(`seg-${s.key}`), s.label),
        el('span', { class: 'figure' }, s.bytesText),
        el('span', { class: 'muted' }, [s.percentText, s.detail].filter(Boolean).join(' · ')),
      ),
    );
    figures.push(`${s.key}=${s.bytesText}`);
  }
  figures.push(`total=${space.totalText}`);
  const notes = el('ul', { class: 'notes' }, ...space.notes.map((n) => el('li', {}, n)));
  return el(
    'section',
    { class: 'space', 'aria-labelledby': 'space-h' },
    el('h2', { id: 'space-h' }, space.totalText ? `${labels.space} — ${space.totalText}` : labels.space),
    bar,
    legend,
    notes,
  );
}

function swatch(cls: string): SVGElement {
  return svg('svg', { class: 'swatch', viewBox: '0 0 12 12', 'aria-hidden': 'true' }, svg('rect', { x: 0, y: 0, width: 12, height: 12, class: `seg ${cls}` }));
}

function repositorySection(chart: RepositoryChart, labels: Labels, figures: string[]): HTMLElement {
  const section = el('section', { class: 'repositories', 'aria-labelledby': 'repos-h' }, el('h2', { id: 'repos-h' }, labels.repositories));
  if (chart.empty) {
    section.append(el('p', { class: 'muted' }, chart.empty));
    return section;
  }
  const rowH = 24;
  const labelW = 190;
  const barW = 330;
  const width = labelW + barW + 90;
  const max = Math.max(...chart.rows.map((r) => r.bytes), 1);
  const graph = svg('svg', {
    viewBox: `0 0 ${width} ${chart.rows.length * rowH}`,
    width,
    height: chart.rows.length * rowH,
    class: 'hbars',
    role: 'img',
    'aria-label': chart.ariaLabel,
  });
  chart.rows.forEach((r, i) => {
    const y = i * rowH;
    const w = Math.max((r.bytes / max) * barW, 2);
    const g = titled(svg('g', { class: 'row' }), `${r.label}: ${r.bytesText} (${r.imagesText})`);
    const name = svg('text', { x: labelW - 8, y: y + rowH / 2, class: 'axis', 'text-anchor': 'end', 'dominant-baseline': 'middle' });
    name.textContent = r.label.length > 28 ? `…${r.label.slice(-27)}` : r.label;
    const value = svg('text', { x: labelW + w + 6, y: y + rowH / 2, class: 'axis', 'dominant-baseline': 'middle' });
    value.textContent = r.bytesText;
    g.append(name, svg('rect', { x: labelW, y: y + 4, width: w, height: rowH - 8, class: 'seg seg-repository' }), value);
    graph.append(g);
    figures.push(`repo:${r.label}=${r.bytesText}`);
  });
  section.append(
    graph,
    table(
      labels.tableCaption,
      [labels.repository, labels.frees, labels.images],
      chart.rows.map((r) => [r.label, r.bytesText, r.imagesText]),
    ),
  );
  return section;
}

const TRIGGERS: readonly HistoryTrigger[] = ['manual', 'auto', 'cli'];

function historySection(chart: HistoryChart, labels: Labels, figures: string[]): HTMLElement {
  const section = el('section', { class: 'history', 'aria-labelledby': 'history-h' }, el('h2', { id: 'history-h' }, labels.history));
  if (chart.problem) section.append(el('p', { class: 'message failed' }, chart.problem));
  if (chart.empty) {
    section.append(el('p', { class: 'muted' }, chart.empty));
    figures.push('history=0');
    return section;
  }
  section.append(el('p', { class: 'summary', 'aria-live': 'polite' }, chart.summary));
  // Bars stand on a baseline between a value line above and the day below.
  const plot = 110;
  const top0 = 18;
  const height = top0 + plot + 22;
  const slot = 84;
  const width = Math.max(chart.bars.length * slot, 2 * slot);
  const max = Math.max(...chart.bars.map((b) => b.bytes), 1);
  const base = top0 + plot;
  const graph = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'vbars', role: 'img', 'aria-label': chart.ariaLabel });
  graph.append(svg('line', { x1: 0, y1: base + 0.5, x2: width, y2: base + 0.5, class: 'baseline' }));
  chart.bars.forEach((b, i) => {
    const g = titled(svg('g', { class: 'day' }), `${b.dayText}: ${b.bytesText} (${b.prunesText})`);
    const x = i * slot + 18;
    const w = slot - 36;
    let top = base;
    for (const t of TRIGGERS) {
      const h = (b.byTrigger[t] / max) * plot;
      if (h <= 0) continue;
      top -= h;
      g.append(svg('rect', { x, y: top, width: w, height: Math.max(h, 1), class: `seg seg-trigger-${t}` }));
    }
    if (b.bytes === 0) g.append(svg('rect', { x, y: base - 2, width: w, height: 2, class: 'seg empty' }));
    const value = svg('text', { x: i * slot + slot / 2, y: top - 5, class: 'axis small', 'text-anchor': 'middle' });
    value.textContent = b.bytesText;
    const day = svg('text', { x: i * slot + slot / 2, y: base + 16, class: 'axis small', 'text-anchor': 'middle' });
    day.textContent = b.dayText;
    g.append(value, day);
    graph.append(g);
    figures.push(`day:${b.day}=${b.bytesText}`);
  });
  figures.push(`history=${chart.totalText}`);
  const legend = el(
    'ul',
    { class: 'legend compact' },
    ...chart.triggers.map((t) =>
      el('li', {}, el('span', { class: 'label' }, swatch(`seg-trigger-${t.key}`), t.label), ' ', el('span', { class: 'figure' }, t.bytesText)),
    ),
  );
  section.append(
    graph,
    legend,
    table(
      labels.tableCaption,
      [labels.day, labels.prunes, labels.reclaimed],
      chart.bars.map((b) => [b.dayText, b.prunesText, b.bytesText]),
    ),
  );
  return section;
}

function table(caption: string, head: readonly string[], rows: ReadonlyArray<readonly string[]>): HTMLElement {
  const t = el(
    'table',
    {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
  );
  const body = el('tbody');
  for (const r of rows) body.append(el('tr', {}, ...r.map((c, i) => (i === 0 ? el('th', { scope: 'row' }, c) : el('td', {}, c)))));
  t.append(body);
  return el('details', {}, el('summary', {}, caption), t);
}

window.addEventListener('message', (event: MessageEvent<DiskUsageUpdate>) => {
  if (event.data?.type === 'state') render(event.data.state);
});

const first = api.getState() ?? initialState<DiskUsageViewState>();
if (first) render(first);
send({ type: 'ready' });
