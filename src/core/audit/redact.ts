/** Keeps secrets out of the audit log. */

/** `scheme://user:password@` → `scheme://user:***@` (the password may itself contain `@` or `:`). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):[^\s/?#]*@/gi;
/** `password=…`, `token=…` and the like in query strings or messages. */
const KEY_VALUE_SECRET = /\b(password|passwd|pwd|token|access_token|secret|api_?key)=[^\s&;,]+/gi;

/** Strips passwords from URLs (`tcp://user:pass@host` → `tcp://user:***@host`) and `password=` style values. */
export function redact(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@').replace(KEY_VALUE_SECRET, '$1=***');
}
