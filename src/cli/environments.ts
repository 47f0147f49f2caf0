/**
 * Which environments a CLI run works on (`--host`, `--context`, `--env`, `--all-envs`, or the one the docker CLI
 * would use, chosen by the docker CLI's own rule), and runs over several of them at once with a report per environment.
 */
import * as readline from 'readline';
import type { AuditLog } from '../core/audit';
import { DEFAULT_TIMEOUTS, type EngineTimeouts } from '../core/engine/dockerEngine';
import { redactHost } from '../core/engine/endpoint';
import {
  closeEndpoint,
  DEFAULT_CONTEXT,
  defaultEngine,
  discoverEnvironments,
  findEnvironment,
  forEachEnvironment,
  loadCliConfig,
  missingContextMessage,
  openEnvironment,
  readDockerContexts,
  readOnlyRefusal,
  resolveCurrentContext,
  type DiscoveryProblem,
  type EnvironmentDescriptor,
  type EnvironmentOutcome,
} from '../core/environments';
import { InvalidInputError } from '../core/errors';
import { runPrune, type Preview, type PruneOutcome } from '../core/execute/pruneJob';
import { formatBytes } from '../core/format/units';
import type { ImageDetailsStore } from '../core/snapshot/detailsCache';
import { LastUseTracker } from '../core/lastUsed/lastUseTracker';
import { SnapshotReader } from '../core/snapshot/snapshotReader';
import type { CliOptions } from './args';
import { PruneInterrupts } from './interrupts';
import { previewFor } from './preview';
import { planJson, planText, resultJson, resultText } from './render';
import { lineWriter } from './output';
import { displayLines } from '../core/format/displayText';

export interface EnvironmentChoice {
  readonly environments: EnvironmentDescriptor[];
  /** More than one environment was asked for (or --all-envs): report per environment. */
  readonly multiple: boolean;
  readonly problems: DiscoveryProblem[];
}

/** What the CLI runs on, for tests: which platform's local engine is the default one, and the home folder. */
export interface CliSystem {
  readonly platform?: NodeJS.Platform;
  readonly home?: string;
}

/**
 * Resolves the CLI's environment flags. Without --env / --all-envs, the engine is chosen as the docker CLI chooses
 * it (docker/cli cli/command/cli.go resolveContextName; see core/environments/currentContext.ts): `--context`,
 * else `-H/--host`, else DOCKER_HOST, else DOCKER_CONTEXT, else config.json's currentContext, else the platform's
 * local engine. Throws InvalidInputError (exit 2) for --host with --context, and for a context or environment that
 * does not exist — DOCKER_CONTEXT's or config.json's included, where the docker CLI fails too.
 */
