/**
 * The shape checks of engine answers (answerShape.ts), the API version claim and impossible profiles
 * (engineProfile.ts): real engines' answers pass as they are; a wrong type, a missing id, a negative or absurd size
 * is refused with the field named, never mended.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { DockerEngine } from '../../src/core/engine/dockerEngine';
import { resolveEndpoint } from '../../src/core/engine/endpoint';
import { closeEndpoint } from '../../src/core/environments';
import { answerShape, AnswerShapeError, MAX_PLAUSIBLE_SIZE } from '../../src/core/engine/answerShape';
import { impossibleProfile, profileOf, unspokenApiVersion } from '../../src/core/engine/engineProfile';

/** As Docker 20.10 answers `/images/json?all=1` (one tagged image, one untagged parent). */
const DOCKER_IMAGES = [
  {
    Containers: -1,
    Created: 1700000000,
    Id: 'sha256:' + 'a'.repeat(64),
    Labels: { 'dp.tier': 'red' },
    ParentId: 'sha256:' + 'b'.repeat(64),
    RepoDigests: [],
    RepoTags: ['dp/alpha:1'],
    SharedSize: -1,
    Size: 1234,
    VirtualSize: 1234,
  },
  {
    Containers: -1,
    Created: 1690000000,
    Id: 'sha256:' + 'b'.repeat(64),
    Labels: null,
    ParentId: '',
    RepoDigests: null,
    RepoTags: null,
    SharedSize: -1,
    Size: 0,
    VirtualSize: 0,
  },
];

function refusal(fn: () => unknown): AnswerShapeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AnswerShapeError, String(e));
    return e;
  }
  throw new Error('expected a refusal');
}

describe('engine answers: shape checks', () => {
  it('real answers pass unchanged, and null lists are none', () => {
    assert.strictEqual(answerShape.imageList(DOCKER_IMAGES), DOCKER_IMAGES);
    assert.deepStrictEqual(answerShape.imageList(null), []);
    assert.deepStrictEqual(answerShape.containerList(null), []);
    const info = { ID: 'X:Y', Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], Name: 'h', DockerRootDir: '/var/lib/docker' };
    assert.strictEqual(answerShape.info(info), info);
    const version = {
      Version: '5.4.2',
      ApiVersion: '1.41',
      Components: [{ Name: 'Podman Engine', Version: '5.4.2', Details: {} }],
      Platform: { Name: 'linux/amd64' },
    };
    assert.strictEqual(answerShape.version(version), version);
    assert.deepStrictEqual(answerShape.pruneResponse(null), { ImagesDeleted: [], SpaceReclaimed: 0 });
    assert.deepStrictEqual(answerShape.deleteItems([{ Untagged: 'a:1' }, { Deleted: 'sha256:x' }]), [{ Untagged: 'a:1' }, { Deleted: 'sha256:x' }]);
    const df = { LayersSize: 10, Images: [{ Id: 'sha256:x', Size: 5, SharedSize: 0, Containers: 0 }], BuildCache: [{ ID: 'r1', Size: 3, ' Parents': null }] };
    assert.strictEqual(answerShape.systemDf(df), df);
  });

  it('names the field and what came: a string for a list, a missing or empty id, an object for a list', () => {
    assert.match(
      refusal(() => answerShape.imageList([DOCKER_IMAGES[0], { ...DOCKER_IMAGES[1], RepoTags: 'x:1' }])).message,
      /^\[1\]\.RepoTags should be a list, but is the string "x:1"$/,
    );
    assert.match(
      refusal(() => answerShape.imageList([{ ...DOCKER_IMAGES[0], Id: undefined }])).message,
      /^\[0\]\.Id should be an id \(a non-empty string\), but is missing$/,
    );
    assert.match(refusal(() => answerShape.imageList([{ ...DOCKER_IMAGES[0], Id: ' ' }])).message, /\[0\]\.Id should be an id/);
    assert.match(refusal(() => answerShape.imageList({ message: 'ok' })).message, /^the answer should be a list, but is an object$/);
    assert.match(refusal(() => answerShape.imageList([{ ...DOCKER_IMAGES[0], Labels: { a: 1 } }])).message, /^\[0\]\.Labels\.a should be a string, but is 1$/);
    assert.match(
      refusal(() => answerShape.containerList([{ Id: 'c1', Names: ['/a'], Image: 'busybox' }])).message,
      /^\[0\]\.ImageID should be a string, but is missing$/,
    );
    assert.match(refusal(() => answerShape.containerInspect({ Id: 'c1', Image: 7 })).message, /^Image should be a string, but is 7$/);
    assert.match(refusal(() => answerShape.info({ DriverStatus: 'overlay2' })).message, /^DriverStatus should be a list, but is the string "overlay2"$/);
    assert.match(refusal(() => answerShape.info([])).message, /^the answer should be an object, but is a list$/);
    assert.match(refusal(() => answerShape.version({ Version: '28.5.2' })).message, /^ApiVersion should be a string, but is missing$/);
    assert.match(refusal(() => answerShape.imageInspect({ Id: 'sha256:x', Size: 1, RootFS: { Layers: 'l1' } })).message, /^RootFS\.Layers should be a list/);
    // Podman's own inspect stands in for the compatible one: the same checks, and its config history's.
    assert.match(refusal(() => answerShape.libpodImageInspect({ Id: 'x', Size: -1 })).message, /^Size should be a size in bytes/);
    assert.match(
      refusal(() => answerShape.libpodImageInspect({ Id: 'x', Size: 1, Config: { Labels: { a: [] } } })).message,
      /^Config\.Labels\.a should be a string/,
    );
    assert.match(refusal(() => answerShape.libpodImageInspect({ Id: 'x', Size: 1, History: 'h' })).message, /^History should be a list/);
    assert.match(
      refusal(() => answerShape.libpodImageInspect({ Id: 'x', Size: 1, History: [{ created_by: 7 }] })).message,
      /^History\[0\]\.created_by should be a string/,
    );
    assert.match(
      refusal(() => answerShape.libpodImageInspect({ Id: 'x', Size: 1, History: [{ empty_layer: 'yes' }] })).message,
      /^History\[0\]\.empty_layer should be true or false/,
    );
    assert.doesNotThrow(() => answerShape.libpodImageInspect({ Id: 'x', Size: 1, Config: null, RootFS: { Type: 'layers', Layers: [] }, History: null }));
    // A config without a creation time (the OCI spec allows it): Podman's own inspect says null.
    assert.doesNotThrow(() => answerShape.libpodImageInspect({ Id: 'x', Size: 1, Created: null }));
    assert.match(
      refusal(() => answerShape.imageInspect({ Id: 'x', Size: 1, Metadata: { LastTagTime: 5 } })).message,
      /^Metadata\.LastTagTime should be a string/,
    );
    assert.match(
      refusal(() => answerShape.pruneResponse({ ImagesDeleted: [{ Deleted: 5 }], SpaceReclaimed: 0 })).message,
      /^ImagesDeleted\[0\]\.Deleted should be a string, but is 5$/,
    );
    assert.match(refusal(() => answerShape.deleteItems('gone')).message, /^the answer should be a list/);
    assert.match(refusal(() => answerShape.event({ Type: 'image' })).message, /^Action should be a string, but is missing$/);
  });

  it('a size is a whole number from 0 to a pebibyte: negative, fractional, absurd and unsafe sizes are refused, not clamped', () => {
    for (const bad of [-5, 1.5, MAX_PLAUSIBLE_SIZE + 1, 2 ** 60, Number.MAX_VALUE, '12']) {
      assert.match(
        refusal(() => answerShape.imageList([{ ...DOCKER_IMAGES[0], Size: bad }])).message,
        /^\[0\]\.Size should be a size in bytes \(0 to 1 PiB\)/,
        String(bad),
      );
    }
    assert.match(refusal(() => answerShape.systemDf({ LayersSize: -1 })).message, /^LayersSize should be a size/);
    assert.match(refusal(() => answerShape.buildPruneResponse({ CachesDeleted: [], SpaceReclaimed: -3 })).message, /^SpaceReclaimed should be a size/);
    // -1 is the engine's "not computed" for SharedSize and Containers in the image list, and only there.
    assert.strictEqual(answerShape.imageList([{ ...DOCKER_IMAGES[0], SharedSize: -1, Containers: -1 }]).length, 1);
    assert.match(refusal(() => answerShape.imageList([{ ...DOCKER_IMAGES[0], SharedSize: -2 }])).message, /^\[0\]\.SharedSize should be a size/);
    assert.strictEqual(answerShape.imageList([{ ...DOCKER_IMAGES[0], Size: MAX_PLAUSIBLE_SIZE }]).length, 1);
  });
});

