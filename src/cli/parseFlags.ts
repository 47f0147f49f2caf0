import { parseArgs, type ParseArgsConfig } from 'util';
import { InvalidInputError } from '../core/errors';

/**
 * argv read by Node's parseArgs against a command's flag declarations (strict, positionals allowed); what it does not
 * accept is an InvalidInputError (exit code 2) in the CLI's words.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new InvalidInputError(`${(e as Error).message.replace(/\. To specify.*$/s, '.')} See "docker-prune --help".`);
  }
}
