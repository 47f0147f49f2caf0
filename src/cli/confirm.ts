import * as readline from 'readline';

/** Asks `question` on the terminal; true only for `y` or `yes` (any case). A closed input answers no. */
export function confirm(io: { out: NodeJS.WritableStream; stdin: NodeJS.ReadableStream }, question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: io.stdin, output: io.out });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      resolve(/^y(es)?$/i.test(answer.trim()));
      rl.close();
    });
    rl.on('close', () => resolve(false));
  });
}
