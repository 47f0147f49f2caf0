/**
 * On request only (`--check-registry`): asks the engine whether each pulled image's manifest is still on its
 * registry (`GET /distribution/{repo@digest}/json`, with the engine's own credentials). An image whose manifest was
 * deleted upstream can no longer be pulled as it is.
 */
import { forEachConcurrently } from '../concurrency';
import type { DockerEngine } from '../engine/dockerEngine';
import { errorMessage } from '../errors';
import type { ImageSource } from '../model';

/** The sources of `ids`, with `upstream` set on each pulled one that names a digest reference. */
export async function checkRegistries(
  engine: DockerEngine,
  ids: readonly string[],
  sources: ReadonlyMap<string, ImageSource>,
  concurrency = 4,
): Promise<Map<string, ImageSource>> {
  const out = new Map(sources);
  const pulled = [...new Set(ids)].filter((id) => sources.get(id)?.kind === 'pulled' && sources.get(id)?.reference);
  await forEachConcurrently(pulled, concurrency, async (id) => {
    const source = sources.get(id)!;
    try {
      const found = await engine.distributionInspect(source.reference!);
      const digest = source.reference!.slice(source.reference!.indexOf('@') + 1);
      // Asked by digest, a registry answers with that digest; anything else would mean it is not the same image.
      out.set(
        id,
        found.Descriptor?.digest === digest
          ? { ...source, upstream: 'present' }
          : { ...source, upstream: 'gone', upstreamMessage: `the registry answers with ${found.Descriptor?.digest}` },
      );
    } catch (e) {
      const status = (e as { details?: { status?: number } }).details?.status;
      out.set(
        id,
        status === 404
          ? { ...source, upstream: 'gone', upstreamMessage: 'manifest unknown' }
          : { ...source, upstream: 'unreachable', upstreamMessage: errorMessage(e) },
      );
    }
  });
  return out;
}
