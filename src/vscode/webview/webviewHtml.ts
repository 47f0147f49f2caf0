/**
 * The HTML shell every Docker Prune webview uses: a strict Content-Security-Policy (nothing remote, scripts only
 * with this page's nonce), VS Code's theme variables for colours, the codicon font shipped in the package, and
 * one bundled script from dist/webview/. The views put their own markup into `body`.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

/** Where the bundled webview scripts, styles and the codicon font live (esbuild writes them). */
function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

/** Options for a webview that runs our script and reads only dist/webview/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)], retainContextWhenHidden: false };
}

export interface WebviewPage {
  readonly webview: vscode.Webview;
  readonly extensionUri: vscode.Uri;
  readonly title: string;
  /** The script's base name in dist/webview/ (`planView` → planView.js, planView.css). */
  readonly script: string;
  /** Markup for the body; the script fills in the rest. Must be escaped by the caller. */
  readonly body?: string;
  /** The first state the script renders (JSON in a data attribute, so no inline script is needed). */
  readonly initialState?: unknown;
  readonly language?: string;
}

export function webviewHtml(page: WebviewPage): string {
  const { webview } = page;
  const root = webviewRoot(page.extensionUri);
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const state = page.initialState === undefined ? '' : ` data-state="${escapeHtml(JSON.stringify(page.initialState))}"`;
  return `<!DOCTYPE html>
<html lang="${escapeHtml(page.language ?? vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicons/codicon.css')}">
<link rel="stylesheet" href="${asset(`${page.script}.css`)}">
<title>${escapeHtml(page.title)}</title>
</head>
<body${state}>
${page.body ?? ''}
<script nonce="${nonce}" src="${asset(`${page.script}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
