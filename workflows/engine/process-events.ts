// What a process tells other systems (signed webhooks): its events, each named `<subject>.<what>`
// (contract.signed, client.lost) and raised by the step that moves the process into one of its
// stages. Each process declares its own beside its rules; the engine raises them for every step,
// writes them with the step, and delivers them, knowing no process by name. Workflow-safe data.

export interface ProcessEvent {
  /** The wire name other systems subscribe to: stable once published. */
  type: string;
  /** One line for the API's documentation and the administrator's page. */
  summary: string;
  /** The stages whose reaching raises it: a step from another stage into one of them (never the first step). */
  reaching: readonly string[];
}

/** The events a step raises: those whose stages it reaches from another stage. */
export function eventsOfStep(events: readonly ProcessEvent[], from: string | null, to: string): ProcessEvent[] {
  if (from === null || from === to) return [];
  return events.filter((event) => event.reaching.includes(to));
}
