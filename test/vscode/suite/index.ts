/**
 * Mocha runner loaded inside the VS Code extension host (the `extensionTestsPath`).
 *
 * run() REJECTS when a test fails: that is what turns into a non-zero exit code. (Calling process.exit
 * in the extension host is reported as 0 by the web workbench.)
 *
 * Test files: every `*.test.js` under this folder (recursively), or under DOCKER_PRUNE_SUITE_DIR.
 * DOCKER_PRUNE_MOCHA_GREP filters tests by name; DOCKER_PRUNE_MOCHA_TIMEOUT sets the per-test timeout.
 * Discovery uses fs.readdirSync, so no glob dependency.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import type MochaType = require('mocha');
import { EXT_HOST_MARK } from '../harness/mark';

/** mocha 12 is an ES module; its CommonJS build loads in any extension host Node (desktop's too). */
function loadMocha(): typeof MochaType {
  try {
    return require('mocha/lib/mocha.cjs') as typeof MochaType;
  } catch {
    const m = require('mocha') as { default?: typeof MochaType } & typeof MochaType;
    return m.default ?? m;
  }
}

export function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

/**
 * Mocha's reporters print through Base.consoleLog. Prefixing those lines with EXT_HOST_MARK lets the
 * code-server launcher tell the suite's report from the workbench's chatter (both reach the page on the
 * same log channel at the same level). Harmless on desktop VS Code. (console.* itself cannot be wrapped:
 * the extension host makes those properties read-only.)
 */
function markReporterOutput(Mocha: typeof MochaType): void {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void; __dpMarked?: boolean };
  if (base.__dpMarked) return;
  base.__dpMarked = true;
  const log = console.log.bind(console);
  base.consoleLog = (...args: unknown[]) => log(EXT_HOST_MARK + util.format(...args));
}

/** Runs every *.test.js under `dir`; rejects with the number of failures. */
export function runMochaIn(dir: string): Promise<void> {
  const Mocha = loadMocha();
  markReporterOutput(Mocha);
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: Number(process.env.DOCKER_PRUNE_MOCHA_TIMEOUT) || 30_000,
    grep: process.env.DOCKER_PRUNE_MOCHA_GREP || undefined,
  });
  const files = findTestFiles(dir);
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js under ${dir}`));
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (e) {
      reject(e);
    }
  });
}

export function run(): Promise<void> {
  return runMochaIn(process.env.DOCKER_PRUNE_SUITE_DIR ? path.resolve(process.env.DOCKER_PRUNE_SUITE_DIR) : __dirname);
}
