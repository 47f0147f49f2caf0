import { InvalidInputError } from '../errors';
import { repositoryOf } from './references';

/**
 * Protect patterns: globs on `repo:tag`. `*` matches within one path segment, `**` across segments, `?` one
 * character. A pattern without a tag part (`postgres`, `team/**`) matches every tag of the repositories it names.
 */
export function compileProtectPatterns(patterns: readonly string[]): (ref: string) => boolean {
  const compiled = patterns.map((p) => compileOne(p));
  if (compiled.length === 0) return () => false;
  return (ref) => compiled.some((m) => m(ref));
}

function compileOne(pattern: string): (ref: string) => boolean {
  const p = pattern.trim();
  if (!p) throw new InvalidInputError('Empty protect pattern: use a glob on repo:tag, such as "postgres:*" or "myteam/**".');
  if (/\s/.test(p)) throw new InvalidInputError(`Invalid protect pattern "${pattern}": it may not contain spaces.`);
  const hasTag = hasTagPart(p);
  const re = globToRegExp(p);
  return hasTag ? (ref) => re.test(ref) : (ref) => re.test(repositoryOf(ref));
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
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
