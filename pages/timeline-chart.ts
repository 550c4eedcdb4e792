// A process's timeline as bars on a time axis: one bar per wait (a task, from when it opened to
// when it was done, or to now while it is open), on whom it was and how long it took; its steps
// as marks on the axis. Coordinates only: the SVG is drawn by templates/pages/partials/timeline.hbs.
import type { TaskSpan } from '../db/processes';
import type { TimelineItem } from '../db/timelines';

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  labelY: number;
  kind: string;
  title: string;
  /** On whom the wait was: a person, or a role while it waited on anyone holding it. */
  assigneeName: string | null;
  assigneeRole: string;
  ms: number;
  open: boolean;
  late: boolean;
}

export interface ChartMark {
  x: number;
  step: string;
  at: Date;
  who: string | null;
}

export interface TimelineChart {
  width: number;
  height: number;
  axisY: number;
  bars: ChartBar[];
  marks: ChartMark[];
  ticks: { x: number; at: Date }[];
  /** How precisely the ticks are labelled: by the second for a span of minutes, by the day for months. */
  tickStyle: 'seconds' | 'minutes' | 'days';
}

const WIDTH = 960;
const PAD = 8;
const ROW = 40;
const TOP = 24;

export function timelineChart(tasks: readonly TaskSpan[], steps: readonly TimelineItem[], startedAt: Date, until: Date): TimelineChart {
  const from = Math.min(startedAt.getTime(), ...tasks.map((t) => t.openedAt.getTime()), ...steps.map((s) => s.at.getTime()));
  const to = Math.max(until.getTime(), from + 1_000);
  const x = (ms: number) => PAD + ((ms - from) / (to - from)) * (WIDTH - 2 * PAD);
  const bars = tasks.map((task, i) => {
    const end = task.closedAt?.getTime() ?? until.getTime();
    const y = TOP + i * ROW + 18;
    return {
      x: x(task.openedAt.getTime()),
      y,
      labelY: y - 5,
      width: Math.max(2, x(end) - x(task.openedAt.getTime())),
      kind: task.kind,
      title: task.title,
      assigneeName: task.assigneeName,
      assigneeRole: task.assigneeRole,
      ms: end - task.openedAt.getTime(),
      open: task.closedAt === null,
      late: task.dueAt !== null && end > task.dueAt.getTime(),
    };
  });
  const axisY = TOP + tasks.length * ROW + 16;
  return {
    width: WIDTH,
    height: axisY + 34,
    axisY,
    bars,
    marks: steps.map((s) => ({ x: x(s.at.getTime()), step: s.step, at: s.at, who: s.actorName })),
    tickStyle: to - from < 3_600_000 ? 'seconds' : to - from < 7 * 86_400_000 ? 'minutes' : 'days',
    ticks: [0, 0.25, 0.5, 0.75, 1].map((f) => ({ x: PAD + f * (WIDTH - 2 * PAD), at: new Date(from + f * (to - from)) })),
  };
}
