/**
 * The built CLI (`node dist/cli.js`) as cron runs it, for the tests of policies kept on disk: one process per run,
 * a home of the test's own (state folder and audit file inside it), the engine by DOCKER_HOST.
 */
import * as assert from 'assert';
import { spawn, spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** What the last-use file of an engine holds (src/core/lastUsed/lastUseFile.ts). */
export interface StoredLastUse {
  coveredSince?: string;
  images: Record<string, { at: string; source: string }>;
}

/** How one CLI process ended (`start`). */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BuiltCliOptions {
  /**
   * Leave the audit file to the CLI's default (`$XDG_STATE_HOME/docker-prune/audit.jsonl`, the file the extension
   * shares) instead of setting DOCKER_PRUNE_AUDIT_FILE to `<home>/audit.jsonl`.
   */
  readonly defaultAuditFile?: boolean;
  /** More environment for every run (e.g. the XDG_RUNTIME_DIR an extension host beside it has, to share its locks). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface BuiltCli {
  /** Runs `docker-prune args…`; fails the test unless it exits 0. */
  run(args: string[]): SpawnSyncReturns<string>;
  /** Starts `docker-prune args…` without waiting (several can run at once); resolves when it exits, whatever its status. */
  start(args: string[]): Promise<CliRun>;
  /** Runs `docker-prune args…` whatever its exit status. */
  tryRun(args: string[]): SpawnSyncReturns<string>;
  /** `plan --all --json` with these filters: the ids of the images it would remove, sorted. */
  planIds(...filters: string[]): string[];
  /** The one last-use file in the home's state folder. */
  storedLastUse(): StoredLastUse;
  readonly auditFile: string;
}

export function builtCli(home: string, dockerHost: () => string, options: BuiltCliOptions = {}): BuiltCli {
  const stateHome = path.join(home, 'state');
  const auditFile = options.defaultAuditFile ? path.join(stateHome, 'docker-prune', 'audit.jsonl') : path.join(home, 'audit.jsonl');
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: home,
    XDG_STATE_HOME: stateHome,
    DOCKER_HOST: dockerHost(),
    ...(options.defaultAuditFile ? {} : { DOCKER_PRUNE_AUDIT_FILE: auditFile }),
    ...options.env,
  });
  const tryRun = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: env(), timeout: 120_000 });
  const run = (args: string[]) => {
    const r = tryRun(args);
    assert.strictEqual(r.status, 0, `docker-prune ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const start = (args: string[]) =>
    new Promise<CliRun>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (e) => (stderr += String(e)));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  return {
    run,
    start,
    tryRun,
    auditFile,
    planIds: (...filters) =>
      (JSON.parse(run(['plan', '--all', '--json', ...filters.flatMap((f) => ['--filter', f])]).stdout) as { images: Array<{ id: string }> }).images
        .map((i) => i.id)
        .sort(),
    storedLastUse: () => {
      const dir = path.join(home, 'state', 'docker-prune', 'last-used');
      const files = fs.readdirSync(dir);
      assert.strictEqual(files.length, 1, `one file for the one engine: ${files.join(', ')}`);
      return JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8')) as StoredLastUse;
    },
  };
}

/** A finished run of the built CLI, with its peak memory. */
export interface MeasuredRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The CLI process's maximum resident set, in bytes (process.resourceUsage at exit). */
  maxRssBytes: number;
}

/**
 * Runs `docker-prune args…` without blocking this process (a proxy the test serves keeps answering), and measures
 * its peak memory: a preloaded hook writes `process.resourceUsage().maxRSS` when it exits.
 */
export function runBuiltCli(args: string[], env: NodeJS.ProcessEnv, workDir: string): Promise<MeasuredRun> {
  const hook = path.join(workDir, 'max-rss-hook.js');
  const rssFile = path.join(workDir, `max-rss-${process.hrtime.bigint()}.txt`);
  fs.writeFileSync(
    hook,
    "process.on('exit', () => require('fs').writeFileSync(process.env.DP_MAX_RSS_FILE, String(process.resourceUsage().maxRSS * 1024)));\n",
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', hook, CLI, ...args], {
      env: { PATH: process.env.PATH, ...env, DP_MAX_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => {
      const maxRssBytes = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : NaN;
      fs.rmSync(rssFile, { force: true });
      resolve({ status, stdout, stderr, maxRssBytes });
    });
  });
}
