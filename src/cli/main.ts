import * as path from 'path';
import { AuditLog, defaultAuditFilePath } from '../core/audit';
import { DockerEngine } from '../core/engine/dockerEngine';
import { resolveEndpoint } from '../core/engine/endpoint';
import { closeEndpoint } from '../core/environments';
import { errorMessage } from '../core/errors';
import { assertNativeCompatible } from '../core/execute/nativePrune';
import { auditFailedPrune, runPrune, type Preview, type PruneOutcome } from '../core/execute/pruneJob';
import { LastUseTracker } from '../core/lastUsed/lastUseTracker';
import { FileImageDetailsStore } from '../core/snapshot/detailsCache';
import { SnapshotReader } from '../core/snapshot/snapshotReader';
import { cacheDirectory } from '../core/state/userFolders';
import { parseCliArgs, type CliOptions } from './args';
import { runAuditCommand } from './auditCommand';
import { runBuilderCommand } from './builderCommand';
import { chooseEnvironments, displayName, engineTimeouts } from './environments';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exitCodes';
import { cliIo, type Streams } from './io';
import { previewFor } from './preview';
import { runPruneCommand } from './pruneCommand';
import { goneWarning, imagePruneQuestion, loadedWarning, planJson, planText, resultJson, resultText } from './render';
import { runAcrossEnvironments } from './severalEnvironments';
import { USAGE } from './usage';

declare const DOCKER_PRUNE_VERSION: string | undefined;

/** Runs the CLI; returns the exit code. Output goes to the given streams so tests can run it in-process too. */
export async function main(argv: readonly string[], streams: Streams = { out: process.stdout, err: process.stderr, stdin: process.stdin }): Promise<number> {
  const io = cliIo(streams);
  if (argv[0] === 'builder') return runBuilderCommand(argv.slice(1), io, auditFilePath);
  let opts: CliOptions;
  try {
    opts = parseCliArgs(argv);
    if (opts.command === 'help') return (io.say(USAGE), EXIT_OK);
    if (opts.command === 'version') return (io.say(typeof DOCKER_PRUNE_VERSION === 'string' ? DOCKER_PRUNE_VERSION : 'dev'), EXIT_OK);
    if (opts.native) assertNativeCompatible(opts.policy);
  } catch (e) {
    io.error(errorMessage(e));
    return EXIT_USAGE;
  }
  if (opts.command === 'audit') {
    try {
      return await runAuditCommand(opts, auditFilePath(opts.auditFile), io);
    } catch (e) {
      io.error(errorMessage(e));
      return EXIT_FAILED; // the audit file cannot be read
    }
  }
  const command = opts.command;

  // Which environment(s): --host, --context, --env, --all-envs, else the one the docker CLI would use.
  let target;
  let endpoint;
  try {
    const choice = await chooseEnvironments(opts);
    for (const p of choice.problems) io.warning(p.message);
    if (choice.multiple) {
      return await runAcrossEnvironments(choice.environments, opts, io, {
        audit: new AuditLog(auditFilePath(opts.auditFile)),
        store: new FileImageDetailsStore(cacheDir(), io.warning),
      });
    }
    target = choice.environments[0]!;
    endpoint = resolveEndpoint({ ...target.endpoint, name: displayName(target), readOnly: target.readOnly, protected: target.protected });
  } catch (e) {
    io.error(errorMessage(e));
    return EXIT_USAGE;
  }
  const engine = new DockerEngine(endpoint, engineTimeouts(opts));
  const audit = new AuditLog(auditFilePath(opts.auditFile));
  const reader = new SnapshotReader(engine, {
    store: new FileImageDetailsStore(cacheDir(), io.warning),
    lastUse: new LastUseTracker(engine, { warn: io.warning }),
  });
  try {
    return await runPruneCommand<Preview, PruneOutcome>(io, {
      command,
      target,
      options: opts,
      planCommand: 'docker-prune plan',
      unit: opts.policy.containers ? 'containers and images' : 'images',
      preview: () => previewFor(reader, engine, opts),
      auditFailedPreview: (e, ms) => auditFailedPrune({ engine, policy: opts.policy, trigger: 'cli', native: opts.native, audit }, e, ms),
      planText: (p) => planText(p, opts.native),
      planJson,
      warnings: (p, when) =>
        [...(when === 'prune' ? [loadedWarning(p.plan, p.snapshot.sources)] : []), goneWarning(p.plan, p.snapshot.sources)].filter((w): w is string =>
          Boolean(w),
        ),
      steps: (p) => p.plan.items.length + (p.plan.containers?.length ?? 0),
      question: (p) => imagePruneQuestion(opts, endpoint.label, p.plan.spaceReclaimable, loadedWarning(p.plan, p.snapshot.sources), p.plan.containers?.length),
      run: (p, controls) => runPrune({ engine, policy: opts.policy, trigger: 'cli', native: opts.native, confirmed: p, reader, audit, ...controls }),
      resultText: (o) => resultText(o.result),
      resultJson: (o) => resultJson(o.result),
      cancelled: (o) => o.result.cancelled,
      partial: (e) => {
        const partial = (e as { partial?: Parameters<typeof resultJson>[0] }).partial;
        return partial ? { text: resultText(partial), json: resultJson(partial) } : undefined;
      },
    });
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
