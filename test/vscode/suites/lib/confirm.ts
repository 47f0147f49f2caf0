/** The one seam: answers the modal confirmation and records what it was asked. */
import type { ConfirmAnswer, ConfirmRequest } from '../../../../src/vscode/prune/confirmation';
import { api } from './host';

export async function answerConfirmation(answer: ConfirmAnswer | ((req: ConfirmRequest) => ConfirmAnswer)): Promise<ConfirmRequest[]> {
  const calls: ConfirmRequest[] = [];
  (await api()).setConfirmation(async (req) => {
    calls.push(req);
    return typeof answer === 'function' ? answer(req) : answer;
  });
  return calls;
}

export async function restoreConfirmation(): Promise<void> {
  (await api()).setConfirmation(undefined);
}