export async function chooseEnvironments(opts: CliOptions, env: NodeJS.ProcessEnv = process.env, system: CliSystem = {}): Promise<EnvironmentChoice> {
  if (opts.host !== undefined) {
    // Step 2: -H is the `default` context with that host (TLS still from DOCKER_TLS_VERIFY / DOCKER_CERT_PATH).
    resolveCurrentContext({ hostFlag: opts.host, contextFlag: opts.contexts[0], env });
    return { environments: [defaultEngine(env, { ...system, host: opts.host })], multiple: false, problems: [] };
  }
  const config = loadCliConfig(opts.config, env);
  const discovery = await discoverEnvironments({ configured: config.environments, env, ...system });
  const { environments: all, problems } = discovery;
  problems.unshift(...config.problems);
  // A configured entry with the same host stands in for a found environment (its name, readOnly, protected apply).
  const byId = (id: string) => all.find((e) => e.id === id || e.replaces === id);

  if (opts.contexts.length > 0) {
    // Step 1: --context NAME (repeatable here); `default` is DOCKER_HOST, else the local engine.
    const ctx = readDockerContexts(env, system.home);
    const chosen = opts.contexts.map((name) => {
      const found = name === DEFAULT_CONTEXT ? (byId('docker-host') ?? byId('local')) : byId(`context:${name}`);
      if (!found) {
        const unusable = problems.find((p) => p.source === `context:${name}`);
        throw new InvalidInputError(
          unusable?.message ??
            missingContextMessage(
              { name, reason: '--context' },
              ctx.configDir,
              ctx.contexts.map((c) => c.name),
            ),
        );
      }
      return found;
    });
    return {
      environments: unique(chosen),
      multiple: chosen.length > 1,
      problems: problems.filter((p) => p.source.startsWith('context:') && opts.contexts.includes(p.source.slice(8))),
    };
  }
  if (opts.envs.length > 0) {
    const chosen = opts.envs.map((name) => {
      const found = findEnvironment(all, name) ?? findEnvironment(all, `setting:${name}`);
      if (!found) {
        const bad = problems.find((p) => p.source === `setting:${name}` || p.source === `context:${name}`);
        if (bad) throw new InvalidInputError(bad.message);
        throw new InvalidInputError(
          `No environment named "${name}" (there are: ${all.map((e) => e.name).join(', ')}). Configured environments come from ${config.file ?? 'the config file (--config FILE or $DOCKER_PRUNE_CONFIG)'}.`,
        );
      }
      return found;
    });
    return { environments: unique(chosen), multiple: chosen.length > 1, problems: [] };
  }
  if (opts.allEnvs) return { environments: all, multiple: true, problems };
  // Steps 3–6, as discovery marked them: DOCKER_HOST, else DOCKER_CONTEXT, else config.json's currentContext, else
  // the local engine. A context named there that does not exist fails, as in the docker CLI — never another engine.
  const current = all.find((e) => e.current);
  if (!current) throw new InvalidInputError(discovery.currentProblem?.message ?? 'The docker CLI\'s current context cannot be used (see "docker context ls").');
  // Warnings about this run's engine only: its context's, and DOCKER_HOST overriding a DOCKER_CONTEXT.
  return {
    environments: [current],
    multiple: false,
    problems: problems.filter((p) => p.source === 'DOCKER_CONTEXT' || (current.source === 'context' && p.source === current.id)),
  };
}

/** The endpoint name a single-environment run prints: the host itself for the default engine (as before environments existed). */
export function displayName(e: EnvironmentDescriptor): string {
  return e.source === 'local' || e.source === 'docker-host'
    ? redactHost(e.endpoint.host.startsWith('/') ? `unix://${e.endpoint.host}` : e.endpoint.host)
    : e.name;
}

/**
 * Why a prune may not run on this environment, or undefined. Read-only: never. Protected: only when its name
 * was given with --confirm, or typed at the prompt (see confirmProtected).
 */
export function pruneRefusal(e: EnvironmentDescriptor): string | undefined {
  if (e.readOnly) return readOnlyRefusal(e.name);
  return undefined;
}

/** Protected environments need their name typed: from --confirm NAME, or at the terminal. */
export async function confirmProtected(
  e: EnvironmentDescriptor,
  opts: CliOptions,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; stdin: NodeJS.ReadableStream & { isTTY?: boolean } },
): Promise<string | undefined> {
  if (!e.protected) return undefined;
  if (opts.confirm.includes(e.name)) return undefined;
  if (!io.stdin.isTTY) return `${e.name} is protected: add --confirm "${e.name}" to prune it without a terminal.`;
  const typed = await ask(io, `${e.name} is protected. Type its name to prune it: `);
  return typed === e.name ? undefined : `${e.name} is protected and its name was not typed: nothing was removed there.`;
}

interface Planned {
  readonly engine: ReturnType<typeof openEnvironment>;
  readonly reader: SnapshotReader;
  readonly preview: Preview;
}

