/**
 * Typed, validated access to the `dockerPrune.*` settings. Every reader either returns a usable value or
 * throws a SettingError naming the setting and the value; callers then do nothing destructive.
 */
import * as vscode from 'vscode';
import { parseConfiguredEnvironments, type ConfiguredParseResult } from '../../core/environments';
import { errorMessage } from '../../core/errors';
import { parseExtendedDuration, parseUnusedFor, parseUntil } from '../../core/filters';
import { parseExitedFor } from '../../core/filters/containersOption';
import { parseByteSize } from '../../core/format/units';
import type { ContainerPolicy, PruneFilters, PruneMode, PrunePolicy } from '../../core/model';
import { compileProtectPatterns } from '../../core/plan/protectPatterns';
import { DEFAULT_MINIMUM_AGE, parseMark, parseMinimumAge, parseWatermarks, type Watermarks } from '../../core/plan/watermarkMarks';
import { SettingError } from './settingError';

export const SECTION = 'dockerPrune';

export enum Setting {
  Environments = 'environments',
  DefaultMode = 'defaultMode',
  GroupBy = 'groupBy',
  StatusBarEnabled = 'statusBar.enabled',
  StatusBarMode = 'statusBar.mode',
  StatusBarEnvironments = 'statusBar.environments',
  StatusBarIncludeBuildCache = 'statusBar.includeBuildCache',
  AuditFile = 'auditFile',
  Protect = 'protect',
  KeepLatest = 'keepLatest',
  AutoPruneEnabled = 'autoPrune.enabled',
  AutoPruneMode = 'autoPrune.mode',
  AutoPruneInterval = 'autoPrune.interval',
  AutoPruneThreshold = 'autoPrune.threshold',
  AutoPruneUntil = 'autoPrune.until',
  AutoPruneUnusedFor = 'autoPrune.unusedFor',
  AutoPruneEnvironments = 'autoPrune.environments',
  AutoPruneHighWatermark = 'autoPrune.highWatermark',
  AutoPruneLowWatermark = 'autoPrune.lowWatermark',
  AutoPruneMinimumAge = 'autoPrune.minimumAge',
  AutoPruneIncludeLoaded = 'autoPrune.includeLoaded',
  AutoPruneContainersExitedFor = 'autoPrune.containersExitedFor',
}

export type GroupBy = 'usage' | 'repository';

export function fullName(key: Setting): string {
  return `${SECTION}.${key}`;
}

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function raw(key: Setting): unknown {
  return config().get<unknown>(key);
}

export function affects(e: vscode.ConfigurationChangeEvent, ...keys: Setting[]): boolean {
  return keys.length === 0 ? e.affectsConfiguration(SECTION) : keys.some((k) => e.affectsConfiguration(fullName(k)));
}

function mode(key: Setting): PruneMode {
  const v = raw(key) ?? 'dangling';
  if (v === 'dangling' || v === 'all') return v;
  throw new SettingError(fullName(key), v, vscode.l10n.t('use "dangling" or "all"'));
}

export function defaultMode(): PruneMode {
  return mode(Setting.DefaultMode);
}

/** Reads a mode setting, falling back to "dangling" for display purposes (the error surfaces when pruning). */
export function modeOr(key: Setting.DefaultMode | Setting.StatusBarMode): PruneMode {
  try {
    return mode(key);
  } catch {
    return 'dangling';
  }
}

export function groupBy(): GroupBy {
  return raw(Setting.GroupBy) === 'repository' ? 'repository' : 'usage';
}

export function statusBarEnabled(): boolean {
  return raw(Setting.StatusBarEnabled) !== false;
}

/** Whether the status bar's figure adds each environment's reclaimable build cache to its images. */
export function statusBarIncludesBuildCache(): boolean {
  return raw(Setting.StatusBarIncludeBuildCache) === true;
}

export function statusBarMode(): PruneMode {
  return modeOr(Setting.StatusBarMode);
}

function stringList(key: Setting): string[] {
  const v = raw(key) ?? [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new SettingError(fullName(key), v, vscode.l10n.t('use a list of strings'));
  }
  return v.map((s: string) => s.trim()).filter(Boolean);
}

export function statusBarEnvironments(): string[] {
  try {
    return stringList(Setting.StatusBarEnvironments);
  } catch {
    return [];
  }
}

/** The configured environments (each entry validated on its own: a bad one is a problem, the rest still count). */
export function configuredEnvironments(): ConfiguredParseResult {
  return parseConfiguredEnvironments(raw(Setting.Environments), fullName(Setting.Environments));
}

/**
 * Protect patterns from every level at once (user, workspace, folder): a workspace can add protection
 * but never take away what the user protected.
 */
