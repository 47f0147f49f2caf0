/**
 * The CLI's flags are declared once (CLI_FLAGS, BUILDER_FLAGS: what parseArgs reads), and what tells users about
 * them is held to that declaration: the usage text and the docs name every flag, and name no flag that is not.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CLI_FLAGS } from '../../src/cli/args';
import { BUILDER_FLAGS } from '../../src/cli/builderArgs';
import { USAGE } from '../../src/cli/usage';

const root = path.join(__dirname, '..', '..', '..');
const doc = (name: string) => fs.readFileSync(path.join(root, 'docs', name), 'utf8');
const declared = (flags: object) => Object.entries(flags as Record<string, { short?: string }>).map(([name, f]) => ({ name, short: f.short }));
/** `--name` flags a text mentions (not `--` alone, not inside longer words). */
const mentioned = (text: string) => new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*[a-z])/g)].map((m) => m[1]!));

describe('CLI flags: declared once, documented from the declaration', () => {
  const all = new Set([...Object.keys(CLI_FLAGS), ...Object.keys(BUILDER_FLAGS)]);

  it('the usage text names every flag, with its short form, and no flag that is not declared', () => {
    for (const { name, short } of [...declared(CLI_FLAGS), ...declared(BUILDER_FLAGS)]) {
      assert.ok(USAGE.includes(`--${name}`), `--${name} in the usage text`);
      if (short) assert.match(USAGE, new RegExp(`(?<![\\w-])-${short}\\b`), `-${short} (--${name}) in the usage text`);
    }
    assert.deepStrictEqual(
      [...mentioned(USAGE)].filter((f) => !all.has(f)),
      [],
      'flags the usage text names but the CLI does not take',
    );
  });

  it("docs/cli.md's option table names every flag of plan, prune and audit; docs/build-cache.md every builder flag", () => {
    const cli = doc('cli.md');
    const table = cli.split('\n').filter((l) => l.startsWith('| `'));
    for (const { name } of declared(CLI_FLAGS)) {
      if (name === 'help' || name === 'version') assert.ok(cli.includes(`--${name}`), `--${name} in docs/cli.md`);
      else
        assert.ok(
          table.some((row) => row.includes(`--${name}`)),
          `--${name} in the option table of docs/cli.md`,
        );
    }
    const builder = doc('build-cache.md');
    for (const { name } of declared(BUILDER_FLAGS)) assert.ok(builder.includes(`--${name}`) || cli.includes(`--${name}`), `--${name} in docs/build-cache.md`);
    assert.deepStrictEqual(
      [...mentioned(table.join('\n'))].filter((f) => !all.has(f)),
      [],
      'flags the option table names but the CLI does not take',
    );
  });
});
