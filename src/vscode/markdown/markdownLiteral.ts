/**
 * Engine text inside Markdown (tooltips, the build-cache preview) must render as the literal text it is: a label
 * holding a backtick, a blank line and `[x](https://…)` must not end our formatting and write its own bold lines
 * or links. So it is first made one visible line (displayText: no newlines, controls escaped, long values cut),
 * then every ASCII punctuation character is backslash-escaped, which CommonMark allows for all of them: no
 * emphasis, code span, link, autolink (`https\:\/\/`), HTML, entity (`\&`), table cell or theme icon (`\$(`).
 * No `vscode` import: unit tests load it.
 */
import { DISPLAY_MAX_CHARS, displayText } from '../../core/format/displayText';

export function markdownLiteral(s: string, maxChars = DISPLAY_MAX_CHARS): string {
  return displayText(s, maxChars).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
