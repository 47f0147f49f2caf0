/**
 * The documents point at real things: in README.md, CONTRIBUTING.md and docs/*.md every relative link resolves (the
 * file, and the heading when it names one), every source path they cite (`src/…`, `test/…`, `scripts/…`, `bench/…`,
 * `tools/…`) exists, every `dockerPrune.*` command or setting they name is contributed by package.json, and every
 * `npm run` script exists. So a rename in the code that leaves the text behind fails here.
 * (The `docker-prune` examples themselves are run against a real engine by test/integration/readmeExamples.test.ts.)
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');

/** The documents this test reads, relative to the repository root. */
export function documentFiles(root = ROOT): string[] {
  const docs = fs.existsSync(path.join(root, 'docs'))
    ? fs
        .readdirSync(path.join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`)
    : [];
  return ['README.md', 'CONTRIBUTING.md', ...docs.sort()];
}

/** GitHub's heading anchors: lower case, punctuation dropped (letters, digits, `-`, `_` and spaces stay), spaces to `-`, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCodeBlocks(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]!.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The text with fenced code blocks blanked (their lines kept, so line numbers stay right). */
function withoutCodeBlocks(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** Markdown link targets `[text](target)` and `![alt](target)` outside code blocks and inline code. */
export function linkTargets(markdown: string): string[] {
  const prose = withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '``');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** Repository paths the text cites, in code or prose: `src/…`, `test/…`, `scripts/…`, `bench/…`, `tools/…`. */
export function citedPaths(markdown: string): string[] {
  const found = new Set<string>();
  for (const m of markdown.matchAll(/(?<![\w.~/$-])((?:src|test|scripts|bench|tools)\/[\w./*-]*[\w*/])/g)) {
    // A glob (`test/vscode/suites/*`) stands for its folder.
    found.add(m[1]!.replace(/\/?\*.*$/, '').replace(/\/$/, ''));
  }
  return [...found];
}

/** `dockerPrune.*` identifiers the text names (commands, settings, the view). */
export function citedIds(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/(?<![\w/.-])dockerPrune\.[A-Za-z][\w.]*\w/g)].map((m) => m[0]))];
}

/** `npm run NAME` scripts the text names. */
export function citedScripts(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]!))];
}

interface Manifest {
  scripts: Record<string, string>;
  contributes: {
    commands: Array<{ command: string }>;
    configuration: { properties: Record<string, unknown> };
    views: Record<string, Array<{ id: string }>>;
  };
}

describe('the documents (README, CONTRIBUTING, docs/) cite what exists', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
  const settings = Object.keys(manifest.contributes.configuration.properties);
  const known = new Set([
    ...manifest.contributes.commands.map((c) => c.command),
    ...settings,
    ...Object.values(manifest.contributes.views)
      .flat()
      .map((v) => v.id),
  ]);
  const files = documentFiles();
  const text = new Map(files.map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]));

  it('finds the README, CONTRIBUTING.md and the docs/ pages', () => {
    for (const f of ['README.md', 'CONTRIBUTING.md', 'docs/cli.md', 'docs/architecture.md'])
      assert.ok(files.includes(f) && fs.existsSync(path.join(ROOT, f)), f);
  });

  it('every relative link resolves: the file, and the heading when the link names one', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const [file, md] of text) {
      for (const target of linkTargets(md)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, command: …
        checked++;
        const [rel, anchor] = target.split('#', 2) as [string, string | undefined];
        const resolved = rel === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(rel));
        if (!fs.existsSync(resolved)) {
          broken.push(`${file}: ${target} (no ${path.relative(ROOT, resolved)})`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !headingAnchors(fs.readFileSync(resolved, 'utf8')).has(anchor))
          broken.push(`${file}: ${target} (no heading #${anchor} in ${path.relative(ROOT, resolved)})`);
      }
    }
    assert.deepStrictEqual(broken, []);
    assert.ok(checked >= 30, `${checked} relative links checked`);
  });

  it('the README links into docs/, not into src/ or test/', () => {
    const intoCode = linkTargets(text.get('README.md')!).filter((t) => /^(\.\/)?(src|test)\//.test(t));
    assert.deepStrictEqual(intoCode, []);
  });

  /** Every document's citations (`cite`) that fail `exists`, as `file: citation`; asserts there are none and at least `least` were checked. */
  function checkCitations(cite: (md: string) => string[], exists: (citation: string) => boolean, least: number): void {
    const cited = [...text].flatMap(([file, md]) => cite(md).map((c) => ({ file, c })));
    assert.deepStrictEqual(
      cited.filter(({ c }) => !exists(c)).map(({ file, c }) => `${file}: ${c}`),
      [],
    );
    assert.ok(cited.length >= least, `${cited.length} checked`);
  }

  it('every src/, test/, scripts/, bench/ and tools/ path cited exists', () => {
    checkCitations(citedPaths, (p) => fs.existsSync(path.join(ROOT, p)), 20);
  });

  it('every dockerPrune.* command, setting or view named is contributed by package.json', () => {
    // A settings section (`dockerPrune.autoPrune`, as the Settings editor filters by it) names its settings.
    checkCitations(citedIds, (id) => known.has(id) || settings.some((s) => s.startsWith(`${id}.`)), 30);
  });

  it('the README names every contributed command and setting', () => {
    const readme = text.get('README.md')!;
    // The settings table may abbreviate a sibling as `.mode` after `dockerPrune.statusBar.enabled` / …
    const missing = [...manifest.contributes.commands.map((c) => c.command), ...settings].filter(
      (id) => !readme.includes(id) && !readme.includes(`/ \`.${id.split('.').pop()!}\``),
    );
    assert.deepStrictEqual(missing, []);
  });

  it('every `npm run` script named exists in package.json', () => {
    checkCitations(citedScripts, (name) => name in manifest.scripts, 5);
  });
});

describe('the documents test finds what it checks', () => {
  it('anchors follow GitHub: punctuation dropped, spaces to dashes, repeats numbered', () => {
    const a = headingAnchors(
      '# Docker Prune\n## Last used: prune what nobody uses anymore\n### The default engine: the one `docker` would use\n## SSH\n## SSH\n```sh\n# not a heading\n```\n',
    );
    assert.deepStrictEqual([...a], ['docker-prune', 'last-used-prune-what-nobody-uses-anymore', 'the-default-engine-the-one-docker-would-use', 'ssh', 'ssh-1']);
  });

  it('links outside code, cited paths in code and prose, ids and scripts', () => {
    const md =
      'See [a](docs/a.md#x) and ![p](media/p.png).\n`[not](a link)` `src/core/model.ts`, test/unit/ and `test/vscode/suites/*`; ~/.cache/src/x and out/test/unit/x.js are not\n```sh\n[x](y)\n```\n`dockerPrune.autoPrune.enabled`, dockerPrune.preview, not test/ui/dockerPrune.ui.ts. `npm run l10n`';
    assert.deepStrictEqual(linkTargets(md), ['docs/a.md#x', 'media/p.png']);
    assert.deepStrictEqual(citedPaths(md), ['src/core/model.ts', 'test/unit', 'test/vscode/suites', 'test/ui/dockerPrune.ui.ts']);
    assert.deepStrictEqual(citedIds(md), ['dockerPrune.autoPrune.enabled', 'dockerPrune.preview']);
    assert.deepStrictEqual(citedScripts(md), ['l10n']);
  });
});
