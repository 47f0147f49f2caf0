import * as path from 'path';
import { AuditLog, defaultAuditFilePath } from '../core/audit';
import { DockerEngine } from '../core/engine/dockerEngine';
import { resolveEndpoint } from '../core/engine/endpoint';
import { closeEndpoint } from '../core/environments';
import { DockerPruneError, errorMessage } from '../core/errors';
import { assertNativeCompatible } from '../core/execute/nativePrune';
import { auditFailedPrune, runPrune } from '../core/execute/pruneJob';
import { formatBytes } from '../core/format/units';
import { LastUseTracker } from '../core/lastUsed/lastUseTracker';
import { FileImageDetailsStore } from '../core/snapshot/detailsCache';
import { SnapshotReader } from '../core/snapshot/snapshotReader';
import { cacheDirectory } from '../core/state/userFolders';
import { parseCliArgs, type CliOptions } from './args';
import { runAuditCommand } from './auditCommand';
import { runBuilderCommand } from './builderCommand';
import { chooseEnvironments, confirmProtected, displayName, engineTimeouts, pruneRefusal, runAcrossEnvironments } from './environments';
import { PruneInterrupts } from './interrupts';
import { previewFor } from './preview';
import { goneWarning, loadedWarning, planJson, planText, resultJson, resultText } from './render';
import { USAGE } from './usage';
import { confirm } from './confirm';
import { lineWriter } from './output';

