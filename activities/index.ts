// Every process's activities, built from their dependencies (a pool, the company's requisites):
// the engine's step recorder, which moves each process's record through its projection, and each
// process's own activities. A process is added here, once.
import type { ProcessType } from '../domain/processes';
import { accountActivities } from './account';
import { amendmentActivities } from './amendment';
import { contractActivities } from './contract';
import type { ActivityDeps, DraftDocument, ProcessActivities } from './engine/definition';
import type { Projections } from './engine/projection';
import { recordStepActivity } from './engine/record-step';
import { nonRetryableWhenPermanent } from './failures';
import { onboardingActivities } from './onboarding';
import { createDeliveryActivities } from './delivery';
import { deliveryConfig } from '../config/env';

export type { ActivityDeps } from './engine/definition';

const PROCESSES = {
  contract: contractActivities,
  onboarding: onboardingActivities,
  account: accountActivities,
  amendment: amendmentActivities,
} satisfies Record<ProcessType, ProcessActivities<any>>;

type Processes = typeof PROCESSES;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Every process's own activities, by the names their workflows call them. */
type OwnActivities = UnionToIntersection<{ [P in keyof Processes]: ReturnType<Processes[P]['activities']> }[keyof Processes]>;

export function createActivities(deps: ActivityDeps) {
  const projections = Object.fromEntries(Object.entries(PROCESSES).map(([type, p]) => [type, p.projection])) as Projections;
  const delivery = createDeliveryActivities({ db: deps.db, config: deliveryConfig(), ...deps.delivery });
  const recordStep = recordStepActivity(deps.db, projections, {
    planning: { mailDomain: deps.delivery?.mail ? deps.delivery.config.mail?.domain : undefined },
    dispatch: deps.delivery?.dispatcher?.stepNews,
  });
  const all: Record<string, (...args: any[]) => Promise<unknown>> = { recordStep, ...delivery };
  for (const process of Object.values(PROCESSES)) Object.assign(all, process.activities(deps));
  // Errors a retry cannot fix come back non-retryable, so a step fails at once and is undone.
  const wrapped = Object.fromEntries(Object.entries(all).map(([name, fn]) => [name, nonRetryableWhenPermanent(name, fn)]));
  return wrapped as { recordStep: ReturnType<typeof recordStepActivity> } & ReturnType<typeof createDeliveryActivities> & OwnActivities;
}

/** The drafts of the processes that have one (a contract as it would be signed), by process type. */
export function processDrafts(deps: ActivityDeps): Partial<Record<ProcessType, (processId: string) => Promise<DraftDocument | undefined>>> {
  return Object.fromEntries(
    Object.entries(PROCESSES).flatMap(([type, process]) => {
      const draft = (process as ProcessActivities<any>).draft;
      return draft ? [[type, draft(deps)]] : [];
    }),
  );
}
