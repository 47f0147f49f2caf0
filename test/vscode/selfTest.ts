/**
 * The harness's own self-test: runs test/vscode/fixture-suite against test/vscode/fixture-ext in a real
 * VS Code and checks the harness reports what happened —
 *   1. trusted workspace + env for the extension host -> exit 0
 *   2. untrusted workspace (Restricted Mode), trust-gated action did not run -> exit 0
 *   3. a deliberately failing test -> non-zero exit (a harness that always says 0 is worthless)
 *
 *   node out/test/vscode/selfTest.js [--quick]     (--quick: scenario 1 only)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runVsCodeSuite } from './runTests';
import { REPO_ROOT } from './harness/tools';

const FIXTURE_EXT = path.join(REPO_ROOT, 'test', 'vscode', 'fixture-ext');
const FIXTURE_SUITE = path.join(REPO_ROOT, 'out', 'test', 'vscode', 'fixture-suite');

interface Scenario {
  name: string;
  trusted: boolean;
  env: Record<string, string>;
  expect: (code: number) => boolean;
  /** The deliberate failure's run folder (kept by the launcher) goes in our temp dir, removed below. */
  scratchRun?: boolean;
}

export async function selfTest(quick = false): Promise<boolean> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vsharness-self-'));
  const workspace = path.join(tmp, 'ws');
  fs.mkdirSync(workspace);
  const scenarios: Scenario[] = [
    {
      name: 'trusted workspace, env reaches the extension host -> exit 0',
      trusted: true,
      env: { DOCKER_PRUNE_FIXTURE_ECHO: 'echo-42', DOCKER_PRUNE_EXPECT_FOLDER: workspace, DOCKER_PRUNE_EXPECT_TRUSTED: '1' },
      expect: (c) => c === 0,
    },
    {
      name: 'untrusted workspace: Restricted Mode, trust-gated action skipped -> exit 0',
      trusted: false,
      env: { DOCKER_PRUNE_EXPECT_TRUSTED: '0' },
      expect: (c) => c === 0,
    },
    {
      name: 'a failing test -> non-zero exit',
      trusted: true,
      env: { DOCKER_PRUNE_FIXTURE_FAIL: '1' },
      expect: (c) => c !== 0,
      scratchRun: true,
    },
  ];
  let passed = 0;
  let failed = 0;
  try {
    for (const s of quick ? scenarios.slice(0, 1) : scenarios) {
      const t0 = Date.now();
      const code = await runVsCodeSuite({
        suite: FIXTURE_SUITE,
        extensionDevelopmentPath: FIXTURE_EXT,
        workspace,
        env: s.env,
        trusted: s.trusted,
        runDir: s.scratchRun ? tmp : undefined,
      });
      const ok = s.expect(code);
      if (ok) passed++;
      else failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${s.name} (exit ${code}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`harness: ${passed} passed, ${failed} failed`);
  return failed === 0;
}

if (require.main === module) {
  selfTest(process.argv.includes('--quick')).then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
