/**
 * Localisation stays whole: l10n/bundle.l10n.json is what @vscode/l10n-dev exports from the sources today,
 * and every translation (l10n/bundle.l10n.<lang>.json, package.nls.<lang>.json) has exactly the English
 * keys, each with the same placeholders ({0}, $(codicon), #setting#, command links). Also the core's
 * locale-aware formatters: English unchanged for the CLI, German from Intl.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { getL10nJson } from '@vscode/l10n-dev';
import { formatAge, formatAgo, formatBytes, formatCount, formatPercent } from '../../src/core/format/units';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const L10N_DIR = path.join(ROOT, 'l10n');

const readJson = (file: string): Record<string, string> => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;

/** The files `vscode-l10n-dev export ./src` reads (npm run l10n). */
function scriptFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return scriptFiles(p);
    return /\.(ts|tsx|js|jsx)$/.test(e.name) ? [p] : [];
  });
}

/** What a translation must carry over unchanged. */
function placeholders(text: string): string[] {
  const found = text.match(/\{\d+\}|\$\([^)]*\)|#[\w.]+#|\(command:[^)]*\)/g) ?? [];
  return [...found].sort();
}

function translationsOf(dir: string, prefix: string): Array<{ language: string; file: string }> {
  return fs
    .readdirSync(dir)
    .map((f) => ({ f, m: new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.([a-z]{2,3}(?:-[a-z0-9]+)*)\\.json$`, 'i').exec(f) }))
    .filter((x) => x.m)
    .map((x) => ({ language: x.m![1]!, file: path.join(dir, x.f) }));
}

function checkTranslation(english: Record<string, string>, translated: Record<string, string>, what: string): void {
  const missing = Object.keys(english).filter((k) => !(k in translated));
  const extra = Object.keys(translated).filter((k) => !(k in english));
  assert.deepStrictEqual(missing, [], `${what} lacks translations (run npm run l10n, then translate the new strings)`);
  assert.deepStrictEqual(extra, [], `${what} has keys the English no longer has`);
  for (const [key, text] of Object.entries(translated)) {
    assert.ok(typeof text === 'string' && text.trim() !== '', `${what}: empty translation for ${JSON.stringify(key)}`);
    assert.deepStrictEqual(placeholders(text), placeholders(english[key]!), `${what}: placeholders differ for ${JSON.stringify(key)}: ${JSON.stringify(text)}`);
  }
}

describe('localisation', function () {
  this.timeout(60_000);

  it('l10n/bundle.l10n.json is what l10n-dev exports from src today', async () => {
    const files = scriptFiles(path.join(ROOT, 'src')).map((f) => ({ extension: path.extname(f), contents: fs.readFileSync(f, 'utf8') }));
    const exported = await getL10nJson(files);
    const committed = readJson(path.join(L10N_DIR, 'bundle.l10n.json'));
    const added = Object.keys(exported).filter((k) => !(k in committed));
    const gone = Object.keys(committed).filter((k) => !(k in exported));
    assert.deepStrictEqual({ added, gone }, { added: [], gone: [] }, 'l10n/bundle.l10n.json is stale: run npm run l10n');
    assert.deepStrictEqual(committed, exported);
  });

  it('there is a German translation of the runtime strings and of the manifest', () => {
    assert.ok(translationsOf(L10N_DIR, 'bundle.l10n').some((t) => t.language === 'de'));
    assert.ok(translationsOf(ROOT, 'package.nls').some((t) => t.language === 'de'));
  });

  it('every l10n/bundle.l10n.<lang>.json translates every runtime string, placeholders intact', () => {
    const english = readJson(path.join(L10N_DIR, 'bundle.l10n.json'));
    for (const t of translationsOf(L10N_DIR, 'bundle.l10n')) checkTranslation(english, readJson(t.file), path.basename(t.file));
  });

  it('every package.nls.<lang>.json translates every manifest string, placeholders intact', () => {
    const english = readJson(path.join(ROOT, 'package.nls.json'));
    for (const t of translationsOf(ROOT, 'package.nls')) checkTranslation(english, readJson(t.file), path.basename(t.file));
  });

  it('every %key% of package.json is in package.nls.json', () => {
    const manifest = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
    const english = readJson(path.join(ROOT, 'package.nls.json'));
    const used = [...manifest.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]!);
    assert.ok(used.length > 0);
    assert.deepStrictEqual(
      used.filter((k) => !(k in english)),
      [],
    );
  });

  it('the placeholder check catches a dropped or an added placeholder', () => {
    const english = { 'Remove {0} from {1}?': 'Remove {0} from {1}?', '$(trash) {0}': '$(trash) {0}' };
    assert.throws(() => checkTranslation(english, { 'Remove {0} from {1}?': '{0} entfernen?', '$(trash) {0}': '$(trash) {0}' }, 't'), /placeholders differ/);
    assert.throws(
      () => checkTranslation(english, { 'Remove {0} from {1}?': '{0} von {1} {2} entfernen?', '$(trash) {0}': '$(trash) {0}' }, 't'),
      /placeholders differ/,
    );
    assert.throws(
      () => checkTranslation(english, { 'Remove {0} from {1}?': '{0} von {1} entfernen?', '$(trash) {0}': '$(Papierkorb) {0}' }, 't'),
      /placeholders differ/,
    );
    assert.throws(() => checkTranslation(english, { 'Remove {0} from {1}?': '{0} von {1} entfernen?' }, 't'), /lacks translations/);
    checkTranslation(english, { 'Remove {0} from {1}?': '{0} von {1} entfernen?', '$(trash) {0}': '$(trash) {0}' }, 't');
  });
});

describe('locale formatting (core, Intl)', () => {
  const s = 1_000_000_000n;
  const now = 1_800_000_000n * s;

  it('English by default, as the CLI prints it', () => {
    assert.strictEqual(formatBytes(1_400_000_000), '1.4 GB');
    assert.strictEqual(formatBytes(999), '999 B');
    assert.strictEqual(formatBytes(-1_500_000), '-1.5 MB');
    assert.strictEqual(formatAge(now - 3n * 86400n * s, now), '3 days');
    assert.strictEqual(formatAge(now - 7n * 86400n * s, now), '1 week');
    assert.strictEqual(formatAge(now - 45n * s, now), '45 seconds');
    assert.strictEqual(formatAge(now - 1n * s, now), 'now');
    assert.strictEqual(formatAgo(now - 3n * 3600n * s, now), '3 hours ago');
    assert.strictEqual(formatCount(1234), '1,234');
    assert.strictEqual(formatPercent(80), '80%');
  });

  it('German from Intl: decimal comma, declined units, "vor" for the past', () => {
    assert.strictEqual(formatBytes(1_400_000_000, 'de'), '1,4 GB');
    assert.strictEqual(formatBytes(524_288_000, 'de'), '524 MB');
    assert.strictEqual(formatAge(now - 3n * 86400n * s, now, 'de'), '3 Tage');
    assert.strictEqual(formatAge(now - 86400n * s, now, 'de'), '1 Tag');
    assert.strictEqual(formatAgo(now - 3n * 86400n * s, now, 'de'), 'vor 3 Tagen');
    assert.strictEqual(formatAgo(now - 400n * 86400n * s, now, 'de'), 'vor 1 Jahr');
    assert.strictEqual(formatAge(now, now, 'de'), 'jetzt');
    assert.strictEqual(formatCount(1234, 'de'), '1.234');
    assert.strictEqual(formatPercent(80, 'de'), '80\u00a0%');
  });

  it('a language tag Intl rejects falls back to English', () => {
    assert.strictEqual(formatBytes(1_400_000_000, 'not a tag!'), '1.4 GB');
  });
});
