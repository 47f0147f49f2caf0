/**
 * Engine text (labels, tags, names, messages) shown safely: every hostile class made visible as an escape,
 * never raw; long values cut with an ellipsis; Markdown-literal text that no renderer can read as Markdown.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DISPLAY_MAX_CHARS, displayLines, displayText } from '../../src/core/format/displayText';
import { iconLiteral, markdownLiteral } from '../../src/vscode/markdown/markdownLiteral';

/** Every character that must never reach a renderer raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const HIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/;

describe('displayText', () => {
  const cases: Array<[string, string, string]> = [
    ['ANSI CSI colour', 'a\x1b[31mred\x1b[0m', 'a\\x1b[31mred\\x1b[0m'],
    ['OSC 8 hyperlink with BEL', '\x1b]8;;http://x\x07link\x1b]8;;\x07', '\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07'],
    ['carriage return (overwrites the line)', 'safe\rEVIL', 'safe\\x0dEVIL'],
    ['newline and blank line', 'a\n\nb', 'a\\x0a\\x0ab'],
    ['tab, NUL, backspace, DEL', 'a\tb\x00c\x08d\x7f', 'a\\x09b\\x00c\\x08d\\u007f'],
    ['8-bit CSI (C1)', 'a\u009b31mb', 'a\\u009b31mb'],
    ['bidi override and isolates', 'abc\u202Egnp.exe\u2066x\u2069\u200f\u061c', 'abc\\u202egnp.exe\\u2066x\\u2069\\u200f\\u061c'],
    ['zero-width and separators', 'a\u200bb\u2028c\u2029d\ufeff', 'a\\u200bb\\u2028c\\u2029d\\ufeff'],
    ['lone surrogate', 'a\ud800b', 'a\\ud800b'],
  ];
  for (const [what, input, shown] of cases) {
    it(`shows ${what} escaped`, () => {
      const out = displayText(input);
      assert.strictEqual(out, shown);
      assert.ok(!HIDDEN_CHARS.test(out));
    });
  }

  it('keeps ordinary text, emoji and other scripts as they are', () => {
    for (const s of ['dp/app:1.2', 'maintainer=Jörg Müller <j@example.invalid>', 'ラベル', '👍🏽 ok', 'עברית', 'a\\b']) assert.strictEqual(displayText(s), s);
  });

  it('cuts a long value with an ellipsis, never splitting a surrogate pair or an escape', () => {
    const big = 'x'.repeat(65_536);
    const out = displayText(big);
    assert.strictEqual(out.length, DISPLAY_MAX_CHARS);
    assert.ok(out.endsWith('…'));
    assert.strictEqual(displayText('abcdef', 4), 'abc…');
    assert.strictEqual(displayText('abcd', 4), 'abcd');
    assert.strictEqual(displayText('ab👍cd', 4), 'ab…', 'the pair is left out whole');
    assert.strictEqual(displayText('ab\x1bcd', 6), 'ab…', 'no half escape before the ellipsis');
    assert.strictEqual(displayText('ab\u202ecd', 8), 'ab…');
    assert.strictEqual(displayText('a\\xyzzy', 4), 'a\\x…', 'a backslash of the value itself is kept');
    assert.strictEqual(displayText(big, Infinity), big);
  });

  it('displayLines keeps newlines and tabs, escapes the rest, and leaves JSON the same JSON', () => {
    assert.strictEqual(displayLines('a\tb\nc\x1b[2Jd\re'), 'a\tb\nc\\x1b[2Jd\\x0de');
    const value = { label: 'x\x1b]8;;http://x\x07\u202e\u009b\u007f\n`**FAKE**`' };
    const json = displayLines(JSON.stringify(value));
    assert.ok(!HIDDEN_CHARS.test(json));
    assert.deepStrictEqual(JSON.parse(json), value, 'the exact value round-trips');
  });
});

describe('markdownLiteral', () => {
  const hostile =
    'x`\n\n**FAKE: keeps it (protected)**\n\n[click](https://example.invalid) <img src=x onerror=alert(1)> [run](command:workbench.action.quit) $(alert) &#x5b; https://example.invalid _em_ # h | t';

  it('escapes every Markdown-significant character and leaves no newline', () => {
    const md = markdownLiteral(hostile, Infinity);
    assert.ok(!/[\n\r]/.test(md));
    // Every ASCII punctuation character is preceded by a backslash (so none is syntax).
    // (`\\$\(` is VS Code's escaped icon: a literal backslash, then `$(`, which its icon pass leaves as text.)
    const unescaped = md
      .replace(/\\\\\$\\\(/g, '')
      .replace(/\\[!-/:-@[-`{-~]/g, '')
      .match(/[!-/:-@[-`{-~]/g);
    assert.strictEqual(unescaped, null, `unescaped: ${unescaped?.join(' ')}`);
    for (const s of ['\\*\\*FAKE', '\\[click\\]\\(https\\:\\/\\/example\\.invalid\\)', '\\<img', '\\\\$\\(alert\\)', '\\&\\#x5b\\;', 'command\\:'])
      assert.ok(md.includes(s), s);
  });

  it('reads back as the displayed text once the escapes are removed', () => {
    // Markdown's unescaping, then VS Code's icon pass (an escaped `\$(` shows as `$(`).
    const rendered = markdownLiteral(hostile, Infinity)
      .replace(/\\([!-/:-@[-`{-~])/g, '$1')
      .replace(/\\\$\(/g, '$(');
    assert.strictEqual(rendered, displayText(hostile, Infinity));
  });

  it('cuts long values and escapes controls first', () => {
    const md = markdownLiteral('a'.repeat(70_000));
    assert.strictEqual(md.length, DISPLAY_MAX_CHARS);
    assert.ok(md.endsWith('…'));
    assert.strictEqual(markdownLiteral('\x1b[31m'), '\\\\x1b\\[31m');
  });
});

describe('iconLiteral', () => {
  it('escapes theme icons as VS Code does, on one visible, cut line', () => {
    assert.strictEqual(iconLiteral('a $(alert) b $(x~spin)'), 'a \\$(alert) b \\$(x~spin)');
    assert.strictEqual(iconLiteral('no\nicons\x1b'), 'no\\x0aicons\\x1b');
    assert.strictEqual(iconLiteral('x'.repeat(300)).length, DISPLAY_MAX_CHARS);
  });
});

describe('engine text escaping in the sources', () => {
  // JavaScript's global escape() (Annex B, declared by TypeScript's own lib) percent-encodes: a call meant for a
  // Markdown escaper that was renamed compiles and then shows "Source%3A%20loaded…" in a tooltip.
  it('no source file calls the global escape() or unescape()', () => {
    const root = path.join(__dirname, '..', '..', '..', 'src');
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
    const calls = files(root).flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/(^|[^.\w$])(un)?escape\(/.test(line) && !/function (un)?escape\(/.test(line) ? [`${path.relative(root, f)}:${i + 1}`] : [])),
    );
    assert.deepStrictEqual(calls, []);
  });
});
