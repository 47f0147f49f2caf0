/** The seams: answer the modal confirmation (and a protected environment's typed name) and record what was asked. */
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

/** Types `name` into the protected environment's name prompt (undefined: the user cancels it). */
export async function answerEnvironmentName(name: string | undefined): Promise<ConfirmRequest[]> {
  const calls: ConfirmRequest[] = [];
  (await api()).setEnvironmentNameAnswer(async (req) => {
    calls.push(req);
    return name;
  });
  return calls;
}

export async function restoreConfirmation(): Promise<void> {
  const t = await api();
  t.setConfirmation(undefined);
  t.setEnvironmentNameAnswer(undefined);
}
