/**
 * axe-core inside a webview's page: its source is evaluated in the page's own frame (through the browser's
 * debugging protocol, so the page's CSP, which allows only its own nonce'd script, does not apply), then
 * axe.run checks the page as it is drawn now, in the workbench's current theme.
 */
import * as assert from 'assert';
import * as axe from 'axe-core';
import type { FrameLocator } from './planView.ui';

interface Frame {
  evaluate<T>(expression: string): Promise<T>;
}
interface HandleInFrame {
  ownerFrame(): Promise<Frame | null>;
}

/** The serious and critical violations axe finds in the page, one line each: rule, impact, help, where. */
async function seriousViolations(page: FrameLocator): Promise<string[]> {
  const handle = await (page.locator('html') as unknown as { elementHandle(): Promise<HandleInFrame> }).elementHandle();
  const frame = await handle.ownerFrame();
  assert.ok(frame, 'the page has a frame');
  if (!(await frame.evaluate<boolean>('typeof axe === "object"'))) await frame.evaluate(`${axe.source};0`);
  return frame.evaluate<string[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join(', ')))`);
}

/** Fails with axe's findings unless the page has no serious or critical violation. */
export async function assertAccessible(page: FrameLocator, where: string): Promise<void> {
  const found = await seriousViolations(page);
  assert.deepStrictEqual(found, [], `axe-core: serious or critical violations in ${where}:\n  ${found.join('\n  ')}`);
}
