import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileImageDetailsStore, type ImageDetails } from '../../src/core/snapshot/detailsCache';

describe('image details store', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-cache-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const details: ImageDetails = { parentId: '', createdNs: 1_700_000_000_123_456_789n, labels: null, chain: ['sha256:a'], sizes: [5], exact: true };

  it('round-trips details per engine, nanoseconds and null labels included', () => {
    const store = new FileImageDetailsStore(dir);
    store.save('ENGINE:1', new Map([['sha256:x', details]]));
    assert.deepStrictEqual(store.load('ENGINE:1').get('sha256:x'), details);
    assert.strictEqual(store.load('other').size, 0);
  });

  it('ignores a corrupt file instead of failing', () => {
    const store = new FileImageDetailsStore(dir);
    store.save('E2', new Map([['sha256:x', details]]));
    const file = fs.readdirSync(dir).find((f) => f.includes('E2'))!;
    fs.writeFileSync(path.join(dir, file), '{"format":1,"images":{"sha');
    assert.strictEqual(store.load('E2').size, 0);
  });
});
