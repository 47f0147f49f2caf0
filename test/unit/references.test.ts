import * as assert from 'assert';
import { compileImageProtection, compileProtectPatterns } from '../../src/core/plan/protectPatterns';
import { isSingleReference, normalizedRef, repositoryOf, sortRefs, tagOf } from '../../src/core/plan/references';
import { chainIds } from '../../src/core/snapshot/chainIds';
import { layerSizesFromHistory, EMPTY_LAYER_DIFF_ID } from '../../src/core/snapshot/layerSizes';
import { parseEngineTime } from '../../src/core/snapshot/engineTime';
import { formatBytes } from '../../src/core/format/units';
import type { ApiHistoryItem } from '../../src/core/engine/apiTypes';

const digest = 'sha256:' + 'b'.repeat(64);

describe('references', () => {
  it('splits repository and tag, registry ports included', () => {
    assert.strictEqual(repositoryOf('localhost:5000/app:1'), 'localhost:5000/app');
    assert.strictEqual(tagOf('localhost:5000/app:1'), '1');
    assert.strictEqual(repositoryOf('localhost:5000/app'), 'localhost:5000/app');
    assert.strictEqual(repositoryOf(`app@${digest}`), 'app');
    assert.strictEqual(normalizedRef('app:1'), 'docker.io/library/app:1');
    assert.strictEqual(normalizedRef('team/app:1'), 'docker.io/team/app:1');
    assert.strictEqual(normalizedRef('ghcr.io/x/app:1'), 'ghcr.io/x/app:1');
  });

  it('sorts like the engine: lexically on the normalized reference', () => {
    assert.deepStrictEqual(sortRefs(['zeta:1', 'ghcr.io/a:1', 'alpha/x:1']), ['alpha/x:1', 'zeta:1', 'ghcr.io/a:1']);
  });

  it('isSingleReference follows moby', () => {
    assert.strictEqual(isSingleReference([]), false);
    assert.strictEqual(isSingleReference(['a:1']), true);
    assert.strictEqual(isSingleReference(['a:1', 'a:2']), false);
    assert.strictEqual(isSingleReference(['a:1', `a@${digest}`]), true);
    assert.strictEqual(isSingleReference(['a:1', `b@${digest}`]), false);
    assert.strictEqual(isSingleReference([`a@${digest}`, `a@sha256:${'c'.repeat(64)}`]), true);
  });
});

describe('protect patterns', () => {
  it('match repo:tag globs, and bare repositories match every tag', () => {
    const m = compileProtectPatterns(['postgres:*', 'team/**', 'redis', 'app:1.?']);
    assert.ok(m('postgres:16'));
    assert.ok(!m('postgresql:16'));
    assert.ok(m('team/a/b:latest'));
    assert.ok(m('redis:7'));
    assert.ok(m('app:1.2'));
    assert.ok(!m('app:1.22'));
    assert.ok(!m('other:1'));
  });
  it('see every form of a reference: familiar, full, library/, and digest references', () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    for (const pattern of ['postgres:*', 'docker.io/library/postgres:*', 'library/postgres:*', 'postgres', `postgres@${digest}`]) {
      const protects = compileImageProtection([pattern]);
      assert.ok(protects({ repoTags: ['postgres:16'], repoDigests: [`postgres@${digest}`] }), pattern);
      assert.ok(protects({ repoTags: [], repoDigests: [`postgres@${digest}`] }) || pattern.includes(':*'), `${pattern} (digest only)`);
      assert.ok(!protects({ repoTags: ['postgresql:16'], repoDigests: [] }), `${pattern} vs postgresql`);
    }
    const full = compileProtectPatterns(['docker.io/team/**']);
    assert.ok(full('team/app:1') && full('docker.io/team/a/b:2') && !full('ghcr.io/team/app:1'));
    assert.ok(compileProtectPatterns(['**'])('ghcr.io/x/y:1'));
    assert.ok(compileProtectPatterns(['ghcr.io/acme/*'])('ghcr.io/acme/api:2'));
  });
  it('reject empty and spaced patterns', () => {
    assert.throws(() => compileProtectPatterns(['']), /Empty protect pattern/);
    assert.throws(() => compileProtectPatterns(['a b']), /may not contain spaces/);
  });
});

describe('layer sizes and chain ids', () => {
  const h = (sizes: number[]): ApiHistoryItem[] =>
    sizes.map((Size) => ({ Id: '<missing>', Created: 0, CreatedBy: '', Tags: null, Size, Comment: '' })).reverse();

  it('chain ids follow the layer store rule', () => {
    const d1 = 'sha256:' + '1'.repeat(64);
    const d2 = 'sha256:' + '2'.repeat(64);
    const [c1, c2] = chainIds([d1, d2]);
    assert.strictEqual(c1, d1);
    assert.match(c2, /^sha256:[0-9a-f]{64}$/);
    assert.notStrictEqual(c2, d2);
  });

  it('maps history one to one, skipping empty steps when needed', () => {
    const diffs = ['sha256:a', 'sha256:b'];
    assert.deepStrictEqual(layerSizesFromHistory(diffs, h([10, 20]), 30), { sizes: [10, 20], exact: true });
    assert.deepStrictEqual(layerSizesFromHistory(diffs, h([10, 0, 20, 0]), 30), { sizes: [10, 20], exact: true });
    assert.deepStrictEqual(layerSizesFromHistory(['sha256:a', EMPTY_LAYER_DIFF_ID, 'sha256:b'], h([10, 0, 0, 20]), 30), {
      sizes: [10, 0, 20],
      exact: true,
    });
  });

  it('falls back to the top layers, marked inexact, without history', () => {
    assert.deepStrictEqual(layerSizesFromHistory(['sha256:a', 'sha256:b'], [], 30), { sizes: [0, 30], exact: false });
  });

  it('parses engine times with nanoseconds', () => {
    assert.strictEqual(parseEngineTime('1970-01-01T00:00:01.000000002Z'), 1_000_000_002n);
    assert.strictEqual(parseEngineTime('1970-01-01T01:00:01+01:00'), 1_000_000_000n);
    assert.strictEqual(parseEngineTime('nonsense'), undefined);
  });

  it('formats bytes the way people read disk sizes', () => {
    assert.strictEqual(formatBytes(0), '0 B');
    assert.strictEqual(formatBytes(999), '999 B');
    assert.strictEqual(formatBytes(1_400_000_000), '1.4 GB');
    assert.strictEqual(formatBytes(524_288_000), '524 MB');
    assert.strictEqual(formatBytes(999_999), '1 MB');
  });
});
