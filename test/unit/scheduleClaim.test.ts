import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { claimScheduledRun, finishScheduledRun, readClaim, scheduleClaimPath } from '../../src/core/schedule/scheduleClaim';

describe('auto-prune schedule claims (one schedule per engine across windows)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-claim-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const claim = (owner: string, now: number, engineKey = 'engine:docker:A') => claimScheduledRun({ dir, engineKey, owner, intervalMs: 60_000, now });

  it('the first window claims; another window within the interval is told who ran it', () => {
    assert.deepStrictEqual(claim('w1', 1_000_000), { claimed: true });
    const second = claim('w2', 1_030_000);
    assert.strictEqual(second.claimed, false);
    assert.deepStrictEqual(second.claimed === false && [second.holder.by, second.holder.at, second.holder.pid], ['w1', 1_000_000, process.pid]);
  });

  it('while the claimant runs (its process alive) nobody else runs, however long it takes; the interval counts from its end', () => {
    claim('w1', 1_000_000);
    assert.strictEqual(claim('w2', 5_000_000).claimed, false, 'running for over an hour: still its run');
    finishScheduledRun({ dir, engineKey: 'engine:docker:A', owner: 'w1', now: 5_000_000 });
    assert.strictEqual(claim('w2', 5_059_999).claimed, false);
    assert.deepStrictEqual(claim('w2', 5_060_000), { claimed: true });
  });

  it('a run whose process is gone does not block past the interval', () => {
    fs.writeFileSync(
      scheduleClaimPath(dir, 'engine:docker:A'),
      JSON.stringify({ at: 1_000_000, by: 'w1', pid: 999_999_999, running: true, process: { pid: 999_999_999, host: os.hostname() } }),
    );
    assert.deepStrictEqual(claim('w2', 1_060_000), { claimed: true });
  });

  it('the holder claims again each interval; after an interval without it another window takes over', () => {
    claim('w1', 1_000_000);
    finishScheduledRun({ dir, engineKey: 'engine:docker:A', owner: 'w1', now: 1_000_000 });
    assert.deepStrictEqual(claim('w1', 1_010_000), { claimed: true }, 'its own claim does not stop it');
    finishScheduledRun({ dir, engineKey: 'engine:docker:A', owner: 'w1', now: 1_010_000 });
    assert.strictEqual(claim('w2', 1_069_999).claimed, false);
    assert.deepStrictEqual(claim('w2', 1_070_000), { claimed: true }, 'w1 is gone: an interval after its last run w2 runs it');
    assert.strictEqual(readClaim(scheduleClaimPath(dir, 'engine:docker:A'))?.by, 'w2');
  });

  it('engines are claimed separately; a torn claim file is set aside and read as none; a claim from the future does not block', () => {
    claim('w1', 1_000_000, 'engine:docker:A');
    finishScheduledRun({ dir, engineKey: 'engine:docker:A', owner: 'w1', now: 1_000_000 });
    assert.deepStrictEqual(claim('w2', 1_000_001, 'engine:docker:B'), { claimed: true });
    fs.writeFileSync(scheduleClaimPath(dir, 'engine:docker:A'), '{"at":');
    const torn = claim('w2', 1_000_002);
    assert.ok(torn.claimed && torn.problem?.includes('is damaged'), JSON.stringify(torn));
    fs.writeFileSync(scheduleClaimPath(dir, 'engine:docker:A'), JSON.stringify({ at: 9_000_000, by: 'w3', pid: 1 }));
    assert.deepStrictEqual(claim('w2', 1_000_003), { claimed: true }, 'a clock set back must not stop the schedule for good');
  });

  it('a claim being written by another window counts as taken (its lock is held)', () => {
    fs.writeFileSync(`${scheduleClaimPath(dir, 'engine:docker:A')}.lock`, JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: 'x' }));
    const r = claim('w2', 1_000_000);
    assert.strictEqual(r.claimed, false);
  });
});
