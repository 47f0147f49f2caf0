/**
 * What stopped containers keep, in the real extension host: an unused image gets a container that runs, writes a
 * file and exits. Its tooltip (resolved on hover) then says that only that stopped container keeps it, with what the
 * engine says of the container — when it exited, its exit code, its own bytes — and that Prune All Unused would
 * remove the image without it. A running container's image says nothing of the kind.
 */
import * as assert from 'assert';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { GroupNode, ImageNode } from '../../../../src/vscode/tree/nodes';
import type { Node } from '../../../../src/vscode/tree/treeNode';
import { apiJson, apiRequest } from '../../../support/dockerd';
import type { LoadedPopulation } from '../../../support/population';
import { freshDefaultSession, settled, socket, tooltipText, treeChildren, treeItem } from '../lib/host';
import { expectedGroups } from '../lib/population';

describe('Stopped containers that keep images', () => {
  let session: EnvironmentSession;
  let loaded: LoadedPopulation;
  let containerId: string | undefined;
  const expected = expectedGroups();

  before(async () => {
    ({ session, loaded } = await freshDefaultSession());
  });
  after(async () => {
    if (containerId) await apiRequest(socket(), 'DELETE', `/containers/${containerId}?force=1`);
    await session.refresh('test');
  });

  async function imageItem(id: string) {
    const env = (await treeChildren()).find((n): n is Node => n.kind === 'environment' && n.session === session)!;
    for (const g of (await treeChildren(env)) as GroupNode[]) {
      const node = ((await treeChildren(g)) as ImageNode[]).find((n) => n.image.id === id);
      if (node) return treeItem(node);
    }
    return assert.fail(`image ${id} in the tree`);
  }

  it('an image only a stopped container keeps says so on hover, with the container as the engine describes it', async () => {
    const image = loaded.population.images.find((g) => g.runnable && g.tags.length > 0 && expected.unused.has(loaded.imageIds.get(g.name)!))!;
    const id = loaded.imageIds.get(image.name)!;
    const created = await apiJson<{ Id: string }>(socket(), 'POST', '/containers/create?name=dp-vscode-stopped', {
      Image: id,
      Cmd: ['/bin/busybox', 'sh', '-c', 'echo kept > /kept.txt'],
      HostConfig: { NetworkMode: 'none' },
    });
    containerId = created.Id;
    await apiJson(socket(), 'POST', `/containers/${created.Id}/start`);
    await apiJson(socket(), 'POST', `/containers/${created.Id}/wait`);
    const { SizeRw } = await apiJson<{ SizeRw: number }>(socket(), 'GET', `/containers/${created.Id}/json?size=1`);
    assert.ok(SizeRw > 0);
    await session.refresh('test');
    await settled(session);

    const text = tooltipText(await imageItem(id));
    assert.match(text, /Prune All Unused: keeps it \(used by a container\)/);
    const bytes = `${SizeRw} B`;
    assert.ok(
      text.includes(`Kept only by stopped containers: dp-vscode-stopped (exited `) &&
        text.includes(`exit code 0, ${bytes} of its own). Without them, Prune All Unused would remove it.`),
      text,
    );

    const running = [...expected.inUse].find((i) => loaded.containers.some((c) => c.imageId === i && c.state === 'running'))!;
    assert.doesNotMatch(tooltipText(await imageItem(running)), /Kept only by stopped containers/);
  });
});
