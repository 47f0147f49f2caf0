import * as assert from 'assert';
import { needsRebuild, rowWindow, WHOLE_TABLE_ROWS } from '../../src/webview/planView/rowWindow';

describe('plan view row window (which rows of a long table are built)', () => {
  const H = 20;
  const VIEW = 400; // 20 rows on screen

  it('builds the rows on screen and a margin after them when the table starts on screen', () => {
    assert.deepStrictEqual(rowWindow(20_000, H, 100, VIEW, 10), { start: 0, end: 15 + 10 });
  });

  it('builds a margin on both sides once scrolled into the middle', () => {
    // Row 0 is 10,000 px above the viewport's top: rows 500..520 are on screen.
    assert.deepStrictEqual(rowWindow(20_000, H, -10_000, VIEW, 10), { start: 490, end: 530 });
  });

  it('stops at the last row', () => {
    assert.deepStrictEqual(rowWindow(200, H, -3_900, VIEW, 10), { start: 185, end: 200 });
  });

  it('builds only the margin of a table below the screen, and nothing of one far above it', () => {
    assert.deepStrictEqual(rowWindow(1_000, H, VIEW + 5_000, VIEW, 10), { start: 0, end: 0 });
    assert.deepStrictEqual(rowWindow(1_000, H, VIEW + 100, VIEW, 10), { start: 0, end: 5 });
    assert.deepStrictEqual(rowWindow(1_000, H, -1_000 * H - 5_000, VIEW, 10), { start: 1_000, end: 1_000 });
  });

  it('builds a short table whole, even off screen', () => {
    assert.deepStrictEqual(rowWindow(12, H, 50, VIEW), { start: 0, end: 12 });
    assert.deepStrictEqual(rowWindow(WHOLE_TABLE_ROWS, H, VIEW + 5_000, VIEW), { start: 0, end: WHOLE_TABLE_ROWS });
    assert.deepStrictEqual(rowWindow(0, H, 50, VIEW), { start: 0, end: 0 });
    assert.strictEqual(needsRebuild({ start: 0, end: 12 }, 12, H, -5_000, VIEW), false);
    assert.strictEqual(needsRebuild({ start: 0, end: 5 }, 12, H, -5_000, VIEW), true);
  });

  it('rebuilds only when the built rows stop covering the screen with half the margin', () => {
    const built = rowWindow(20_000, H, -10_000, VIEW, 10); // 490..530
    assert.strictEqual(needsRebuild(built, 20_000, H, -10_000, VIEW, 10), false);
    assert.strictEqual(needsRebuild(built, 20_000, H, -10_000 - 4 * H, VIEW, 10), false, 'four rows on: 504..524 + 5 each side is inside');
    assert.strictEqual(needsRebuild(built, 20_000, H, -10_000 - 6 * H, VIEW, 10), true, 'six rows on: needs row 531');
    assert.strictEqual(needsRebuild(built, 20_000, H, -10_000 + 6 * H, VIEW, 10), true, 'six rows back: needs row 489');
  });

  it('leaves a table that went off screen as it is', () => {
    const built = { start: 0, end: 50 };
    assert.strictEqual(needsRebuild(built, 1_000, H, VIEW + 5_000, VIEW, 10), false);
    assert.strictEqual(needsRebuild(built, 1_000, H, -1_000 * H - 5_000, VIEW, 10), false);
  });

  it('covers the whole screen at any scroll position (no blank rows on screen)', () => {
    for (let top = 500; top > -20_000 * H; top -= 7_919) {
      const w = rowWindow(20_000, H, top, VIEW);
      const firstOnScreen = Math.max(0, Math.floor(-top / H));
      const lastOnScreen = Math.min(20_000, Math.ceil((VIEW - top) / H));
      if (firstOnScreen >= lastOnScreen) continue;
      assert.ok(w.start <= firstOnScreen && w.end >= lastOnScreen, `top ${top}: built ${w.start}..${w.end}, on screen ${firstOnScreen}..${lastOnScreen}`);
      assert.ok(w.end - w.start <= VIEW / H + 2 + 80, 'a screenful and the margins, never the whole table');
    }
  });
});
