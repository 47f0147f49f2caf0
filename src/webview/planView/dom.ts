/** The plan view page's DOM helpers: elements with text children only (engine text never becomes markup). */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {},
  ...children: Array<Node | string | undefined>
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) if (c !== undefined) node.append(c);
  return node;
}

/** A key on each focusable control, so the same control gets the focus back after a re-render. */
export function keyed<T extends HTMLElement>(node: T, key: string): T {
  node.dataset.key = key;
  return node;
}

export function clickable<T extends HTMLElement>(node: T, onClick: () => void): T {
  node.addEventListener('click', onClick);
  return node;
}

const openSections = new Set<string>();

/** A collapsible section that stays open across re-renders once opened. */
export function details(key: string, summary: HTMLElement, ...content: HTMLElement[]): HTMLDetailsElement {
  const d = el('details', { open: openSections.has(key) }, summary, ...content);
  summary.dataset.key = `summary:${key}`;
  d.addEventListener('toggle', () => (d.open ? openSections.add(key) : openSections.delete(key)));
  return d;
}

/** A collapsible section whose content is built when it is first open (a long list costs nothing while closed). */
export function lazyDetails(key: string, summary: HTMLElement, build: () => HTMLElement[]): HTMLDetailsElement {
  const d = details(key, summary);
  let built = false;
  const fillIfOpen = () => {
    if (!d.open || built) return;
    built = true;
    d.append(...build());
  };
  d.addEventListener('toggle', fillIfOpen);
  fillIfOpen();
  return d;
}
