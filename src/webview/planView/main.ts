/**
 * The plan view's page: renders the state the extension sends (every word already translated there) and posts
 * what the user does. Plain DOM; real checkboxes, buttons and a select, so keyboard and screen readers work as
 * they do everywhere. Focus and open sections survive each re-render.
 */
import { initialState, vscodeApi } from '../shared/vscodeApi';
import { buildCachePlan } from './buildCache';
import { clickable, details, el, keyed, lazyDetails } from './dom';
import { beginPage, settlePage, windowedTable } from './windowedTable';
import type {
  BuildCachePlanState,
  ContainerRow,
  ContainersOption,
  ContainersSection,
  HostMessage,
  PageMessage,
  PlanGroup,
  PlanRow,
  PlanViewState,
} from './protocol';

const api = vscodeApi<PlanViewState | BuildCachePlanState>();
const send = (m: PageMessage) => api.postMessage(m);

function render(state: PlanViewState | BuildCachePlanState): void {
  api.setState(state);
  document.title = state.title;
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.key;
  beginPage();
  if ('kind' in state) document.body.replaceChildren(buildCachePlan(state, send));
  else document.body.replaceChildren(imagePlan(state));
  settlePage();
  if (focused) (document.querySelector(`[data-key="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
}

/** An image prune's plan: header, stopped containers, the images by repository, what stays. */
function imagePlan(state: PlanViewState): HTMLElement {
  const filterInput = document.getElementById('filters') as HTMLInputElement | null;
  const typing = filterInput !== null && document.activeElement === filterInput ? filterInput.value : undefined;
  const exitedForInput = document.getElementById('exited-for') as HTMLInputElement | null;
  const typingExitedFor = exitedForInput !== null && document.activeElement === exitedForInput ? exitedForInput.value : undefined;

  const root = el('div', { className: 'plan' });
  root.append(header(state, typing, typingExitedFor));
  if (state.containers) root.append(containers(state, state.containers));
  root.append(...state.groups.map((g) => group(state, g)));
  if (state.empty) root.append(el('p', { className: 'empty' }, state.empty));
  if (state.kept.groups.length) root.append(kept(state));
  return root;
}

function header(state: PlanViewState, typing: string | undefined, typingExitedFor: string | undefined): HTMLElement {
  const facts = el('dl', { className: 'facts' });
  for (const line of state.header) facts.append(el('dt', {}, line.label), el('dd', {}, line.value));

  const remove = keyed(
    el(
      'button',
      { className: 'primary', id: 'remove', disabled: !state.remove.enabled, title: state.remove.why ?? '' },
      el('span', { className: 'codicon codicon-trash', ariaHidden: 'true' }),
      ' ',
      state.remove.label,
    ),
    'remove',
  );
  remove.addEventListener('click', () => send({ type: 'remove' }));
  const replan = keyed(
    el(
      'button',
      { className: 'secondary', disabled: state.busy !== undefined },
      el('span', { className: 'codicon codicon-refresh', ariaHidden: 'true' }),
      ' ',
      state.replanLabel,
    ),
    'replan',
  );
  replan.addEventListener('click', () => send({ type: 'replan' }));
  const check = state.checkRegistry
    ? [
        keyed(
          clickable(
            el(
              'button',
              { className: 'secondary', disabled: state.busy !== undefined, title: state.checkRegistry.title },
              el('span', { className: 'codicon codicon-cloud' }),
              ' ',
              state.checkRegistry.label,
            ),
            () => send({ type: 'checkRegistry' }),
          ),
          'check-registry',
        ),
      ]
    : [];
  const actions = el('div', { className: 'actions' }, remove, replan, ...check, el('span', { className: 'busy', role: 'status' }, state.busy ?? ''));

  const stale = state.stale
    ? el(
        'div',
        { className: 'stale', role: 'alert' },
        el('span', { className: 'codicon codicon-warning', ariaHidden: 'true' }),
        ' ',
        state.stale.text,
        ' ',
        keyed(
          clickable(el('button', { className: 'secondary' }, state.stale.action), () => send({ type: 'replan' })),
          'stale-replan',
        ),
      )
    : undefined;

  return el(
    'header',
    {},
    el('h1', {}, state.title),
    facts,
    el('p', { className: 'totals', id: 'totals', ariaLive: 'polite' }, state.totals),
    ...state.notes.map((n) => el('p', { className: 'note' }, el('span', { className: 'codicon codicon-info', ariaHidden: 'true' }), ' ', n)),
    stale,
    actions,
    filters(state, typing),
    state.containerOption ? containerOption(state, state.containerOption, typingExitedFor) : undefined,
    sorter(state),
  );
}

/** "Also remove stopped containers", stopped at least [30d] ago: toggling it or applying a duration re-plans. */
function containerOption(state: PlanViewState, o: ContainersOption, typing: string | undefined): HTMLElement {
  const busy = state.busy !== undefined;
  const box = keyed(el('input', { type: 'checkbox', id: 'containers', checked: o.checked, disabled: busy }), 'containers');
  const input = keyed(el('input', { id: 'exited-for', type: 'text', value: typing ?? o.value, spellcheck: false, size: 8 }), 'exited-for');
  input.setAttribute('aria-describedby', 'exited-for-hint exited-for-error');
  if (o.error) input.setAttribute('aria-invalid', 'true');
  const post = (include: boolean) => send({ type: 'containers', include, exitedFor: input.value });
  box.addEventListener('change', () => post(box.checked));
  const form = el(
    'form',
    { className: 'containers-option' },
    box,
    ' ',
    el('label', { htmlFor: 'containers' }, o.label),
    ' ',
    el('label', { htmlFor: 'exited-for' }, o.before),
    ' ',
    input,
    ' ',
    el('span', {}, o.after),
    ' ',
    keyed(el('button', { type: 'submit', className: 'secondary', disabled: busy }, o.apply), 'exited-for-apply'),
    el('span', { className: 'error', id: 'exited-for-error', ariaLive: 'polite' }, o.error ?? ''),
    el('p', { className: 'hint', id: 'exited-for-hint' }, o.hint),
  );
  // Applying a duration turns the option on.
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    post(true);
  });
  return form;
}

/** The stopped containers the plan removes first (and those left out), a row each, above the images. */
function containers(state: PlanViewState, section: ContainersSection): HTMLElement {
  const c = section.columns;
  const head = el(
    'tr',
    {},
    ...[c.include, c.name, c.image, c.stopped, c.exitCode, c.project, c.frees].map((t, i) => el('th', { scope: 'col', className: i === 6 ? 'num' : '' }, t)),
  );
  const rows = section.rows.map((r) => containerRow(state, r));
  return el(
    'section',
    { className: 'group containers' },
    el('h2', {}, el('span', { className: 'summary' }, section.title)),
    rows.length ? el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)) : undefined,
    section.kept ? el('p', { className: 'note' }, section.kept) : undefined,
  );
}

function containerRow(state: PlanViewState, r: ContainerRow): HTMLElement {
  const box = keyed(el('input', { type: 'checkbox', checked: r.checked, disabled: state.busy !== undefined }), `container:${r.id}`);
  box.setAttribute('aria-label', r.checkboxLabel);
  box.addEventListener('change', () => send({ type: 'toggle', ids: [r.id], include: box.checked }));
  return el(
    'tr',
    { className: r.checked ? '' : 'left-out' },
    el('td', {}, box),
    el('td', { className: 'tags' }, el('code', { className: 'tag', title: r.shortId }, r.name)),
    el('td', {}, el('code', {}, r.image)),
    el('td', {}, r.stopped),
    el('td', { className: 'num' }, r.exitCode || '—'),
    el('td', {}, r.project || '—'),
    el('td', { className: 'num' }, r.bytes || '—'),
  );
}

function filters(state: PlanViewState, typing: string | undefined): HTMLElement {
  const f = state.filters;
  const input = keyed(el('input', { id: 'filters', type: 'text', value: typing ?? f.value, spellcheck: false }), 'filters');
  input.setAttribute('aria-describedby', 'filters-hint filters-error');
  const error = el('span', { className: 'error', id: 'filters-error', ariaLive: 'polite' }, f.error ?? '');
  if (f.error) input.setAttribute('aria-invalid', 'true');
  input.addEventListener('input', () => send({ type: 'checkFilters', text: input.value }));
  const form = el(
    'form',
    { className: 'filters' },
    el('label', { htmlFor: 'filters' }, f.label),
    input,
    keyed(el('button', { type: 'submit', className: 'secondary', disabled: state.busy !== undefined }, f.apply), 'apply'),
    error,
    el('p', { className: 'hint', id: 'filters-hint' }, f.hint),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send({ type: 'applyFilters', text: input.value });
  });
  return form;
}

function sorter(state: PlanViewState): HTMLElement {
  const select = keyed(el('select', { id: 'sort' }), 'sort');
  for (const o of state.sortOptions) select.append(el('option', { value: o.key, selected: o.key === state.sort }, o.label));
  select.addEventListener('change', () => send({ type: 'sort', by: select.value as PlanViewState['sort'] }));
  return el('div', { className: 'sort' }, el('label', { htmlFor: 'sort' }, state.sortLabel), select);
}

function group(state: PlanViewState, g: PlanGroup): HTMLElement {
  const box = keyed(
    el('input', { type: 'checkbox', checked: g.checked === 'all', indeterminate: g.checked === 'some', disabled: !g.toggleable || state.busy !== undefined }),
    `group:${g.key}`,
  );
  box.setAttribute('aria-label', g.checkboxLabel);
  box.addEventListener('change', () => {
    const ids = g.rows.filter((r) => !r.locked).map((r) => r.id);
    send({ type: 'toggle', ids, include: g.checked !== 'all' });
  });
  const c = state.columns;
  const head = el(
    'tr',
    {},
    ...[c.include, c.image, c.id, c.created, c.lastUsed, c.source, c.frees, c.why].map((t, i) =>
      el('th', { scope: 'col', className: i === 6 ? 'num' : '' }, t),
    ),
  );
  // Thousands of rows are common on build machines: only those near the screen are built (windowedTable.ts).
  const table = windowedTable(g.key, head, g.rows.length, (i) => row(state, g.rows[i]!));
  return el(
    'section',
    { className: 'group' },
    el('h2', {}, box, ' ', el('span', { className: 'repo' }, g.title), ' ', el('span', { className: 'summary' }, g.summary)),
    table,
  );
}

function row(state: PlanViewState, r: PlanRow): HTMLTableRowElement {
  const box = keyed(
    el('input', { type: 'checkbox', checked: r.checked, disabled: r.locked || state.busy !== undefined, title: r.lockedWhy ?? '' }),
    `row:${r.id}`,
  );
  box.setAttribute('aria-label', r.checkboxLabel);
  box.addEventListener('change', () => send({ type: 'toggle', ids: [r.id], include: box.checked }));
  const copy = keyed(
    el(
      'button',
      { className: 'copy', title: r.copyLabel },
      el('code', {}, r.shortId),
      ' ',
      el('span', { className: 'codicon codicon-copy', ariaHidden: 'true' }),
    ),
    `copy:${r.id}`,
  );
  copy.setAttribute('aria-label', r.copyLabel);
  copy.addEventListener('click', () => send({ type: 'copy', id: r.id }));
  const tags = r.tags.length ? r.tags.map((t) => el('code', { className: 'tag' }, t)) : [el('span', { className: 'none' }, '<none>')];
  // A row is one line (windowedTable.ts): what does not fit is cut, and shown whole on hover.
  return el(
    'tr',
    { className: r.checked ? '' : 'left-out' },
    el('td', {}, box),
    el('td', { className: 'tags', title: r.tags.join('\n') }, ...tags),
    el('td', {}, copy),
    el('td', {}, r.created),
    el('td', {}, r.lastUsed || '—'),
    el('td', { className: 'source' }, r.source),
    el('td', { className: 'num' }, r.bytes || '—'),
    el('td', { className: 'why', title: r.reason }, r.reason),
  );
}

function kept(state: PlanViewState): HTMLElement {
  const section = details('kept', el('summary', {}, state.kept.title));
  const list = el('ul', {});
  for (const k of state.kept.groups) {
    const inner = lazyDetails(`kept:${k.reason}`, el('summary', {}, `${k.text}: ${k.count}`), () => [
      el('ul', {}, ...k.images.map((i) => el('li', {}, el('code', {}, i)))),
    ]);
    list.append(el('li', {}, inner));
  }
  section.append(list);
  section.className = 'kept';
  return section;
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  if (m.type === 'state') render(m.state);
  else if (m.type === 'filterCheck') {
    const input = document.getElementById('filters') as HTMLInputElement | null;
    const error = document.getElementById('filters-error');
    if (!input || !error || input.value !== m.text) return;
    error.textContent = m.error ?? '';
    if (m.error) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
});

// Always read (and drop) the state in the HTML; a page restored after being hidden has its own, newer one.
const inHtml = initialState<PlanViewState | BuildCachePlanState>();
const first = api.getState() ?? inHtml;
if (first) render(first);
send({ type: 'ready' });
