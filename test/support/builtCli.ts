/**
 * The built CLI (`node dist/cli.js`) as cron runs it, for the tests of policies kept on disk: one process per run,
 * a home of the test's own (state folder and audit file inside it), the engine by DOCKER_HOST.
 */
import * as assert from 'assert';
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** What the last-use file of an engine holds (src/core/lastUsed/lastUseFile.ts). */
export interface StoredLastUse {
  coveredSince?: string;
  images: Record<string, { at: string; source: string }>;
}

export interface BuiltCli {
  /** Runs `docker-prune args…`; fails the test unless it exits 0. */
  run(args: string[]): SpawnSyncReturns<string>;
  /** Runs `docker-prune args…` whatever its exit status. */
  spawn(args: string[]): SpawnSyncReturns<string>;
  /** `plan --all --json` with these filters: the ids of the images it would remove, sorted. */
  planIds(...filters: string[]): string[];
  /** The one last-use file in the home's state folder. */
  storedLastUse(): StoredLastUse;
  readonly auditFile: string;
}

export function builtCli(home: string, dockerHost: () => string): BuiltCli {
  const auditFile = path.join(home, 'audit.jsonl');
  const spawn = (args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: path.join(home, 'state'), DOCKER_HOST: dockerHost(), DOCKER_PRUNE_AUDIT_FILE: auditFile },
      timeout: 120_000,
    });
  const run = (args: string[]) => {
    const r = spawn(args);
    assert.strictEqual(r.status, 0, `docker-prune ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  return {
    run,
    spawn,
    auditFile,
    planIds: (...filters) =>
      (JSON.parse(run(['plan', '--all', '--json', ...filters.flatMap((f) => ['--filter', f])]).stdout) as { images: Array<{ id: string }> }).images.map((i) => i.id).sort(),
    storedLastUse: () => {
      const dir = path.join(home, 'state', 'docker-prune', 'last-used');
      const files = fs.readdirSync(dir);
      assert.strictEqual(files.length, 1, `one file for the one engine: ${files.join(', ')}`);
      return JSON.parse(fs.readFileSync(path.join(dir, files[0]!), 'utf8')) as StoredLastUse;
    },
  };
}
