/**
 * Packages an extension folder into a .vsix with the repo's @vscode/vsce, offline and without prompts
 * (`--no-dependencies`: nothing to bundle from node_modules; the two `--allow/--skip` flags answer the
 * questions vsce would otherwise ask on stdin).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../vscode/harness/tools';

export function packageVsix(extensionDir: string, outFile: string): string {
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  const r = spawnSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', path.resolve(outFile)],
    { cwd: extensionDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`vsce package failed in ${extensionDir} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return path.resolve(outFile);
}
