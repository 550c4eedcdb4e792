// The onboarding's clocks: the SLA chase of whatever it waits on (a reminder to its owner, then an
// escalation to the head of key accounts) and, in implementation, each checklist item reminded and
// escalated when overdue. Deadlines of the engine's clock, acted on through the step lock.
import type { Recipient, TaskSpec } from '../../activities/types';
import type { OnboardingStep } from '../../activities/onboarding/types';
import { slaChase, type Deadline } from '../engine/deadlines';
import type { ProcessRun, StepInput } from '../engine/process-run';
import { CHECKLIST, type OnboardingSla, type OnboardingStage, type OnboardingTaskKind } from './rules';
import type { OnboardingState } from './state';

/** What the clocks use of the onboarding's run. */
export interface OnboardingClockParts {
  run: ProcessRun<OnboardingState, OnboardingStep>;
  sla: OnboardingSla;
  record(step: string, to: OnboardingStage, extra?: StepInput<OnboardingStep>): Promise<void>;
  task(kind: OnboardingTaskKind, title: string, assignee: Recipient, ref?: string): TaskSpec;
  manager(): Recipient;
}

export function onboardingClocks({ run, sla, record, task, manager }: OnboardingClockParts) {
  const s = () => run.state;

  const stageChase = (owner: () => Recipient, what: string): Deadline[] =>
    slaChase({
      since: () => s().waitSince,
      remindAfterMs: sla.stepReminderAfterMs,
      escalateAfterMs: sla.stepEscalationAfterMs,
      reminded: () => s().waitReminded,
      escalated: () => s().waitEscalated,
      remind: async () => {
        s().waitReminded = true;
        await record('reminder', s().stage, {
          notifications: [{ kind: 'reminder', message: `Reminder: the onboarding waits for ${what}`, recipient: owner() }],
        });
      },
      escalate: async () => {
        s().waitEscalated = true;
        await record('escalation', s().stage, {
          openTasks: [
            task(
              'escalation',
              `The onboarding has been waiting for ${what}: see that it moves`,
              { role: 'kam_head' },
              `escalation:${s().seq}`,
            ),
          ],
          notifications: [{ kind: 'escalation', message: `The onboarding was escalated: ${what} overdue`, recipient: owner() }],
        });
      },
    });

  const checklistDeadlines = (): Deadline[] =>
    CHECKLIST.flatMap((c) => {
      const owner = (): Recipient => (c.role === 'manager' ? manager() : { role: c.role });
      const pending = () => !s().checklistDone.includes(c.item);
      return [
        {
          at: () => (pending() && !s().checklistReminded.includes(c.item) ? s().implementationSince! + sla.checklistDueMs : Infinity),
          fire: async () => {
            s().checklistReminded = [...s().checklistReminded, c.item];
            await record('checklist_overdue', 'implementation', {
              details: { item: c.item },
              notifications: [{ kind: 'reminder', message: `Overdue: ${c.title}`, recipient: owner() }],
            });
          },
        },
        {
          at: () =>
            pending() && !s().checklistEscalated.includes(c.item) ? s().implementationSince! + sla.checklistEscalationMs : Infinity,
          fire: async () => {
            s().checklistEscalated = [...s().checklistEscalated, c.item];
            await record('checklist_escalation', 'implementation', {
              details: { item: c.item },
              openTasks: [
                task('escalation', `Overdue onboarding item: ${c.title}`, { role: 'kam_head' }, `checklist:${c.item}:escalation`),
              ],
            });
          },
        },
      ];
    });

  return { stageChase, checklistDeadlines };
}
