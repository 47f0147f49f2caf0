/**
 * Prefix the suite runner puts on the extension host's console lines. In the web workbench they reach
 * the page mixed with the workbench's own log lines (same channel, same level); the launcher keeps the
 * marked ones as the suite's output. A zero-width space: invisible if it ever leaks into a log.
 */
export const EXT_HOST_MARK = '\u200b\u200b';
