/**
 * The status bar item: the bytes a prune would reclaim on the chosen environments (dangling or all unused,
 * per `dockerPrune.statusBar.mode`), a tooltip with one line per environment, and a click that opens
 * Preview Prune. It observes its environments, so it follows their event streams (debounced) rather than
 * polling. When no engine answers, it dims to a quiet icon (no warning colour, no notification) whose tooltip
 * says why; never a stale number.
 */
import * as vscode from 'vscode';
import { MESSAGE_MAX_CHARS } from '../../core/format/displayText';
import { bytesText } from '../l10n/format';
import { engineMarkdown } from '../markdown/engineMarkdown';
import { markdownLiteral } from '../markdown/markdownLiteral';
import type { PruneMode } from '../../core/model';
import type { EnvironmentRegistry } from '../environments/environmentRegistry';
import type { EnvironmentSession } from '../environments/environmentSession';
import { imageCount, modeTitle } from '../prune/describe';
import { standingText } from '../scheduler/watermarkStatus';
import { affects, Setting, statusBarEnabled, statusBarEnvironments, statusBarIncludesBuildCache, statusBarMode } from '../settings/settings';

const STATUS_BAR_ID = 'dockerPrune.reclaimable';

export class StatusBarController implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private observations = new Map<EnvironmentSession, vscode.Disposable>();
  private enabled = false;

  constructor(private readonly registry: EnvironmentRegistry) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('Docker Prune: reclaimable space');
    this.disposables.push(
      this.item,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          affects(
            e,
            Setting.StatusBarEnabled,
            Setting.StatusBarMode,
            Setting.StatusBarEnvironments,
            Setting.StatusBarIncludeBuildCache,
            Setting.Protect,
            Setting.KeepLatest,
          )
        )
          void this.reconfigure();
      }),
      registry.onDidChangeEnvironments(() => void this.reconfigure()),
      registry.onDidChangeSession((s) => {
        if (this.observations.has(s)) this.render();
      }),
    );
  }

  /** Shows and starts following the environments when the setting is on; hides and lets go otherwise. */
  async reconfigure(): Promise<void> {
    this.enabled = statusBarEnabled();
    if (!this.enabled) {
      this.release();
      this.item.hide();
      return;
    }
    const sessions = await this.chosen();
    const want = new Set(sessions);
    for (const [s, d] of this.observations) {
      if (!want.has(s)) {
        d.dispose();
        this.observations.delete(s);
      }
    }
    for (const s of sessions) if (!this.observations.has(s)) this.observations.set(s, s.observe());
    this.render();
    this.item.show();
  }

  private async chosen(): Promise<EnvironmentSession[]> {
    const all = await this.registry.list();
    const names = statusBarEnvironments();
    // By default only the engine the docker CLI uses: no connection to remote hosts at start-up.
    if (names.length === 0) {
      const def = await this.registry.defaultEnvironment();
      return def ? [def] : [];
    }
    return all.filter((s) => names.includes(s.id) || names.includes(s.name));
  }

  private render(): void {
    if (!this.enabled) return;
    const mode: PruneMode = statusBarMode();
    const withCache = statusBarIncludesBuildCache();
    const sessions = [...this.observations.keys()];
    let total = 0;
    let known = 0;
    let failed = 0;
    let pending = 0;
    const md = engineMarkdown();
    const what = withCache
      ? vscode.l10n.t('reclaimable by pruning {0} and the build cache', modeTitle(mode))
      : vscode.l10n.t('reclaimable by pruning {0}', modeTitle(mode));
    md.appendMarkdown(`**${vscode.l10n.t('Docker Prune')}** — ${what}\n\n`);
    for (const s of sessions) {
      const st = s.state;
      let line: string;
      if (st.kind === 'ready' && st.reclaim) {
        const plan = st.reclaim[mode];
        total += plan.spaceReclaimable;
        known++;
        line = vscode.l10n.t('{0}: {1} ({2})', markdownLiteral(s.name), bytesText(plan.spaceReclaimable), imageCount(plan.items.length));
        const cache = withCache ? s.buildCacheReclaimable() : undefined;
        if (cache) {
          total += cache;
          line += ' ' + vscode.l10n.t('+ {0} build cache', bytesText(cache));
        }
        if (st.reclaim.watermark) line += ` — ${markdownLiteral(standingText(st.reclaim.watermark), MESSAGE_MAX_CHARS)}`;
      } else if (st.kind === 'ready' && st.reclaimError) {
        failed++;
        line = vscode.l10n.t('{0}: unknown — {1}', markdownLiteral(s.name), markdownLiteral(st.reclaimError, MESSAGE_MAX_CHARS));
      } else if (st.kind === 'failed' || st.kind === 'invalid') {
        failed++;
        line = `$(debug-disconnect) ` + vscode.l10n.t('{0}: unreachable — {1}', markdownLiteral(s.name), markdownLiteral(st.message, MESSAGE_MAX_CHARS));
      } else {
        pending++;
        line = vscode.l10n.t('{0}: measuring…', markdownLiteral(s.name));
      }
      md.appendMarkdown(`- ${line}\n`);
    }
    const noDefault = sessions.length === 0 && statusBarEnvironments().length === 0 ? this.registry.defaultProblem : undefined;
    if (noDefault)
      md.appendMarkdown(
        `- $(warning) ${vscode.l10n.t('The engine the docker CLI uses cannot be found: {0}', markdownLiteral(noDefault.message, MESSAGE_MAX_CHARS))}\n`,
      );
    md.appendMarkdown(`\n${vscode.l10n.t('Click to preview the prune.')}`);

    // No engine answers (a dev container without a socket, a stopped Docker Desktop): stay quiet. The item dims
    // to an icon and the tooltip says why; no warning colour, no notification, in however many windows.
    const quiet = sessions.length === 0 || (failed > 0 && known === 0 && pending === 0);
    if (quiet) {
      this.item.text = '$(debug-disconnect)';
    } else if (known > 0) {
      this.item.text = `$(trash) ${bytesText(total)}${failed > 0 ? ' $(warning)' : ''}`;
    } else {
      this.item.text = `$(sync~spin) ${vscode.l10n.t('Docker')}`;
    }
    this.item.color = quiet ? new vscode.ThemeColor('disabledForeground') : undefined;
    this.item.tooltip = md;
    this.item.accessibilityInformation = {
      label:
        known > 0
          ? vscode.l10n.t('Docker Prune: {0} reclaimable', bytesText(total))
          : quiet
            ? vscode.l10n.t('Docker Prune: no engine answers')
            : vscode.l10n.t('Docker Prune'),
    };
    this.item.command = { command: 'dockerPrune.preview', title: vscode.l10n.t('Preview Prune'), arguments: [{ mode }] };
  }

  private release(): void {
    for (const d of this.observations.values()) d.dispose();
    this.observations.clear();
  }

  dispose(): void {
    this.release();
    for (const d of this.disposables) d.dispose();
  }
}
