/** extensionTestsPath of this suite: runs every *.test.js in this folder inside the real extension host. */
import { runMochaIn } from '../../suite/index';

export function run(): Promise<void> {
  return runMochaIn(__dirname);
}
