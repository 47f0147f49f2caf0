/**
 * Sizes, counts, ages and plural choices in VS Code's display language (`vscode.env.language`),
 * through the core's Intl-based formatters: never English words glued around numbers.
 */
import * as vscode from 'vscode';
import { formatAge, formatAgo, formatBytes, formatCount } from '../../core/format/units';

export function displayLanguage(): string {
  return vscode.env.language || 'en';
}

export const bytesText = (bytes: number): string => formatBytes(bytes, displayLanguage());
export const countText = (n: number): string => formatCount(n, displayLanguage());

const NS_PER_S = 1_000_000_000n;
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** "3 days" for an image created at `createdSeconds` (Unix time). */
export const ageText = (createdSeconds: number): string => formatAge(BigInt(createdSeconds) * NS_PER_S, nowNs(), displayLanguage());
/** "3 days ago" / "vor 3 Tagen". */
export const agoText = (createdSeconds: number): string => formatAgo(BigInt(createdSeconds) * NS_PER_S, nowNs(), displayLanguage());
/** A date and time as the display language writes them. */
export const dateTimeText = (createdSeconds: number): string => {
  try {
    return new Date(createdSeconds * 1000).toLocaleString(displayLanguage());
  } catch {
    return new Date(createdSeconds * 1000).toLocaleString('en');
  }
};

/**
 * The form of a counted phrase that the display language's plural rules pick for `n` (Intl.PluralRules):
 * `one` where the language says "one" (1 in English and German, 0 and 1 in French), `other` elsewhere.
 * Callers pass both forms already translated, each with the count as its {0}.
 */
export function plural(n: number, forms: { one: string; other: string }): string {
  let rules: Intl.PluralRules;
  try {
    rules = new Intl.PluralRules(displayLanguage());
  } catch {
    rules = new Intl.PluralRules('en');
  }
  return rules.select(n) === 'one' ? forms.one : forms.other;
}
