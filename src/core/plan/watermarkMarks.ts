/**
 * The marks of a watermark prune, as the user writes them: a high mark above which a run prunes, a low mark it
 * prunes down to, and a minimum age under which no image is touched. A mark is a percentage of the disk that
 * holds the Docker root directory (`85%`) or a size (`40GB`, `500MiB`) that the bytes the image store holds are
 * compared with. Both marks are of one kind.
 */
import { InvalidInputError } from '../errors';
import { parseExtendedDuration } from '../filters';
import { parseByteSize } from '../format/units';

export type Mark =
  { readonly kind: 'percent'; readonly percent: number; readonly raw: string } | { readonly kind: 'bytes'; readonly bytes: number; readonly raw: string };

export interface Watermarks {
  readonly high: Mark;
  readonly low: Mark;
  /** Images used (or, never seen in use, created) less than this long ago stay, in nanoseconds. */
  readonly minimumAgeNs: bigint;
  readonly minimumAgeRaw: string;
  /**
   * Images that were loaded (`docker load`/`import`: no registry has them, nothing brings them back) may go too,
   * last of all. Off by default: a watermark run leaves them (kept with reason `loaded`).
   */
  readonly includeLoaded?: boolean;
}

/** kubelet's default image minimum age is 2 minutes; an editor's images are younger and more precious. */
export const DEFAULT_MINIMUM_AGE = '2h';

const MARK_FORMS = 'a percentage of the disk holding the Docker root (such as 85%) or a size (such as 40GB or 500MiB)';

/** `85%`, `40GB`, `500 MiB`, `12000000000`. `what` names the value in errors (`--watermark`, a setting). */
export function parseMark(text: string, what: string): Mark {
  const raw = text.trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(raw);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent > 100) throw new InvalidInputError(`Invalid ${what} "${text}": a percentage is between 0% and 100%.`);
    return { kind: 'percent', percent, raw };
  }
  const bytes = parseByteSize(raw);
  if (bytes === undefined) throw new InvalidInputError(`Invalid ${what} "${text}": use ${MARK_FORMS}.`);
  return { kind: 'bytes', bytes, raw };
}

/** A minimum age: `2h`, `90m`, `7d`, `0` (none). */
export function parseMinimumAge(text: string, what: string): bigint {
  const parsed = parseExtendedDuration(text.trim());
  if (!parsed || parsed.ns < 0n) throw new InvalidInputError(`Invalid ${what} "${text}": use a duration such as 2h, 90m or 7d (0 for none).`);
  return parsed.ns;
}

/** Both marks and the minimum age, checked together: one kind, high above low. */
export function parseWatermarks(
  high: string,
  low: string,
  minimumAge: string = DEFAULT_MINIMUM_AGE,
  names = { high: 'high watermark', low: 'low watermark', minimumAge: 'minimum age' },
): Watermarks {
  const h = parseMark(high, names.high);
  const l = parseMark(low, names.low);
  if (h.kind !== l.kind) {
    throw new InvalidInputError(
      `The ${names.high} "${h.raw}" and the ${names.low} "${l.raw}" must both be percentages or both be sizes: a percentage measures the disk, a size the image store.`,
    );
  }
  if (!(markValue(h) > markValue(l)))
    throw new InvalidInputError(
      `The ${names.high} "${h.raw}" must be above the ${names.low} "${l.raw}": a run prunes above the high mark, down to under the low one.`,
    );
  return { high: h, low: l, minimumAgeNs: parseMinimumAge(minimumAge, names.minimumAge), minimumAgeRaw: minimumAge.trim() };
}

function markValue(m: Mark): number {
  return m.kind === 'percent' ? m.percent : m.bytes;
}

/** `--watermark HIGH:LOW`, e.g. `85%:80%` or `40GB:30GB`. */
export function parseWatermarkOption(text: string, minimumAge?: string): Watermarks {
  const parts = text.split(':');
  if (parts.length !== 2 || !parts[0]!.trim() || !parts[1]!.trim()) {
    throw new InvalidInputError(`Invalid --watermark "${text}": use HIGH:LOW, each ${MARK_FORMS}, e.g. 85%:80% or 40GB:30GB.`);
  }
  return parseWatermarks(parts[0]!, parts[1]!, minimumAge ?? DEFAULT_MINIMUM_AGE, {
    high: '--watermark high mark',
    low: '--watermark low mark',
    minimumAge: '--minimum-age',
  });
}
