/**
 * Every line the CLI writes goes through here. Its text quotes engine data (tags, names, engine messages), so
 * escape sequences, carriage returns, other controls and bidi overrides are shown escaped (`\x1b`, `\u202e`)
 * rather than acting on the terminal; newlines and tabs of our own layout stay. `--json` lines stay the same
 * JSON: the escapes used are JSON's own `\uXXXX` for what JSON.stringify leaves raw.
 */
import { displayLines } from '../core/format/displayText';

export type LineWriter = (s: string) => void;

export function lineWriter(stream: NodeJS.WritableStream): LineWriter {
  return (s: string) => {
    const safe = displayLines(s);
    stream.write(safe.endsWith('\n') ? safe : safe + '\n');
  };
}
