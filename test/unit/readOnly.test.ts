/**
 * One read-only refusal: the core's wording (which the prune runner raises) is the English key of the extension's
 * localised copy, so both front ends and the core say the same thing.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readOnlyRefusal } from '../../src/core/environments/readOnly';

describe('the read-only refusal', () => {
  it("is one wording: the core's text is the extension's l10n key", () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const bundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
    assert.ok(readOnlyRefusal('{0}') in bundle, `l10n/bundle.l10n.json has no ${JSON.stringify(readOnlyRefusal('{0}'))}`);
    const source = fs.readFileSync(path.join(root, 'src', 'vscode', 'prune', 'readOnlyText.ts'), 'utf8');
    assert.ok(source.includes(JSON.stringify(readOnlyRefusal('{0}')).slice(1, -1).replace(/\\"/g, '"')), 'readOnlyText.ts localises the same text');
  });
});
