/**
 * A hostile population: images whose engine data (labels, tags, repository names) is what an attacker who
 * publishes an image can choose. Labels are free text: backticks, blank lines, Markdown links and bold, HTML,
 * `command:` URIs and theme icons, ANSI CSI and OSC sequences, carriage returns, C1 controls, bidi controls and a
 * 64 kB value. Tags and repository names are the longest the engine's reference grammar allows (a tag is
 * `[\w][\w.-]{0,127}`; a whole name, `docker.io/` included, at most 255 characters).
 * Made without network like every population here: a `docker load` archive built in-process (population.ts).
 */
import * as assert from 'assert';
import { apiJson, apiRequest } from './dockerd';
import { sizedImagesArchive, type SizedImageSpec } from './population';

/** What a renderer could read as Markdown, HTML, a link or a command. */
const MARKUP_LABELS: Readonly<Record<string, string>> = {
  'evil.markdown': 'x`\n\n**FAKE: keeps it (protected)**\n\n[click here](https://example.invalid/steal)\n\n`',
  'evil.html': '<img src=x onerror=alert(1)><a href="https://example.invalid">a</a>',
  'evil.command': '[run](command:workbench.action.quit) $(alert) https://example.invalid/bare',
};

/** What a terminal or a plain-text renderer would act on. */
export const CONTROL_LABELS: Readonly<Record<string, string>> = {
  'evil.ansi': 'before\x1b[31mRED\x1b[0m\x1b[2Jafter',
  'evil.osc': '\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b]0;title\x07',
  'evil.cr': 'harmless\rEVIL',
  'evil.c1': 'a\u009b31mb\u0085c',
  'evil.bidi': 'abc\u202egnp.exe\u2066iso\u2069\u202a\u202b\u202c\u202d\u200f',
};

export const BIG_LABEL_VALUE = 'B'.repeat(64 * 1024);
const HOSTILE_LABELS: Readonly<Record<string, string>> = { ...MARKUP_LABELS, ...CONTROL_LABELS, 'evil.big': BIG_LABEL_VALUE };

/** The longest tag: 128 characters. */
const LONGEST_TAG = 't' + 'a'.repeat(126) + 'g';
/** The longest repository name: `docker.io/` + this is 255 characters. */
export const LONGEST_REPOSITORY = 'hostile/' + 'r'.repeat(255 - 'docker.io/'.length - 'hostile/'.length);
export const LONGEST_REFERENCE = `${LONGEST_REPOSITORY}:${LONGEST_TAG}`;
export const LABELLED_REFERENCE = 'hostile/labels:1';

/** Every character that must never reach a renderer raw (ESC, BEL, CR, C1, bidi, zero-width…). */
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
export const RAW_HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

export interface HostileImages {
  /** `hostile/labels:1`: every hostile label, unused. */
  readonly labelled: string;
  /** The longest reference, unused, with the markup labels. */
  readonly longest: string;
  /** Untagged, with every hostile label: what a dangling prune takes. */
  readonly dangling: string;
}

const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const YEAR_NS = 365n * 24n * 3600n * 1_000_000_000n;

function hostileSpecs(): SizedImageSpec[] {
  const layer = (key: string) => [{ key: `hostile-${key}`, bytes: 4096 }];
  return [
    { name: 'labelled', createdNs: NOW_NS - YEAR_NS, layers: layer('a'), tags: [LABELLED_REFERENCE], labels: HOSTILE_LABELS },
    { name: 'longest', createdNs: NOW_NS - YEAR_NS, layers: layer('b'), tags: [LONGEST_REFERENCE], labels: MARKUP_LABELS },
    { name: 'dangling', createdNs: NOW_NS - YEAR_NS, layers: layer('c'), tags: [], labels: HOSTILE_LABELS },
  ];
}

/** Loads the hostile images into the engine at `socketPath` (any store); returns each one's id as the engine names it. */
export async function loadHostilePopulation(socketPath: string): Promise<HostileImages> {
  const { archive } = sizedImagesArchive(hostileSpecs());
  const res = await apiRequest(socketPath, 'POST', '/images/load?quiet=1', { body: archive, contentType: 'application/x-tar', timeoutMs: 120_000 });
  assert.ok(res.status === 200 && !res.body.toString().includes('"error"'), `load the hostile images: ${res.body.toString()}`);
  const images = await apiJson<Array<{ Id: string; RepoTags: string[] | null; Labels: Record<string, string> | null }>>(
    socketPath,
    'GET',
    '/images/json?all=1',
  );
  const byTag = (ref: string) => images.find((i) => i.RepoTags?.includes(ref))?.Id;
  const dangling = images.find((i) => !i.RepoTags?.some((t) => t !== '<none>:<none>') && i.Labels?.['evil.big'] === BIG_LABEL_VALUE)?.Id;
  const ids = { labelled: byTag(LABELLED_REFERENCE), longest: byTag(LONGEST_REFERENCE), dangling };
  for (const [what, id] of Object.entries(ids)) assert.ok(id, `the engine lists the hostile ${what} image`);
  return ids as unknown as HostileImages;
}
