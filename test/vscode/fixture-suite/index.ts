/** extensionTestsPath of the harness self-test: runs the *.test.js next to this file. */
import { runMochaIn } from '../suite/index';

export function run(): Promise<void> {
  return runMochaIn(__dirname);
}
