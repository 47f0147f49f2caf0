import { AuditLog } from '../core/audit';
import { DockerEngine } from '../core/engine/dockerEngine';
import { resolveEndpoint } from '../core/engine/endpoint';
import { closeEndpoint } from '../core/environments';
import { DockerPruneError, errorMessage } from '../core/errors';
import { auditFailedBuildCachePrune, previewBuildCachePrune, runBuildCachePrune } from '../core/execute/buildCachePruneJob';
import { formatBytes } from '../core/format/units';
import { parseBuilderArgs, type BuilderCliOptions } from './builderArgs';
import { builderPlanJson, builderPlanText, builderResultJson, builderResultText } from './builderRender';
import { chooseEnvironments, confirmProtected, displayName, engineTimeouts, pruneRefusal } from './environments';
import { PruneInterrupts } from './interrupts';
import { confirm } from './confirm';
import { lineWriter } from './output';

type Io = { out: NodeJS.WritableStream; err: NodeJS.WritableStream; stdin: NodeJS.ReadableStream & { isTTY?: boolean } };

/**
 * `docker-prune builder plan|prune`: the BuildKit build cache of one environment, with the exit codes and the
 * audit of image prunes (0 done, 1 failed or declined, 2 bad input or refused).
 */
export async function runBuilderCommand(argv: readonly string[], io: Io, auditFile: (explicit?: string) => string): Promise<number> {
  const say = lineWriter(io.out);
  const warn = lineWriter(io.err);
  let opts: BuilderCliOptions;
  let target;
  let endpoint;
  try {
    opts = parseBuilderArgs(argv);
    const choice = await chooseEnvironments(opts.shared);
    for (const p of choice.problems) warn(`docker-prune: warning: ${p.message}`);
    target = choice.environments[0]!;
    endpoint = resolveEndpoint({ ...target.endpoint, name: displayName(target), readOnly: target.readOnly });
  } catch (e) {
    warn(`docker-prune: ${errorMessage(e)}`);
    return 2;
  }
  const engine = new DockerEngine(endpoint, engineTimeouts(opts.shared));
  const audit = new AuditLog(auditFile(opts.shared.auditFile));
  const json = opts.shared.json;
  try {
    const refusal = opts.command === 'prune' ? pruneRefusal(target) : undefined;
    if (refusal) {
      warn(`docker-prune: ${refusal}`);
      return 2;
    }
    const started = Date.now();
    let preview;
    try {
      preview = await previewBuildCachePrune(engine, opts.policy);
    } catch (e) {
      if (opts.command === 'prune')
        await auditFailedBuildCachePrune({ engine, policy: opts.policy, trigger: 'cli', native: opts.native, audit }, e, Date.now() - started);
      throw e;
    }
    if (opts.command === 'plan') {
      say(json ? builderPlanJson(preview) : builderPlanText(preview));
      return 0;
    }
    if (!json) say(builderPlanText(preview));
    const notConfirmed = preview.plan.items.length > 0 ? await confirmProtected(target, opts.shared, io) : undefined;
    if (notConfirmed) {
      warn(`docker-prune: ${notConfirmed}`);
      return 2;
    }
    if (!opts.shared.yes && preview.plan.items.length > 0) {
      if (!io.stdin.isTTY) {
        warn('docker-prune: refusing to prune without confirmation: not on a terminal. Add --yes (after checking "docker-prune builder plan").');
        return 2;
      }
      const ok = await confirm(
        io,
        `WARNING! This will remove the ${opts.policy.mode === 'all' ? '' : 'dangling '}build cache listed above from ${endpoint.label} (${formatBytes(preview.plan.bytes)}). Continue? [y/N] `,
      );
      if (!ok) {
        warn('Nothing was removed.');
        return 1;
      }
    }
    const interrupts = new PruneInterrupts(warn);
    const uninstall = interrupts.install();
    const showProgress = !json && Boolean((io.err as NodeJS.WriteStream).isTTY);
    try {
      const outcome = await runBuildCachePrune({
        engine,
        policy: opts.policy,
        trigger: 'cli',
        native: opts.native,
        confirmed: preview,
        audit,
        signal: interrupts.signal,
        onStart: interrupts.track,
        onProgress: showProgress
          ? (p) => io.err.write(`\r${p.done}/${p.total} records, ${formatBytes(p.bytes)} reclaimed${p.done === p.total ? '\n' : ''}`)
          : undefined,
      });
      say(json ? builderResultJson(outcome) : builderResultText(outcome));
      return outcome.result.cancelled ? 1 : 0;
    } finally {
      uninstall();
    }
  } catch (e) {
    warn(`docker-prune: ${errorMessage(e)}`);
    return e instanceof DockerPruneError && e.kind === 'invalid-input' ? 2 : 1;
  } finally {
    closeEndpoint(endpoint);
  }
}
