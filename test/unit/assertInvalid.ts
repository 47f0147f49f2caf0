import * as assert from 'assert';
import { InvalidInputError } from '../../src/core/errors';

/** `fn` throws an InvalidInputError whose message contains every one of `includes`. */
export function assertInvalid(fn: () => unknown, ...includes: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InvalidInputError, `expected InvalidInputError, got ${String(e)}`);
    for (const s of includes) assert.ok(e.message.includes(s), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(s)}`);
    return true;
  });
}