export function protectPatterns(): string[] {
  const key = fullName(Setting.Protect);
  const info = config().inspect<unknown>(Setting.Protect);
  const all: string[] = [];
  for (const v of [info?.defaultValue, info?.globalValue, info?.workspaceValue, info?.workspaceFolderValue]) {
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      throw new SettingError(key, v, vscode.l10n.t('use a list of patterns such as {0}', '["postgres:*", "myteam/**"]'));
    all.push(...(v as string[]));
  }
  const unique = [...new Set(all)];
  for (const p of unique) {
    try {
      compileProtectPatterns([p]);
    } catch (e) {
      throw new SettingError(key, p, errorMessage(e));
    }
  }
  return unique;
}

function keepLatest(): number {
  const v = raw(Setting.KeepLatest) ?? 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new SettingError(fullName(Setting.KeepLatest), v, vscode.l10n.t('use a whole number, 0 or more (0 keeps no extra images)'));
  }
  return v;
}

export function auditFileSetting(): string {
  const v = raw(Setting.AuditFile) ?? '';
  if (typeof v !== 'string') throw new SettingError(fullName(Setting.AuditFile), v, vscode.l10n.t('use a file path, or leave it empty'));
  return v.trim();
}

/**
 * The policy for one run: settings (protect, keep newest N) plus the run's mode and filters, and the stopped
 * containers it also removes (the plan view's option, auto-prune's setting; undefined: none).
 */
export function policyFor(m: PruneMode, filters: PruneFilters, containers?: ContainerPolicy): PrunePolicy {
  const keep = keepLatest();
  return { mode: m, filters, protect: protectPatterns(), keepLatest: keep > 0 ? keep : undefined, ...(containers ? { containers } : {}) };
}

// ------------------------------------------------------------------------------------------------
// Auto-prune

export type Threshold =
  { readonly kind: 'bytes'; readonly bytes: number; readonly raw: string } | { readonly kind: 'percent'; readonly percent: number; readonly raw: string };

export interface AutoPruneSettings {
  readonly enabled: boolean;
  readonly mode: PruneMode;
  readonly intervalMs: number;
  readonly intervalRaw: string;
  readonly threshold?: Threshold;
  readonly filters: PruneFilters;
  /** Environment names or ids; empty = the default environment. */
  readonly environments: string[];
  /** Also remove stopped containers stopped at least this long ago (`autoPrune.containersExitedFor`); undefined: none. */
  readonly containers?: ContainerPolicy;
}

/** The shortest interval accepted: short enough to try it out, long enough never to hammer an engine. */
const MIN_INTERVAL_MS = 5_000;

export function autoPruneEnabled(): boolean {
  return raw(Setting.AutoPruneEnabled) === true;
}

/** Every auto-prune setting, validated. Throws SettingError for the first invalid one. */
export function autoPruneSettings(): AutoPruneSettings {
  const enabled = autoPruneEnabled();
  const m = mode(Setting.AutoPruneMode);
  const intervalRaw = raw(Setting.AutoPruneInterval) ?? '24h';
  const intervalKey = fullName(Setting.AutoPruneInterval);
  if (typeof intervalRaw !== 'string') throw new SettingError(intervalKey, intervalRaw, vscode.l10n.t('use a duration such as 30m, 24h or 7d'));
  const parsed = parseExtendedDuration(intervalRaw.trim());
  if (!parsed || parsed.ns <= 0n) throw new SettingError(intervalKey, intervalRaw, vscode.l10n.t('use a duration such as 30m, 24h or 7d'));
  const intervalMs = Number(parsed.ns / 1_000_000n);
  if (intervalMs < MIN_INTERVAL_MS) throw new SettingError(intervalKey, intervalRaw, vscode.l10n.t('the shortest interval is 5s'));

  const untilRaw = raw(Setting.AutoPruneUntil) ?? '';
  const untilKey = fullName(Setting.AutoPruneUntil);
  if (typeof untilRaw !== 'string') throw new SettingError(untilKey, untilRaw, vscode.l10n.t('use a duration such as 168h or 7d, a date, or leave it empty'));
  let filters: PruneFilters = { labels: [] };
  if (untilRaw.trim()) {
    try {
      filters = { until: parseUntil(untilRaw), labels: [] };
    } catch (e) {
      throw new SettingError(untilKey, untilRaw, errorMessage(e));
    }
  }
  const unusedForRaw = raw(Setting.AutoPruneUnusedFor) ?? '';
  const unusedForKey = fullName(Setting.AutoPruneUnusedFor);
  if (typeof unusedForRaw !== 'string')
    throw new SettingError(unusedForKey, unusedForRaw, vscode.l10n.t('use a duration such as 36h or 14d, or leave it empty'));
  if (unusedForRaw.trim()) {
    try {
      filters = { ...filters, unusedFor: parseUnusedFor(unusedForRaw) };
    } catch (e) {
      throw new SettingError(unusedForKey, unusedForRaw, errorMessage(e));
    }
  }
  return {
    enabled,
    mode: m,
    intervalMs,
    intervalRaw: intervalRaw.trim(),
    threshold: parseThreshold(raw(Setting.AutoPruneThreshold)),
    filters,
    environments: stringList(Setting.AutoPruneEnvironments),
    containers: containersExitedFor(),
  };
}

