/**
 * The extension's part in the soak (test/integration/soak/soak.test.ts starts this suite in a real extension host
 * beside its churn and CLI pruners): auto-prune on the default engine at the shortest interval, from the workspace
 * settings the soak writes, until the soak says stop (a `stop` file in DP_SOAK_DIR). Then auto-prune is turned off,
 * the run under way (if any) is waited for, and `stopped` is written. The soak checks the prunes themselves from the
 * engine's event stream and the shared audit file; here only that auto-prune ran and stopped cleanly.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { api, readAudit, setSetting, waitFor } from '../lib/host';

const dir = process.env.DP_SOAK_DIR ?? '';
const limitMs = Number(process.env.DOCKER_PRUNE_MOCHA_TIMEOUT ?? 600_000);

describe('Soak: auto-prune at short intervals until the soak ends', function () {
  this.timeout(limitMs);

  it('auto-prunes the default engine until told to stop, then stops after the run under way', async () => {
    assert.ok(dir && fs.existsSync(dir), 'DP_SOAK_DIR is set by the soak');
    const testing = await api();
    await waitFor('auto-prune to be scheduled', () => testing.scheduler.state === 'scheduled' || testing.scheduler.state === 'running', 60_000, 200);
    fs.writeFileSync(path.join(dir, 'ready'), String(process.pid));
    await waitFor('the soak to end', () => fs.existsSync(path.join(dir, 'stop')), limitMs - 60_000, 500);
    await setSetting('autoPrune.enabled', false);
    // A run under way goes on after the setting changes: tick() hands back that run (and starts none when off).
    await testing.scheduler.tick();
    const runs = readAudit(testing.auditFile()).filter((r) => r.trigger === 'auto');
    fs.writeFileSync(path.join(dir, 'stopped'), String(runs.length));
    assert.ok(runs.length > 0, 'auto-prune ran during the soak');
  });
});
