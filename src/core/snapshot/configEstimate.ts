import type { ApiHistoryItem, ApiImageInspect } from '../engine/apiTypes';
import { formatRfc3339Utc } from '../filters';

/**
 * The size of an image's config blob, rebuilt from what inspect and history show (the containerd store does not
 * give the blob itself). The config is JSON with the platform, the created time, the runtime config, the layers'
 * diff ids and one history entry per build step; rebuilt compactly it comes within tens of bytes of the real one.
 */
export function configSizeEstimate(inspect: ApiImageInspect, history: readonly ApiHistoryItem[]): number {
  const runtime: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inspect.Config ?? {})) {
    // Image configs leave out empty fields (Go's omitempty); older APIs show them all, as false, "" or null.
    if (
      v === null ||
      v === '' ||
      v === false ||
      v === 0 ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && v !== null && Object.keys(v).length === 0)
    )
      continue;
    runtime[k] = v;
  }
  const config: Record<string, unknown> = { architecture: inspect.Architecture ?? '', os: inspect.Os ?? '', created: inspect.Created };
  if (Object.keys(runtime).length > 0) config.config = runtime;
  config.rootfs = { type: 'layers', diff_ids: inspect.RootFS?.Layers ?? [] };
  config.history = [...history].reverse().map((h) => {
    const entry: Record<string, unknown> = { created: formatRfc3339Utc(BigInt(h.Created) * 1_000_000_000n) ?? '' };
    if (h.CreatedBy) entry.created_by = h.CreatedBy;
    if (h.Comment) entry.comment = h.Comment;
    return entry;
  });
  return Buffer.byteLength(JSON.stringify(config));
}