/** `''` → containers are never touched; `30d`, `0s` → the stopped containers auto-prune also removes. */
function containersExitedFor(): ContainerPolicy | undefined {
  const key = fullName(Setting.AutoPruneContainersExitedFor);
  const v = raw(Setting.AutoPruneContainersExitedFor) ?? '';
  if (typeof v !== 'string') throw new SettingError(key, v, vscode.l10n.t('use a duration such as 30d, 36h or 0s, or leave it empty'));
  if (!v.trim()) return undefined;
  try {
    return parseExitedFor(v);
  } catch (e) {
    throw new SettingError(key, v, errorMessage(e));
  }
}

/** `''` → none; `5000000000`, `5GB`, `500 MiB` → bytes; `80%` → a share of the Docker root disk. */
function parseThreshold(v: unknown): Threshold | undefined {
  const key = fullName(Setting.AutoPruneThreshold);
  const hint = vscode.l10n.t('use a number of bytes (such as 10000000000 or 10GB), a percentage of the Docker root disk (such as 80%), or leave it empty');
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v > 0) return { kind: 'bytes', bytes: v, raw: String(v) };
    throw new SettingError(key, v, hint);
  }
  if (typeof v !== 'string') throw new SettingError(key, v, hint);
  const s = v.trim();
  if (!s) return undefined;
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(s);
  if (pct) {
    const percent = Number(pct[1]);
    if (percent > 0 && percent <= 100) return { kind: 'percent', percent, raw: s };
    throw new SettingError(key, v, vscode.l10n.t('a percentage must be more than 0% and at most 100%'));
  }
  const bytes = parseByteSize(s);
  if (bytes === undefined || bytes <= 0) throw new SettingError(key, v, hint);
  return { kind: 'bytes', bytes, raw: s };
}

// ------------------------------------------------------------------------------------------------
// Watermarks (per environment)

/** What a per-environment setting is read for: an environment's name and id. */
export interface EnvironmentKey {
  readonly id: string;
  readonly name: string;
}

/**
 * A setting that may differ per environment: one string for every environment, or an object keyed by environment
 * name or id, `"*"` for the others. Undefined when it is empty for this environment.
 */
function perEnvironment(key: Setting, env: EnvironmentKey): string | undefined {
  const v = raw(key);
  const hint = vscode.l10n.t('use a string, or an object by environment name such as {0}', '{"local": "85%", "build-box": "40GB", "*": "90%"}');
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw new SettingError(fullName(key), v, hint);
  const byName = v as Record<string, string>;
  const picked = byName[env.name] ?? byName[env.id] ?? byName['*'];
  return picked?.trim() || undefined;
}

/**
 * The watermarks auto-prune uses on an environment, validated; undefined when none are set for it (it then prunes
 * by `mode`, `threshold` and `until` as before). Throws SettingError naming the setting at fault.
 */
export function watermarksFor(env: EnvironmentKey): Watermarks | undefined {
  const [highKey, lowKey, ageKey] = [Setting.AutoPruneHighWatermark, Setting.AutoPruneLowWatermark, Setting.AutoPruneMinimumAge];
  const high = perEnvironment(highKey, env);
  const low = perEnvironment(lowKey, env);
  if (high === undefined && low === undefined) return undefined;
  if (high === undefined || low === undefined) {
    const missing = high === undefined ? highKey : lowKey;
    throw new SettingError(
      fullName(missing),
      raw(missing) ?? '',
      vscode.l10n.t('set both watermarks for {0}: above the high one auto-prune starts, under the low one it stops', env.name),
    );
  }
  const age = perEnvironment(ageKey, env) ?? DEFAULT_MINIMUM_AGE;
  const check = (key: Setting, value: string, parse: () => unknown) => {
    try {
      parse();
    } catch (e) {
      throw new SettingError(fullName(key), value, errorMessage(e));
    }
  };
  check(highKey, high, () => parseMark(high, fullName(highKey)));
  check(lowKey, low, () => parseMark(low, fullName(lowKey)));
  check(ageKey, age, () => parseMinimumAge(age, fullName(ageKey)));
  let marks: Watermarks | undefined;
  check(
    highKey,
    `${high}, ${low}`,
    () => (marks = parseWatermarks(high, low, age, { high: fullName(highKey), low: fullName(lowKey), minimumAge: fullName(ageKey) })),
  );
  return marks && raw(Setting.AutoPruneIncludeLoaded) === true ? { ...marks, includeLoaded: true } : marks;
}
