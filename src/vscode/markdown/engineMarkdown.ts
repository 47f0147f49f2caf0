/** Tooltips that quote engine text. */
import * as vscode from 'vscode';

/**
 * A tooltip that quotes engine text: not trusted (no command links run), no HTML; theme icons only for the ones
 * we write ourselves (engine text goes through markdownLiteral, so it cannot write `$(…)`).
 */
export function engineMarkdown(): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}
