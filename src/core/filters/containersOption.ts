/**
 * `--containers exited-for=DURATION` (the CLI), `dockerPrune.autoPrune.containersExitedFor` (auto-prune), the plan
 * view's field: also remove stopped containers that stopped at least that long ago (see plan/containerPlan.ts).
 * `exited-for=0s` takes every stopped container that nothing else keeps.
 */
import { InvalidInputError } from '../errors';
import type { ContainerPolicy } from '../model';
import { parseExtendedDuration } from './duration';

const FORMS = 'use exited-for=DURATION, such as exited-for=30d, exited-for=36h or exited-for=2w';

/** `exited-for=30d` → the policy. @throws InvalidInputError naming the value and the accepted form. */
export function parseContainersOption(input: string): ContainerPolicy {
  const t = input.trim();
  const m = /^exited-for=(.*)$/.exec(t);
  if (!m) throw new InvalidInputError(`Invalid --containers "${input}": ${FORMS}.`);
  return parseExitedFor(m[1]!);
}

/** A bare duration (`30d`), as a setting holds it. @throws InvalidInputError. */
export function parseExitedFor(input: string): ContainerPolicy {
  const raw = input.trim();
  const parsed = parseExtendedDuration(raw);
  if (!parsed || parsed.ns < 0n) throw new InvalidInputError(`Invalid exited-for value "${raw}": use a duration such as 30d, 36h, 2w or 0s.`);
  return { exitedForRaw: raw, exitedForNs: parsed.ns };
}
