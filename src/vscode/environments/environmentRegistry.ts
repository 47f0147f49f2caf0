/**
 * The environments the user has (core discovery: the default engine, Docker contexts, configured hosts,
 * Podman…), each with one EnvironmentSession kept for as long as its descriptor stays the same.
 * Re-discovers when the environments setting changes.
 */
import * as vscode from 'vscode';
import { discoverEnvironments, type EnvironmentDescriptor } from '../../core/environments';
import { errorMessage } from '../../core/errors';
import type { ImageDetailsStore } from '../../core/snapshot/detailsCache';
import { affects, configuredEnvironments, Setting } from '../settings/settings';
import { EnvironmentSession, type SessionLog } from './environmentSession';

export interface DiscoveryProblem {
  readonly source: string;
  readonly message: string;
}

export class EnvironmentRegistry implements vscode.Disposable {
  private sessions: EnvironmentSession[] = [];
  private problemList: DiscoveryProblem[] = [];
  private currentProblem: DiscoveryProblem | undefined;
  private discovering: Promise<void> | undefined;
  private discovered = false;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly sessionChanged = new vscode.EventEmitter<EnvironmentSession>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sessionSubscriptions = new Map<EnvironmentSession, vscode.Disposable>();
  /** The list of environments changed. */
  readonly onDidChangeEnvironments = this.changed.event;
  /** One environment's state changed. */
  readonly onDidChangeSession = this.sessionChanged.event;

  constructor(
    private readonly log: SessionLog,
    private readonly detailsStore?: ImageDetailsStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.Environments)) void this.rediscover();
        else if (affects(e, Setting.Protect, Setting.KeepLatest, Setting.AutoPruneHighWatermark, Setting.AutoPruneLowWatermark) && this.discovered) {
          for (const s of this.sessions) if (s.state.kind === 'ready') void s.refresh('settings changed');
        }
      }),
    );
  }

  get problems(): readonly DiscoveryProblem[] {
    return this.problemList;
  }

  /** The environments, discovering them on first call. */
  async list(): Promise<readonly EnvironmentSession[]> {
    if (!this.discovered) await this.rediscover();
    return this.sessions;
  }

  /** The environments known so far, without waiting (empty before the first discovery). */
  get known(): readonly EnvironmentSession[] {
    return this.sessions;
  }

  /** By id (`local`, `setting:NAME`, …) or by name. */
  async find(idOrName: string): Promise<EnvironmentSession | undefined> {
    const all = await this.list();
    return all.find((s) => s.id === idOrName) ?? all.find((s) => s.name === idOrName);
  }

  /**
   * The environment the docker CLI would use (DOCKER_HOST, else DOCKER_CONTEXT, else the current context, else the
   * local engine; core/environments/currentContext.ts). Undefined when that is a context that does not exist —
   * the docker CLI fails then too; `defaultProblem` says why. Never another engine in its place.
   */
  async defaultEnvironment(): Promise<EnvironmentSession | undefined> {
    return (await this.list()).find((s) => s.descriptor.current);
  }

  /** Why there is no default environment (see defaultEnvironment), once discovered. */
  get defaultProblem(): DiscoveryProblem | undefined {
    return this.currentProblem;
  }

  rediscover(): Promise<void> {
    this.discovering ??= this.discover().finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  private async discover(): Promise<void> {
    const configured = configuredEnvironments();
    const problems: DiscoveryProblem[] = [...configured.problems];
    let descriptors: EnvironmentDescriptor[] = [];
    let currentProblem: DiscoveryProblem | undefined;
    try {
      const result = await discoverEnvironments({ configured: configured.environments, env: this.env });
      descriptors = result.environments;
      currentProblem = result.currentProblem;
      problems.push(...result.problems);
    } catch (e) {
      problems.push({ source: 'discovery', message: errorMessage(e) });
    }
    for (const p of problems) this.log.warn(`${p.source}: ${p.message}`);

    const previous = new Map(this.sessions.map((s) => [s.id, s]));
    const next: EnvironmentSession[] = [];
    for (const d of descriptors) {
      const old = previous.get(d.id);
      if (old && sameDescriptor(old.descriptor, d)) {
        next.push(old);
        previous.delete(d.id);
      } else {
        const session = new EnvironmentSession(d, this.log, this.detailsStore);
        this.sessionSubscriptions.set(
          session,
          session.onDidChange((s) => this.sessionChanged.fire(s)),
        );
        next.push(session);
      }
    }
    for (const gone of previous.values()) {
      this.sessionSubscriptions.get(gone)?.dispose();
      this.sessionSubscriptions.delete(gone);
      gone.dispose();
    }
    this.sessions = next;
    this.problemList = problems;
    this.currentProblem = currentProblem;
    this.discovered = true;
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const d of this.sessionSubscriptions.values()) d.dispose();
    for (const s of this.sessions) s.dispose();
    this.changed.dispose();
    this.sessionChanged.dispose();
  }
}

function sameDescriptor(a: EnvironmentDescriptor, b: EnvironmentDescriptor): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
