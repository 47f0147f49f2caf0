/**
 * Reads an engine's answer body from its response stream, holding at most a fixed number of bytes: an engine that
 * sends an endless or absurdly large answer is cut off at the cap instead of filling memory, and a connection that
 * closes before the answer is complete is noticed at once (not at the request's time limit).
 */
import type { IncomingMessage } from 'http';
import { finished } from 'stream';

/**
 * The most an image or container list, `/system/df` or image history may hold. A real `/images/json?all=1` is about
 * 0.3 KB per image on Docker 20.10 and 0.6 KB on Docker 28's containerd store (measured with the test population:
 * 4,659 bytes for 16 images; 33,992 bytes for 60), so a 20,000-image engine answers about 12 MB, and even at 2 KB
 * an image (long names, many labels) 40 MB; 256 MiB leaves over sixfold room on that, while one answer never
 * holds more memory than this.
 */
export const LIST_ANSWER_CAP_BYTES = 256 * 1024 * 1024;

/** The most any other answer (`/info`, `/version`, one image or container, a delete) may hold. */
export const ITEM_ANSWER_CAP_BYTES = 16 * 1024 * 1024;

/** The longest line an event stream may send (a real event is under a few KB). */
export const EVENT_LINE_CAP_BYTES = 1024 * 1024;

/** The answer went past its cap: it was cut there and not used. */
export class AnswerTooLargeError extends Error {
  constructor(readonly capBytes: number) {
    super(`the answer is larger than ${capBytes} bytes`);
    this.name = 'AnswerTooLargeError';
  }
}

/** The connection ended before the answer was complete. */
export class AnswerCutShortError extends Error {
  constructor(
    readonly receivedBytes: number,
    override readonly cause: unknown,
  ) {
    super(`the connection closed after ${receivedBytes} bytes of the answer`);
    this.name = 'AnswerCutShortError';
  }
}

/** The whole body, or a rejection: AnswerTooLargeError past `capBytes`, AnswerCutShortError on an early close. */
export function readAnswer(res: IncomingMessage, capBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > capBytes) {
        tooLarge = true;
        chunks.length = 0; // let go of what was held before the stream is torn down
        res.destroy();
        return;
      }
      chunks.push(chunk);
    });
    finished(res, (err) => {
      if (tooLarge) reject(new AnswerTooLargeError(capBytes));
      else if (err) reject(new AnswerCutShortError(received, err));
      else resolve(Buffer.concat(chunks, received));
    });
  });
}

/** The answer is not JSON (or not all of it). */
export class AnswerNotJsonError extends Error {
  constructor(
    reason: string,
    readonly bytes: number,
  ) {
    super(`it is not JSON (${reason}; ${bytes} bytes)`);
    this.name = 'AnswerNotJsonError';
  }
}

/** A JSON body, parsed; AnswerNotJsonError when it is empty or not JSON. */
export function parseAnswer(body: Buffer): unknown {
  if (body.length === 0) throw new AnswerNotJsonError('the answer is empty', 0);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (e) {
    throw new AnswerNotJsonError(e instanceof Error ? e.message : String(e), body.length);
  }
}

/** An error status's body: the engine's JSON (`{"message": …}`) when it is JSON, else its text. */
export function parseOrText(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return body.toString('utf8');
  }
}
