/**
 * Image references as the engine's reference store sees them: `repo:tag` (tagged) and `repo@sha256:…`
 * (canonical/digest). The API prints them in familiar form (`app:1`, `team/app:1`, `localhost:5000/app:1`).
 */

export function isDigestRef(ref: string): boolean {
  return ref.includes('@');
}

/** The repository part of a familiar reference: `localhost:5000/app:1` → `localhost:5000/app`. */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  if (at >= 0) return ref.slice(0, at);
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
}

/** The tag part of a tagged reference (`latest` when the familiar form left it out). */
export function tagOf(ref: string): string {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'latest';
}

/** `app:1` → `docker.io/library/app:1`, as the engine's store keys and sorts references. */
export function normalizedRef(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (slash < 0) return `docker.io/library/${ref}`;
  if (first.includes('.') || first.includes(':') || first === 'localhost') return ref;
  return `docker.io/${ref}`;
}

/** The engine's order of an image's references (lexical on the normalized string). */
export function sortRefs(refs: readonly string[]): string[] {
  return [...refs].sort((a, b) => {
    const x = normalizedRef(a);
    const y = normalizedRef(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * moby's isSingleReference: true when all references are in one repository and at most one of them is a tag.
 * Deleting such an image by id removes its references; otherwise the engine demands they go one by one.
 */
export function isSingleReference(refs: readonly string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: string | undefined;
  const canonicalRepos = new Set<string>();
  for (const ref of refs) {
    if (isDigestRef(ref)) canonicalRepos.add(repositoryOf(ref));
    else if (single === undefined) single = ref;
    else return false;
  }
  single ??= refs[0];
  return canonicalRepos.size === 1 && canonicalRepos.has(repositoryOf(single));
}
