/** Where an image came from, in words (tree, plan view, confirmation): see core/source/imageSource.ts. */
import * as vscode from 'vscode';
import type { ImageSource } from '../../core/model';
import type { SourceCounts } from '../../core/source/imageSource';
import { bytesText, countText, plural } from '../l10n/format';

/** A short word for the tree's description and the plan view's column. */
export function sourceWord(source: ImageSource | undefined): string {
  switch (source?.kind) {
    case 'pulled':
      if (source.upstream === 'gone') return vscode.l10n.t('gone from {0}', source.registry ?? '?');
      return source.registry ? vscode.l10n.t('pulled from {0}', source.registry) : vscode.l10n.t('pulled');
    case 'built':
      return vscode.l10n.t('built here');
    case 'loaded':
      return vscode.l10n.t('loaded');
    default:
      return vscode.l10n.t('unknown');
  }
}

/** The tooltip's line: what getting it back costs, and what that rests on. */
export function sourceTooltip(source: ImageSource | undefined): string {
  const evidence = source?.evidence ?? '';
  switch (source?.kind) {
    case 'pulled':
      return vscode.l10n.t('Source: pulled from {0}: it can be pulled again ({1}).', source.registry ?? '?', evidence);
    case 'built':
      return vscode.l10n.t('Source: built here: getting it back means building it again from its sources ({0}).', evidence);
    case 'loaded':
      return vscode.l10n.t('Source: loaded (docker load or import): no registry has it, nothing brings it back ({0}).', evidence);
    default:
      return vscode.l10n.t('Source: unknown: nothing the engine or Docker Prune saw says where it came from.');
  }
}

/** `2 can be pulled again (1.1 GB), 3 were built here, 1 was loaded and cannot come back, 1 of unknown source`. */
export function sourcesSummary(c: SourceCounts): string {
  const parts: string[] = [];
  if (c.pulled.count) parts.push(vscode.l10n.t('{0} can be pulled again ({1})', countText(c.pulled.count), bytesText(c.pulled.bytes)));
  if (c.built.count)
    parts.push(
      plural(c.built.count, {
        one: vscode.l10n.t('{0} was built here', countText(c.built.count)),
        other: vscode.l10n.t('{0} were built here', countText(c.built.count)),
      }),
    );
  if (c.loaded.count)
    parts.push(
      plural(c.loaded.count, {
        one: vscode.l10n.t('{0} was loaded and cannot come back', countText(c.loaded.count)),
        other: vscode.l10n.t('{0} were loaded and cannot come back', countText(c.loaded.count)),
      }),
    );
  if (c.unknown.count) parts.push(vscode.l10n.t('{0} of unknown source', countText(c.unknown.count)));
  if (c.gone.count) parts.push(vscode.l10n.t('{0} no longer on their registry', countText(c.gone.count)));
  return parts.length ? parts.join(', ') : vscode.l10n.t('none');
}

/** The confirmation's warning naming the loaded images that would go. */
export function loadedWarningText(names: readonly string[]): string {
  return plural(names.length, {
    one: vscode.l10n.t(
      '{0} was loaded from an archive (docker load or import): no registry has it, and nothing brings it back once removed.',
      names.join(', '),
    ),
    other: vscode.l10n.t(
      '{0} were loaded from an archive (docker load or import): no registry has them, and nothing brings them back once removed.',
      names.join(', '),
    ),
  });
}
