/**
 * Engine data (labels, tags, names, messages) is free text chosen by whoever built the image or runs the engine.
 * Before it reaches a plain-text renderer (a terminal, the output channel, a tree label, a webview's textContent)
 * it goes through here: control characters, carriage returns, escape sequences and bidi overrides are shown
 * visibly escaped (`\x1b`, `\u202e`) instead of acting, and very long values are cut with an ellipsis.
 * The audit file and `--json` keep values whole: this is for display only.
 */

/** The longest engine value shown whole in the UI and the terminal (a 255-char repository + 128-char tag is cut). */
export const DISPLAY_MAX_CHARS = 200;

/** Engine and connection messages: longer than a name, still cut. */
export const MESSAGE_MAX_CHARS = 500;

/**
 * What must never reach a renderer raw: C0 controls (newline and tab included: a value is one line), DEL, C1
 * controls (U+009B is an 8-bit CSI), the bidi embeddings, overrides, isolates and marks (U+061C, U+200E/F,
 * U+202A–U+202E, U+2066–U+2069), zero-width characters (U+200B–U+200D, U+2060–U+2064, U+FEFF), the line and
 * paragraph separators U+2028/U+2029, interlinear annotation controls (U+FFF9–U+FFFB) and lone surrogates.
 */
const HIDDEN =
  // eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The same set without newline and tab: for whole lines of our own text, where those are layout. */
const HIDDEN_IN_LINES = new RegExp(HIDDEN.source.replace('\\u0000-\\u001f', '\\u0000-\\u0008\\u000b-\\u001f'), 'g');

/**
 * `\x1b` for C0, `\u202e` (JSON's own escape) for the rest: visible, what a reader would type to search for it,
 * and inside a JSON string the same value. (JSON.stringify already escapes C0, so `\xHH` never lands in JSON.)
 */
function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Engine text made safe and visible for a plain-text renderer: one line, nothing hidden, at most `maxChars`. */
export function displayText(s: string, maxChars = DISPLAY_MAX_CHARS): string {
  return cut(String(s).replace(HIDDEN, escapeChar), maxChars);
}

/**
 * A whole line (or several) of output that may quote engine text: newlines and tabs stay, every other hidden
 * character is escaped. For the terminal's output and error messages, where values were already cut. A line of
 * JSON stays the same JSON: the characters JSON.stringify writes raw (DEL, C1, bidi…) only occur inside strings,
 * where `\uXXXX` means the same character.
 */
export function displayLines(s: string): string {
  return s.replace(HIDDEN_IN_LINES, escapeChar);
}

/** At most `maxChars` UTF-16 units, the last one an ellipsis; never splits a surrogate pair or an escape. */
function cut(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  let end = Math.max(0, maxChars - 1);
  if (end > 0 && /[\ud800-\udbff]/.test(s[end - 1]!)) end--;
  // Half an escape (`\x1`, `\u20`) before the ellipsis would read as something else: leave all of it out.
  const tail = /\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$/.exec(s.slice(Math.max(0, end - 5), end));
  if (tail && /^\\(?:x[0-9a-f]{2}|u[0-9a-f]{4})/.test(s.slice(end - tail[0].length))) end -= tail[0].length;
  return s.slice(0, end) + '…';
}
