/** The webview's handle on VS Code: post messages to the extension, keep state across hide/show. */
export interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

let api: VsCodeApi<unknown> | undefined;

export function vscodeApi<State>(): VsCodeApi<State> {
  api ??= acquireVsCodeApi<unknown>();
  return api as VsCodeApi<State>;
}

/** The state the extension put into the page (body's data-state), for the first render. */
export function initialState<T>(): T | undefined {
  const raw = document.body.dataset.state;
  // Read once; a plan of thousands of images is megabytes the page need not carry as an attribute.
  delete document.body.dataset.state;
  return raw ? (JSON.parse(raw) as T) : undefined;
}
