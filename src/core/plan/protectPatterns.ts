import { InvalidInputError } from '../errors';
import type { ImageRecord } from '../model';
import { isDigestRef, normalizedRef, repositoryOf } from './references';

/**
 * Protect patterns: globs on image references. `*` matches within one path segment, `**` across segments, `?`
 * one character. A pattern without a tag or digest (`postgres`, `team/**`) matches every tag and digest of the
 * repositories it names; `name@sha256:…` names one image by digest.
 *
 * A reference has several spellings — `postgres:16`, `docker.io/library/postgres:16`, `library/postgres:16` — and
 * an image has several references (tags, `repo@sha256:…` digests). A pattern protects an image when it matches
 * any of them in the form the pattern is written in: as written, or in the engine's full form.
 */
export function compileProtectPatterns(patterns: readonly string[]): (ref: string) => boolean {
  const compiled = patterns.map((p) => compileOne(p));
  if (compiled.length === 0) return () => false;
  return (ref) => compiled.some((m) => m(ref));
}

/** Whether a protect pattern keeps this image whole: any of its tags or digest references matches. */
export function compileImageProtection(patterns: readonly string[]): (image: Pick<ImageRecord, 'repoTags' | 'repoDigests'>) => boolean {
  const matches = compileProtectPatterns(patterns);
  if (patterns.length === 0) return () => false;
  return (image) => image.repoTags.some(matches) || image.repoDigests.some(matches);
}

function compileOne(pattern: string): (ref: string) => boolean {
  const p = pattern.trim();
  if (!p) throw new InvalidInputError('Empty protect pattern: use a glob on repo:tag, such as "postgres:*" or "myteam/**".');
  if (/\s/.test(p)) throw new InvalidInputError(`Invalid protect pattern "${pattern}": it may not contain spaces.`);
  const withVersion = hasTagPart(p) || isDigestRef(p);
  const asWritten = globToRegExp(p);
  // The engine's full form of the pattern (`postgres:*` → `docker.io/library/postgres:*`), unless it starts with
  // a wildcard, which already matches any registry.
  const full = /^[*?]/.test(p) ? undefined : globToRegExp(normalizedRef(p));
  const test = (re: RegExp, ref: string) => re.test(withVersion ? ref : repositoryOf(ref));
  return (ref) => test(asWritten, ref) || (full !== undefined && test(full, normalizedRef(ref)));
}

function hasTagPart(pattern: string): boolean {
  const colon = pattern.lastIndexOf(':');
  return colon > pattern.lastIndexOf('/');
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else out += c!.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
