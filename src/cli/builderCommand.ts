import { AuditLog } from '../core/audit';
import { DockerEngine } from '../core/engine/dockerEngine';
import { resolveEndpoint } from '../core/engine/endpoint';
import { closeEndpoint } from '../core/environments';
import { errorMessage } from '../core/errors';
import {
  auditFailedBuildCachePrune,
  previewBuildCachePrune,
  runBuildCachePrune,
  type BuildCachePreview,
  type BuildCachePruneOutcome,
} from '../core/execute/buildCachePruneJob';
import { formatBytes } from '../core/format/units';
import { parseBuilderArgs, type BuilderCliOptions } from './builderArgs';
import { builderPlanJson, builderPlanText, builderResultJson, builderResultText } from './builderRender';
import { chooseEnvironments, displayName, engineTimeouts } from './environments';
import { EXIT_USAGE } from './exitCodes';
import type { CliIo } from './io';
import { runPruneCommand } from './pruneCommand';

/**
 * `docker-prune builder plan|prune`: the BuildKit build cache of one environment, run like an image prune
 * (pruneCommand.ts): the same refusals, question, signal handling, audit and exit codes.
 */
export async function runBuilderCommand(argv: readonly string[], io: CliIo, auditFile: (explicit?: string) => string): Promise<number> {
  let opts: BuilderCliOptions;
  let target;
  let endpoint;
  try {
    opts = parseBuilderArgs(argv);
    const choice = await chooseEnvironments(opts.shared);
    for (const p of choice.problems) io.warning(p.message);
    target = choice.environments[0]!;
    endpoint = resolveEndpoint({ ...target.endpoint, name: displayName(target), readOnly: target.readOnly, protected: target.protected });
  } catch (e) {
    io.error(errorMessage(e));
    return EXIT_USAGE;
  }
  const engine = new DockerEngine(endpoint, engineTimeouts(opts.shared));
  const audit = new AuditLog(auditFile(opts.shared.auditFile));
  const { policy, native } = opts;
  try {
    return await runPruneCommand<BuildCachePreview, BuildCachePruneOutcome>(io, {
      command: opts.command,
      target,
      options: opts.shared,
      planCommand: 'docker-prune builder plan',
      unit: 'records',
      preview: () => previewBuildCachePrune(engine, policy),
      auditFailedPreview: (e, ms) => auditFailedBuildCachePrune({ engine, policy, trigger: 'cli', native, audit }, e, ms),
      planText: builderPlanText,
      planJson: builderPlanJson,
      warnings: () => [],
      steps: (p) => p.plan.items.length,
      question: (p) =>
        `WARNING! This will remove the ${policy.mode === 'all' ? '' : 'dangling '}build cache listed above from ${endpoint.label} (${formatBytes(p.plan.bytes)}). Continue? [y/N] `,
      run: (p, controls) => runBuildCachePrune({ engine, policy, trigger: 'cli', native, confirmed: p, audit, ...controls }),
      resultText: builderResultText,
      resultJson: builderResultJson,
      cancelled: (o) => o.result.cancelled,
    });
  } finally {
    closeEndpoint(endpoint);
  }
}
