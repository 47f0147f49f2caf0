import { EXT_HOST_MARK } from '../../harness/mark';

/** A line in the suite's output (the launcher forwards only the extension host's marked console lines). */
export function report(line: string): void {
  console.log(EXT_HOST_MARK + line);
}