describe('engine answers: the API version claim and impossible profiles', () => {
  it('speaks API 1.40 to 1.x; refuses other claims and a minimum above the maximum', () => {
    for (const ok of ['1.40', '1.41', '1.52', ' 1.99 ']) assert.strictEqual(unspokenApiVersion({ ApiVersion: ok }), undefined, ok);
    for (const bad of ['0.5', '1.39', '2.0', 'banana', '', '1.41.0', '1'])
      assert.match(
        unspokenApiVersion({ ApiVersion: bad })!,
        /claims Engine API version ".*", which Docker Prune does not speak \(it reads API 1\.40 to 1\.x/,
        bad,
      );
    assert.match(unspokenApiVersion({ ApiVersion: '1.41', MinAPIVersion: '1.44' })!, /with a minimum of 1\.44, above it/);
    assert.strictEqual(unspokenApiVersion({ ApiVersion: '1.52', MinAPIVersion: '1.24' }), undefined);
  });

  it('a containerd image store on a Docker older than 24 is impossible; on 28, or Podman, it is not', () => {
    const containerd = { Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] as Array<[string, string]>, ID: 'id' };
    assert.match(impossibleProfile(profileOf(containerd, { Version: '20.10.24+dfsg1', ApiVersion: '1.41' }))!, /which Docker 20\.10\.24\+dfsg1 does not have/);
    assert.strictEqual(impossibleProfile(profileOf(containerd, { Version: '28.5.2', ApiVersion: '1.51' })), undefined);
    assert.strictEqual(impossibleProfile(profileOf({ Driver: 'overlay2', ID: 'id' }, { Version: '20.10.24', ApiVersion: '1.41' })), undefined);
  });
});

describe('engine answers: a refused profile is not kept', () => {
  it('an API version claim refused once is asked again on the next call (a Retry after the engine is fixed works)', async () => {
    // A server on a unix socket stands in for an engine only to make the claim no real engine makes, then a real one.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dp-apiclaim-'));
    const socket = path.join(dir, 'engine.sock');
    let apiVersion = '0.5';
    const server = http.createServer((req, res) => {
      const body = req.url?.startsWith('/version') ? { Version: '28.5.2', ApiVersion: apiVersion } : { ID: 'engine-1', Driver: 'overlay2' };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(socket, r));
    const engine = new DockerEngine(resolveEndpoint({ host: `unix://${socket}` }));
    try {
      await assert.rejects(engine.profile(), /claims Engine API version "0\.5", which Docker Prune does not speak/);
      apiVersion = '1.51';
      assert.strictEqual((await engine.profile()).apiVersion, '1.51');
    } finally {
      closeEndpoint(engine.endpoint);
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