declare const DOCKER_PRUNE_VERSION: string | undefined;

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** Runs the CLI; returns the exit code. Output goes to the given streams so tests can run it in-process too. */
export async function main(argv: readonly string[], io = { out: process.stdout, err: process.stderr, stdin: process.stdin }): Promise<number> {
  const say = lineWriter(io.out);
  const warn = lineWriter(io.err);
  if (argv[0] === 'builder') return runBuilderCommand(argv.slice(1), io, auditFilePath);
  let opts: CliOptions;
  try {
    opts = parseCliArgs(argv);
    if (opts.command === 'help') return (say(USAGE), EXIT_OK);
    if (opts.command === 'version') return (say(typeof DOCKER_PRUNE_VERSION === 'string' ? DOCKER_PRUNE_VERSION : 'dev'), EXIT_OK);
    if (opts.native) assertNativeCompatible(opts.policy);
  } catch (e) {
    warn(`docker-prune: ${errorMessage(e)}`);
    return EXIT_USAGE;
  }
  if (opts.command === 'audit') {
    try {
      return await runAuditCommand(opts, auditFilePath(opts.auditFile), io);
    } catch (e) {
      warn(`docker-prune: ${errorMessage(e)}`);
      return EXIT_FAILED; // the audit file cannot be read
    }
  }

  // Which environment(s): --host, --context, --env, --all-envs, else the one the docker CLI would use.
  let target;
  let endpoint;
  try {
    const choice = await chooseEnvironments(opts);
    for (const p of choice.problems) warn(`docker-prune: warning: ${p.message}`);
    if (choice.multiple) {
      return await runAcrossEnvironments(choice.environments, opts, io, {
        audit: new AuditLog(auditFilePath(opts.auditFile)),
        store: new FileImageDetailsStore(cacheDir(), (m) => warn(`docker-prune: warning: ${m}`)),
      });
    }
    target = choice.environments[0]!;
    endpoint = resolveEndpoint({ ...target.endpoint, name: displayName(target), readOnly: target.readOnly });
  } catch (e) {
    warn(`docker-prune: ${errorMessage(e)}`);
    return EXIT_USAGE;
  }
  const engine = new DockerEngine(endpoint, engineTimeouts(opts));
  const audit = new AuditLog(auditFilePath(opts.auditFile));
  try {
    const refusal = opts.command === 'prune' ? pruneRefusal(target) : undefined;
    if (refusal) {
      warn(`docker-prune: ${refusal}`);
      return EXIT_USAGE;
    }
    const lastUse = new LastUseTracker(engine, { warn: (m) => warn(`docker-prune: warning: ${m}`) });
    const reader = new SnapshotReader(engine, { store: new FileImageDetailsStore(cacheDir(), (m) => warn(`docker-prune: warning: ${m}`)), lastUse });
    const started = Date.now();
    let preview;
    try {
      preview = await previewFor(reader, engine, opts);
    } catch (e) {
      if (opts.command === 'prune')
        await auditFailedPrune({ engine, policy: opts.policy, trigger: 'cli', native: opts.native, audit }, e, Date.now() - started);
      throw e;
    }

    if (opts.command === 'plan') {
      say(opts.json ? planJson(preview) : planText(preview, opts.native));
      const gone = opts.json ? undefined : goneWarning(preview.plan, preview.snapshot.sources);
      if (gone) warn(`docker-prune: warning: ${gone}`);
      return EXIT_OK;
    }

    if (!opts.json) say(planText(preview, opts.native));
    const loaded = loadedWarning(preview.plan, preview.snapshot.sources);
    if (loaded) warn(`docker-prune: warning: ${loaded}`);
    const gone = goneWarning(preview.plan, preview.snapshot.sources);
    if (gone) warn(`docker-prune: warning: ${gone}`);
    const notConfirmed = preview.plan.items.length > 0 ? await confirmProtected(target, opts, io) : undefined;
    if (notConfirmed) {
      warn(`docker-prune: ${notConfirmed}`);
      return EXIT_USAGE;
    }
    if (!opts.yes && preview.plan.items.length > 0) {
      if (!io.stdin.isTTY) {
        warn('docker-prune: refusing to prune without confirmation: not on a terminal. Add --yes (after checking "docker-prune plan").');
        return EXIT_USAGE;
      }
      const what = opts.watermark ? 'the least recently used images' : opts.policy.mode === 'all' ? 'all unused images, tagged ones too' : 'dangling images';
      const ok = await confirm(
        io,
        `WARNING! This will remove ${what} listed above from ${endpoint.label} (${formatBytes(preview.plan.spaceReclaimable)}).${loaded ? ` ${loaded}` : ''} Continue? [y/N] `,
      );
      if (!ok) {
        warn('Nothing was removed.');
        return EXIT_FAILED;
      }
    }

    // First Ctrl-C: stop after the current image. Second (or SIGTERM/SIGHUP): record it as interrupted and quit.
    const interrupts = new PruneInterrupts(warn);
    const uninstall = interrupts.install();
    const showProgress = !opts.json && Boolean((io.err as NodeJS.WriteStream).isTTY);
    try {
      const outcome = await runPrune({
        engine,
        policy: opts.policy,
        trigger: 'cli',
        native: opts.native,
        confirmed: preview,
        reader,
        audit,
        signal: interrupts.signal,
        onStart: interrupts.track,
        onProgress: showProgress
          ? (p) => io.err.write(`\r${p.done}/${p.total} images, ${formatBytes(p.bytes)} reclaimed${p.done === p.total ? '\n' : ''}`)
          : undefined,
      });
      say(opts.json ? resultJson(outcome.result) : resultText(outcome.result));
      return outcome.result.cancelled ? EXIT_FAILED : EXIT_OK;
    } finally {
      uninstall();
    }
  } catch (e) {
    const partial = (e as { partial?: Parameters<typeof resultJson>[0] }).partial;
    if (partial) say(opts.json ? resultJson(partial) : resultText(partial));
    warn(`docker-prune: ${errorMessage(e)}`);
    return e instanceof DockerPruneError && e.kind === 'invalid-input' ? EXIT_USAGE : EXIT_FAILED;
  } finally {
    closeEndpoint(endpoint);
  }
}

/** `--audit-file`, else $DOCKER_PRUNE_AUDIT_FILE, else the file the extension shares (core/audit/auditPath.ts). */
function auditFilePath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.DOCKER_PRUNE_AUDIT_FILE) return path.resolve(env.DOCKER_PRUNE_AUDIT_FILE);
  return defaultAuditFilePath({ env });
}

/** Image details are immutable per id, so the CLI keeps them between runs, in the per-user cache folder. */
function cacheDir(): string {
  return path.join(cacheDirectory(), 'images');
}
