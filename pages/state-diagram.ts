// A process type's state diagram: its stages top to bottom in their order, and an arc for every
// move between two stages that processes of the type have made (read from the timelines, so the
// diagram shows the paths really taken, returns included), with this process's stage marked.
// Coordinates only; templates/pages/partials/state-diagram.hbs draws it.
import type { Pool } from 'pg';
import { observedTransitions } from '../db/timelines';

const ROW = 30;
const DOT_X = 210;
const TOP = 16;
/** How long the moves of a type are kept before they are read again. */
const FRESH_FOR_MS = 10_000;

export interface StateDiagram {
  width: number;
  height: number;
  dotX: number;
  nodes: { stage: string; y: number; current: boolean; passed: boolean }[];
  arcs: { d: string; back: boolean }[];
}

const moves = new Map<string, { at: number; edges: Promise<{ from: string; to: string }[]> }>();

/** The moves made by processes of a type, read at most once every ten seconds per API process. */
export function movesOf(db: Pool, type: string): Promise<{ from: string; to: string }[]> {
  const cached = moves.get(type);
  if (cached && Date.now() - cached.at < FRESH_FOR_MS) return cached.edges;
  const edges = observedTransitions(db, type);
  moves.set(type, { at: Date.now(), edges });
  edges.catch(() => moves.delete(type));
  return edges;
}

export function stateDiagram(
  stages: readonly string[],
  edges: readonly { from: string; to: string }[],
  current: string,
  passed: ReadonlySet<string>,
): StateDiagram {
  const y = (i: number) => TOP + i * ROW;
  const index = new Map(stages.map((s, i) => [s, i]));
  let widest = 0;
  const arcs = edges.flatMap(({ from, to }) => {
    const a = index.get(from);
    const b = index.get(to);
    if (a === undefined || b === undefined) return [];
    // Forward moves arc to the right, returns further out and dashed; longer jumps reach further.
    const reach = 18 + 12 * Math.abs(b - a) + (b < a ? 10 : 0);
    widest = Math.max(widest, reach);
    return [{ d: `M ${DOT_X + 6} ${y(a)} C ${DOT_X + reach} ${y(a)}, ${DOT_X + reach} ${y(b)}, ${DOT_X + 6} ${y(b)}`, back: b < a }];
  });
  return {
    width: DOT_X + widest + 20,
    height: TOP + stages.length * ROW,
    dotX: DOT_X,
    nodes: stages.map((stage, i) => ({ stage, y: y(i), current: stage === current, passed: passed.has(stage) })),
    arcs,
  };
}
