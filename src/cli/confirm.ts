import * as readline from 'readline';
import { displayLines } from '../core/format/displayText';

/** Asks `question` on the terminal; true only for `y` or `yes` (any case). A closed input answers no. */
export function confirm(io: { out: NodeJS.WritableStream; stdin: NodeJS.ReadableStream }, question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: io.stdin, output: io.out });
  return new Promise((resolve) => {
    // The question names environments and engines: shown escaped, like every line the CLI writes (output.ts).
    rl.question(displayLines(question), (answer) => {
      resolve(/^y(es)?$/i.test(answer.trim()));
      rl.close();
    });
    rl.on('close', () => resolve(false));
  });
}
