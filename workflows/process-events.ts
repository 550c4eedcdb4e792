// Every process's events (webhooks), by process type: the one list the step recorder raises them
// from and the API documents and validates subscriptions against. A process is added here, once.
import type { ProcessType } from '../domain/processes';
import { ACCOUNT_EVENTS } from './account/rules';
import { AMENDMENT_EVENTS } from './amendment/rules';
import { CONTRACT_EVENTS } from './contract/rules';
import type { ProcessEvent } from './engine/process-events';
import { ONBOARDING_EVENTS } from './onboarding/rules';

export const PROCESS_EVENTS: Readonly<Record<ProcessType, readonly ProcessEvent[]>> = {
  contract: CONTRACT_EVENTS,
  onboarding: ONBOARDING_EVENTS,
  account: ACCOUNT_EVENTS,
  amendment: AMENDMENT_EVENTS,
};

/** Every event type there is, in the order the processes list them. */
export const EVENT_TYPES: readonly string[] = Object.values(PROCESS_EVENTS).flatMap((events) => events.map((event) => event.type));
