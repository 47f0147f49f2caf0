/**
 * The CLI's one way to talk to the user. Every line it writes quotes engine data (tags, names, engine messages), so
 * escape sequences, carriage returns, other controls and bidi overrides are shown escaped (`\x1b`, `\u202e`) rather
 * than acting on the terminal; newlines and tabs of our own layout stay. `--json` lines stay the same JSON: the
 * escapes used are JSON's own `\uXXXX` for what JSON.stringify leaves raw. Questions go through the same escaping.
 */
import * as readline from 'readline';
import { displayLines } from '../core/format/displayText';

export interface Streams {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface CliIo {
  readonly streams: Streams;
  /** A line on standard output. */
  say(text: string): void;
  /** A line on standard error, as it is. */
  warn(text: string): void;
  /** `docker-prune: <message>` on standard error: why a command stopped. */
  error(message: string): void;
  /** `docker-prune: warning: <message>` on standard error. */
  warning(message: string): void;
  /** Progress on standard error, written over itself (only when standard error is a terminal). */
  progress(text: string, last: boolean): void;
  /** Standard input is a terminal, so a question can be asked. */
  readonly interactive: boolean;
  /** Asks on the terminal and returns the answer, trimmed; a closed input answers "". */
  ask(question: string): Promise<string>;
  /** Asks a yes/no question: true only for `y` or `yes` (any case). */
  confirm(question: string): Promise<boolean>;
}

export function cliIo(streams: Streams): CliIo {
  const say = lineWriter(streams.out);
  const warn = lineWriter(streams.err);
  const showsProgress = Boolean((streams.err as NodeJS.WriteStream).isTTY);
  const ask = (question: string) => askOn(streams, question);
  return {
    streams,
    say,
    warn,
    error: (message) => warn(`docker-prune: ${message}`),
    warning: (message) => warn(`docker-prune: warning: ${message}`),
    progress: (text, last) => {
      if (showsProgress) streams.err.write(`\r${displayLines(text)}${last ? '\n' : ''}`);
    },
    interactive: Boolean(streams.stdin.isTTY),
    ask,
    confirm: async (question) => /^y(es)?$/i.test(await ask(question)),
  };
}

/** Writes whole lines, engine text escaped (see above). */
function lineWriter(stream: NodeJS.WritableStream): (s: string) => void {
  return (s: string) => {
    const safe = displayLines(s);
    stream.write(safe.endsWith('\n') ? safe : safe + '\n');
  };
}

function askOn(streams: Streams, question: string): Promise<string> {
  const rl = readline.createInterface({ input: streams.stdin, output: streams.out });
  return new Promise((resolve) => {
    let answered = false;
    rl.question(displayLines(question), (answer) => {
      answered = true;
      resolve(answer.trim());
      rl.close();
    });
    rl.on('close', () => {
      if (!answered) resolve('');
    });
  });
}
