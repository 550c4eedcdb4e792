// What every contract must satisfy whatever was thrown at it: its timeline is a path through the
// state diagram (README), and the registry says what the workflow says.
import { expect } from 'vitest';
import { stateQuery } from '../../workflows/contract/messages';
import type { Harness, Person } from './harness';

/** The README's state diagram; steps that keep the status (reminders, follow-ups, renewal) are from === to. */
const TRANSITIONS: Record<string, string[]> = {
  null: ['pending_legal_approval', 'pending_signature'],
  pending_legal_approval: ['pending_signature', 'changes_requested', 'rejected', 'cancelled'],
  changes_requested: ['pending_legal_approval', 'cancelled'],
  pending_signature: ['ready_to_send', 'cancelled'],
  ready_to_send: ['sent', 'cancelled'],
  sent: ['scan_received', 'original_received', 'cancelled'],
  scan_received: ['original_received', 'cancelled'],
  original_received: ['active', 'cancelled'],
  active: ['expired', 'cancelled'],
  rejected: [],
  expired: [],
  cancelled: [],
};
const FINAL = ['rejected', 'expired', 'cancelled'];

export interface TimelineEvent {
  step: string;
  from: string | null;
  to: string;
}

export async function timelineOf(h: Harness, reader: Person, number: string): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  let cursor: string | null | undefined;
  do {
    const query = cursor ? `?limit=200&cursor=${encodeURIComponent(cursor)}` : '?limit=200';
    const res = await h.request('GET', `/api/contracts/${number}/timeline${query}`, { token: reader.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    events.push(...(res.body.events ?? res.body.items));
    cursor = res.body.nextCursor;
  } while (cursor);
  return events;
}

/** Asserts the timeline is a path through the diagram and the registry equals the workflow's state. */
export async function expectConsistent(h: Harness, reader: Person, number: string): Promise<{ status: string; events: TimelineEvent[] }> {
  const events = await timelineOf(h, reader, number);
  let at: string | null = null;
  for (const [i, e] of events.entries()) {
    const where = `event ${i} (${e.step}) of ${number}: ${JSON.stringify(events.map((x) => `${x.step}:${x.from}->${x.to}`))}`;
    expect(e.from, where).toBe(at);
    if (e.from !== e.to) expect(TRANSITIONS[String(e.from)], where).toContain(e.to);
    else expect(FINAL, where).not.toContain(e.to);
    at = e.to;
  }
  const registry = await h.request('GET', `/api/contracts/${number}`, { token: reader.token });
  expect(registry.body.status).toBe(at);
  const workflow = await h.temporal.workflow.getHandle(registry.body.workflowId).query(stateQuery);
  expect(workflow.status, `workflow and registry of ${number}`).toBe(registry.body.status);
  if (FINAL.includes(registry.body.status)) expect(registry.body.openTasks).toEqual([]);
  return { status: registry.body.status, events };
}
