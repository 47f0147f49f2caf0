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

  it('sets a corrupt file aside instead of failing', () => {
    const store = new FileImageDetailsStore(dir);
    store.save('E2', new Map([['sha256:x', details]]));
    const file = fs.readdirSync(dir).find((f) => f.includes('E2'))!;
    fs.writeFileSync(path.join(dir, file), '{"format":1,"images":{"sha');
    assert.strictEqual(store.load('E2').size, 0);
  });

  it('a format-1 cache (before containerd content sizes) is read as empty, quietly, and rewritten as format 3', () => {
    const warnings: string[] = [];
    const store = new FileImageDetailsStore(dir, (m) => warnings.push(m));
    store.save('OLD', new Map());
    const file = path.join(
      dir,
      fs.readdirSync(dir).find((f) => f.includes('OLD'))!,
    );
    fs.writeFileSync(file, JSON.stringify({ format: 1, images: { 'sha256:x': { ...details, createdNs: '1' } } }));
    assert.strictEqual(store.load('OLD').size, 0);
    store.save('OLD', new Map([['sha256:x', details]]));
    assert.deepStrictEqual([warnings, (JSON.parse(fs.readFileSync(file, 'utf8')) as { format: number }).format], [[], 3]);
    assert.deepStrictEqual(
      fs.readdirSync(dir).filter((f) => f.includes('OLD') && f.includes('corrupt')),
      [],
    );
  });

  it("keeps Podman's facts (history keys, layer bytes or null) and drops a shape it does not know, so that image is read again", () => {
    const store = new FileImageDetailsStore(dir);
    const podman5: ImageDetails = { ...details, podman: { historyKey: 'h', parentHistoryKey: 'p', layerSizes: [5] } };
    const unmatched: ImageDetails = { ...details, podman: { historyKey: 'h2', layerSizes: null } };
    store.save(
      'PODMAN',
      new Map([
        ['sha256:x', podman5],
        ['sha256:y', unmatched],
      ]),
    );
    const loaded = store.load('PODMAN');
    assert.deepStrictEqual([loaded.get('sha256:x'), loaded.get('sha256:y')], [podman5, unmatched]);
    const file = path.join(
      dir,
      fs.readdirSync(dir).find((f) => f.includes('PODMAN'))!,
    );
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as { images: Record<string, { podman: unknown }> };
    written.images['sha256:x']!.podman = { historyKey: 7 };
    written.images['sha256:y']!.podman = { historyKey: 'h2', layerSizes: ['5'] };
    fs.writeFileSync(file, JSON.stringify(written));
    const reread = store.load('PODMAN');
    assert.deepStrictEqual([reread.get('sha256:x'), reread.get('sha256:y')], [details, details]);
  });
});
