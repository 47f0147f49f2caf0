/**
 * The plan view page for a build-cache prune: header (the builder's filters read-only), what the disk gets back, the
 * engine's warning, Remove and Re-plan, a row per record with a checkbox to leave it out, and what stays counted by
 * reason. Every engine string (a step's description, a type) is a text node: never parsed as HTML.
 */
import { clickable, details, el, keyed } from './dom';
import type { BuildCachePlanState, BuildCacheRow, PageMessage } from './protocol';
import { windowedTable } from './windowedTable';

type Send = (m: PageMessage) => void;

export function buildCachePlan(state: BuildCachePlanState, send: Send): HTMLElement {
  const root = el('div', { className: 'plan build-cache' });
  root.append(header(state, send));
  if (state.rows.length) root.append(records(state, send));
  if (state.empty) root.append(el('p', { className: 'empty' }, state.empty));
  if (state.kept.groups.length) root.append(kept(state));
  return root;
}

function header(state: BuildCachePlanState, send: Send): HTMLElement {
  const facts = el('dl', { className: 'facts' });
  for (const line of state.header) facts.append(el('dt', {}, line.label), el('dd', {}, line.value));
  const remove = keyed(
    clickable(
      el(
        'button',
        { className: 'primary', id: 'remove', disabled: !state.remove.enabled, title: state.remove.why ?? '' },
        el('span', { className: 'codicon codicon-trash', ariaHidden: 'true' }),
        ' ',
        state.remove.label,
      ),
      () => send({ type: 'remove' }),
    ),
    'remove',
  );
  const replan = keyed(
    clickable(
      el(
        'button',
        { className: 'secondary', disabled: state.busy !== undefined },
        el('span', { className: 'codicon codicon-refresh', ariaHidden: 'true' }),
        ' ',
        state.replanLabel,
      ),
      () => send({ type: 'replan' }),
    ),
    'replan',
  );
  return el(
    'header',
    {},
    el('h1', {}, state.title),
    facts,
    el('p', { className: 'totals', id: 'totals', ariaLive: 'polite' }, state.totals),
    ...state.notes.map((n) => el('p', { className: 'note' }, el('span', { className: 'codicon codicon-info', ariaHidden: 'true' }), ' ', n)),
    el('div', { className: 'actions' }, remove, replan, el('span', { className: 'busy', role: 'status' }, state.busy ?? '')),
  );
}

function records(state: BuildCachePlanState, send: Send): HTMLElement {
  const c = state.columns;
  const head = el(
    'tr',
    {},
    ...[c.include, c.record, c.type, c.description, c.lastUsed, c.shared, c.frees].map((t, i) =>
      el('th', { scope: 'col', className: i === 6 ? 'num' : '' }, t),
    ),
  );
  return el(
    'section',
    { className: 'group' },
    windowedTable('records', head, state.rows.length, (i) => row(state, state.rows[i]!, send)),
  );
}

function row(state: BuildCachePlanState, r: BuildCacheRow, send: Send): HTMLTableRowElement {
  const box = keyed(el('input', { type: 'checkbox', checked: r.checked, disabled: state.busy !== undefined }), `record:${r.id}`);
  box.setAttribute('aria-label', r.checkboxLabel);
  box.addEventListener('change', () => send({ type: 'toggle', ids: [r.id], include: box.checked }));
  const copy = keyed(
    clickable(
      el(
        'button',
        { className: 'copy', title: r.copyLabel },
        el('code', {}, r.shortId),
        ' ',
        el('span', { className: 'codicon codicon-copy', ariaHidden: 'true' }),
      ),
      () => send({ type: 'copy', id: r.id }),
    ),
    `copy:${r.id}`,
  );
  copy.setAttribute('aria-label', r.copyLabel);
  return el(
    'tr',
    { className: r.checked ? '' : 'left-out' },
    el('td', {}, box),
    el('td', {}, copy),
    el('td', {}, el('code', {}, r.type)),
    el('td', { className: 'why', title: r.description }, r.description),
    el('td', {}, r.lastUsed),
    el('td', {}, r.shared || '—'),
    el('td', { className: 'num' }, r.bytes || '—'),
  );
}

function kept(state: BuildCachePlanState): HTMLElement {
  const section = details('kept', el('summary', {}, state.kept.title), el('ul', {}, ...state.kept.groups.map((k) => el('li', {}, `${k.text}: ${k.count}`))));
  section.className = 'kept';
  return section;
}
