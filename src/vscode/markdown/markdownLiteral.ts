/**
 * Engine text inside Markdown (tooltips, the build-cache preview) must render as the literal text it is: a label
 * holding a backtick, a blank line and `[x](https://…)` must not end our formatting and write its own bold lines
 * or links. So it is first made one visible line (displayText: no newlines, controls escaped, long values cut),
 * then every ASCII punctuation character is backslash-escaped, which CommonMark allows for all of them: no
 * emphasis, code span, link, autolink (`https\:\/\/`), HTML, entity (`\&`) or table cell; theme icons see below.
 * No `vscode` import: unit tests load it.
 */
import { DISPLAY_MAX_CHARS, displayText } from '../../core/format/displayText';

export function markdownLiteral(s: string, maxChars = DISPLAY_MAX_CHARS): string {
  // VS Code draws theme icons after the Markdown is parsed, in the rendered text, unless `$(` follows a backslash
  // there: so `$(` becomes `\\$\(` (a literal backslash, then `$(`), as MarkdownString.appendText writes it.
  return displayText(s, maxChars)
    .replace(/[!-/:-@[-`{-~]/g, '\\$&')
    .replace(/\\\$\\\(/g, '\\\\$\\(');
}

/**
 * Engine text in a label VS Code scans for theme icons (quick pick items): one visible line, cut, and `$(` escaped
 * the way VS Code's own escapeIcons does, so a name or message cannot draw icons.
 */
export function iconLiteral(s: string, maxChars = DISPLAY_MAX_CHARS): string {
  return displayText(s, maxChars).replace(/\$\(/g, '\\$(');
}
