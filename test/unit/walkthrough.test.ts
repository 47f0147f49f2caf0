/**
 * The first-use walkthrough in the manifest holds together: every step is localised, its media file is in the
 * package and loads nothing remote, every command its links run and every completion event it waits for names a
 * command, view or setting that exists.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const nls = (lang = ''): Record<string, string> => JSON.parse(fs.readFileSync(path.join(ROOT, `package.nls${lang ? `.${lang}` : ''}.json`), 'utf8'));

/** Commands VS Code itself provides that the walkthrough may link to. */
const BUILT_IN = new Set(['workbench.action.openSettings']);

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string | Record<string, string>; svg?: string; altText?: string };
  completionEvents?: string[];
}

const contributes = manifest.contributes;
const commands = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));
const views = new Set<string>(
  Object.values(contributes.views as Record<string, Array<{ id: string }>>)
    .flat()
    .map((v) => v.id),
);
const settings = new Set(Object.keys(contributes.configuration.properties));
const walkthroughs = contributes.walkthroughs as Array<{ id: string; title: string; description: string; steps: Step[] }>;

function exists(command: string): boolean {
  if (commands.has(command) || BUILT_IN.has(command)) return true;
  const focus = /^(.*)\.focus$/.exec(command);
  return focus !== null && views.has(focus[1]!);
}

describe('walkthrough', () => {
  it('has the first-use steps, in order', () => {
    assert.strictEqual(walkthroughs.length, 1);
    assert.deepStrictEqual(
      walkthroughs[0]!.steps.map((s) => s.id),
      ['openView', 'preview', 'pruneDangling', 'auditLog', 'autoPrune'],
    );
  });

  it('every title and description is localised, in English and German', () => {
    const en = nls();
    const de = nls('de');
    for (const w of walkthroughs) {
      for (const text of [w.title, w.description, ...w.steps.flatMap((s) => [s.title, s.description])]) {
        const key = /^%(.+)%$/.exec(text)?.[1];
        assert.ok(key, `${text} is a %key%`);
        assert.ok(en[key], `${key} in package.nls.json`);
        assert.ok(de[key], `${key} in package.nls.de.json`);
      }
    }
  });

  it('every step’s media file is in the package and loads nothing remote', () => {
    for (const step of walkthroughs.flatMap((w) => w.steps)) {
      const files = [
        step.media.markdown,
        step.media.svg,
        ...(typeof step.media.image === 'string' ? [step.media.image] : Object.values(step.media.image ?? {})),
      ].filter((f): f is string => Boolean(f));
      assert.ok(files.length > 0, `${step.id} has media`);
      if (step.media.image || step.media.svg) assert.ok(step.media.altText, `${step.id}: an image needs altText`);
      for (const f of files) {
        assert.ok(f.startsWith('media/walkthrough/'), `${f} under media/walkthrough/`);
        const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
        assert.ok(!/(src|href)\s*=\s*["']?https?:|!\[[^\]]*\]\(\s*https?:|url\(\s*["']?https?:/i.test(text), `${f} loads nothing remote`);
      }
    }
  });

  it('every command a step links to exists', () => {
    for (const lang of ['', 'de']) {
      const texts = nls(lang);
      for (const step of walkthroughs.flatMap((w) => w.steps)) {
        const description = texts[step.description.slice(1, -1)]!;
        const linked = [...description.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]!);
        assert.ok(linked.length > 0, `${step.id} offers a button`);
        for (const c of linked) assert.ok(exists(c), `${step.id} (${lang || 'en'}): command ${c} is contributed (or a view's focus, or VS Code's own)`);
      }
    }
  });

  it('every completion event names a contributed command, view or setting', () => {
    for (const step of walkthroughs.flatMap((w) => w.steps)) {
      assert.ok(step.completionEvents?.length, `${step.id} completes on an event`);
      for (const e of step.completionEvents!) {
        const [kind, name] = [e.slice(0, e.indexOf(':')), e.slice(e.indexOf(':') + 1)];
        if (kind === 'onCommand') assert.ok(commands.has(name), `${step.id}: ${e}`);
        else if (kind === 'onView') assert.ok(views.has(name), `${step.id}: ${e}`);
        else if (kind === 'onSettingChanged') assert.ok(settings.has(name), `${step.id}: ${e}`);
        else assert.fail(`${step.id}: unexpected completion event ${e}`);
      }
    }
  });

  it('the auto-prune step opens the settings filtered to auto-prune', () => {
    const description = nls()['walkthrough.autoPrune.description']!;
    const link = /\(command:workbench\.action\.openSettings\?([^)]*)\)/.exec(description);
    assert.ok(link, description);
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(link[1]!)), ['dockerPrune.autoPrune']);
  });
});