/** `plan` / `prune` over several environments at once; one report per environment. Returns the exit code. */
export async function runAcrossEnvironments(
  environments: readonly EnvironmentDescriptor[],
  opts: CliOptions,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; stdin: NodeJS.ReadableStream & { isTTY?: boolean } },
  deps: { audit: AuditLog; store?: ImageDetailsStore },
): Promise<number> {
  const say = lineWriter(io.out);
  const warn = lineWriter(io.err);
  if (environments.length === 0) {
    warn('docker-prune: no environments found.');
    return 1;
  }
  const planned = await forEachEnvironment<Planned>(
    environments,
    async ({ environment, signal }) => {
      const engine = openEnvironment(environment, engineTimeouts(opts));
      // At the time limit, drop its connections so nothing keeps waiting on a hung engine.
      signal.addEventListener('abort', () => closeEndpoint(engine.endpoint), { once: true });
      const lastUse = new LastUseTracker(engine, { warn: (m) => warn(`docker-prune: warning: ${environment.name}: ${m}`) });
      const reader = new SnapshotReader(engine, { ...(deps.store ? { store: deps.store } : {}), lastUse });
      return { engine, reader, preview: await previewFor(reader, engine, opts) };
    },
    { concurrency: 4, timeoutMs: opts.envTimeoutMs },
  );
  try {
    if (opts.command === 'plan') {
      if (opts.json) say(JSON.stringify({ environments: planned.map((o) => planEntry(o)), spaceReclaimable: totalBytes(planned) }));
      else for (const o of planned) say(planSection(o, opts));
      return planned.every((o) => o.ok) ? 0 : 1;
    }

    // prune: decide per environment, then prune the accepted ones concurrently.
    if (!opts.json) for (const o of planned) say(planSection(o, opts));
    const refused = new Map<string, string>();
    for (const o of planned) {
      if (!o.ok) continue;
      const why = pruneRefusal(o.environment) ?? (await confirmProtected(o.environment, opts, io));
      if (why) refused.set(o.environment.id, why);
    }
    const toPrune = planned.filter((o): o is Extract<EnvironmentOutcome<Planned>, { ok: true }> => o.ok && !refused.has(o.environment.id));
    const withWork = toPrune.filter((o) => o.value.preview.plan.items.length > 0);
    if (!opts.yes && withWork.length > 0) {
      if (!io.stdin.isTTY) {
        warn('docker-prune: refusing to prune without confirmation: not on a terminal. Add --yes (after checking "docker-prune plan").');
        return 2;
      }
      const bytes = withWork.reduce((s, o) => s + o.value.preview.plan.spaceReclaimable, 0);
      const what = opts.watermark ? 'the least recently used images' : opts.policy.mode === 'all' ? 'all unused images, tagged ones too' : 'dangling images';
      const answer = await ask(
        io,
        `WARNING! This will remove ${what} listed above from ${withWork.map((o) => o.environment.name).join(', ')} (${formatBytes(bytes)}). Continue? [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer)) {
        warn('Nothing was removed.');
        return 1;
      }
    }
    // First Ctrl-C: every prune stops after its current image. Second: each records that it was interrupted, exit 130.
    const interrupts = new PruneInterrupts(warn);
    const uninstall = interrupts.install();
    const pruned = await forEachEnvironment<PruneOutcome>(
      toPrune.map((o) => o.environment),
      async ({ environment }) => {
        const p = toPrune.find((o) => o.environment.id === environment.id)!.value;
        return runPrune({
          engine: p.engine,
          policy: opts.policy,
          trigger: 'cli',
          native: opts.native,
          confirmed: p.preview,
          reader: p.reader,
          audit: deps.audit,
          signal: interrupts.signal,
          onStart: interrupts.track,
        });
      },
      { concurrency: 4, timeoutMs: 0 },
    ).finally(uninstall);
    const byId = new Map(pruned.map((o) => [o.environment.id, o]));
    if (opts.json) {
      say(
        JSON.stringify({
          environments: planned.map((o) => {
            const base = { id: o.environment.id, name: o.environment.name, host: redactHost(o.environment.endpoint.host) };
            if (!o.ok) return { ...base, ok: false, error: { kind: o.error.kind, message: o.error.message } };
            const why = refused.get(o.environment.id);
            if (why) return { ...base, ok: false, error: { kind: 'refused', message: why } };
            const r = byId.get(o.environment.id)!;
            if (!r.ok) return { ...base, ok: false, error: { kind: r.error.kind, message: r.error.message } };
            return { ...base, ok: true, ...JSON.parse(resultJson(r.value.result)) };
          }),
          SpaceReclaimed: pruned.reduce((s, o) => s + (o.ok ? o.value.result.SpaceReclaimed : 0), 0),
        }),
      );
    } else {
      for (const o of planned) {
        say(`\n== ${o.environment.name}: prune ==`);
        if (!o.ok) say(`failed: ${o.error.message}`);
        else if (refused.has(o.environment.id)) say(`refused: ${refused.get(o.environment.id)}`);
        else {
          const r = byId.get(o.environment.id)!;
          say(r.ok ? resultText(r.value.result) : `failed: ${r.error.message}`);
        }
      }
    }
    const allOk = planned.every((o) => o.ok) && refused.size === 0 && pruned.every((o) => o.ok && !o.value.result.cancelled);
    return allOk ? 0 : 1;
  } finally {
    for (const o of planned) if (o.ok) closeEndpoint(o.value.engine.endpoint);
  }
}

function planEntry(o: EnvironmentOutcome<Planned>): Record<string, unknown> {
  const base = { id: o.environment.id, name: o.environment.name, host: redactHost(o.environment.endpoint.host), current: o.environment.current === true };
  if (!o.ok) return { ...base, ok: false, error: { kind: o.error.kind, message: o.error.message } };
  return { ...base, ok: true, ...JSON.parse(planJson(o.value.preview)) };
}

function planSection(o: EnvironmentOutcome<Planned>, opts: CliOptions): string {
  const flags = [o.environment.current && 'current', o.environment.readOnly && 'read-only', o.environment.protected && 'protected'].filter(Boolean);
  const head = `== ${o.environment.name} (${redactHost(o.environment.endpoint.host)})${flags.length ? ` [${flags.join(', ')}]` : ''} ==`;
  if (!o.ok) return `${head}\nfailed: ${o.error.message}\n`;
  return `${head}\n${planText(o.value.preview, opts.native)}\n`;
}

function totalBytes(outcomes: ReadonlyArray<EnvironmentOutcome<Planned>>): number {
  return outcomes.reduce((s, o) => s + (o.ok ? o.value.preview.plan.spaceReclaimable : 0), 0);
}

function unique(list: EnvironmentDescriptor[]): EnvironmentDescriptor[] {
  return list.filter((e, i) => list.findIndex((x) => x.id === e.id) === i);
}

function ask(io: { out: NodeJS.WritableStream; stdin: NodeJS.ReadableStream }, question: string): Promise<string> {
  const rl = readline.createInterface({ input: io.stdin, output: io.out });
  return new Promise((resolve) => {
    let answered = false;
    // The question names environments and engines: shown escaped, like every line the CLI writes (output.ts).
    rl.question(displayLines(question), (answer) => {
      answered = true;
      resolve(answer.trim());
      rl.close();
    });
    rl.on('close', () => {
      if (!answered) resolve('');
    });
  });
}

/** The engine's per-request time limits, with `--request-timeout` for reads and deletes when given. */
export function engineTimeouts(opts: Pick<CliOptions, 'requestTimeoutMs'>): EngineTimeouts {
  const t = opts.requestTimeoutMs;
  return t === undefined ? DEFAULT_TIMEOUTS : { readMs: t, diskUsageMs: t, deleteMs: t, pruneMs: Math.max(t, DEFAULT_TIMEOUTS.pruneMs) };
}
