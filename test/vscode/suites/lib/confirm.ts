/** The seams: answer the modal confirmation (and a protected environment's typed name) and record what was asked. */
import type { ConfirmAnswer, ConfirmRequest, EnvironmentNameRequest } from '../../../../src/vscode/prune/confirmation';
import type { EnvironmentSession } from '../../../../src/vscode/environments/environmentSession';
import type { LoadedPopulation } from '../../../support/population';
import { api, freshDefaultSession, resetSettings } from './host';

export async function answerConfirmation(answer: ConfirmAnswer | ((req: ConfirmRequest) => ConfirmAnswer)): Promise<ConfirmRequest[]> {
  const calls: ConfirmRequest[] = [];
  (await api()).setConfirmation(async (req) => {
    calls.push(req);
    return typeof answer === 'function' ? answer(req) : answer;
  });
  return calls;
}

/** Types `name` into the protected environment's name prompt (undefined: the user cancels it). */
export async function answerEnvironmentName(name: string | undefined): Promise<EnvironmentNameRequest[]> {
  const calls: EnvironmentNameRequest[] = [];
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

/**
 * For a suite whose every test prunes: a freshly loaded population and the default session before each test, the
 * real confirmation and default settings after it. Its fields are filled in before each test.
 */
export function freshSessionEachTest(): { session: EnvironmentSession; loaded: LoadedPopulation; nameOf(id: string): string } {
  const fixture = { nameOf: (id: string) => fixture.loaded?.imageNames.get(id) ?? id } as {
    session: EnvironmentSession;
    loaded: LoadedPopulation;
    nameOf(id: string): string;
  };
  beforeEach(async () => Object.assign(fixture, await freshDefaultSession()));
  afterEach(async () => {
    await restoreConfirmation();
    await resetSettings();
  });
  return fixture;
}
