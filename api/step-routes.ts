// A process's human steps as routes, made from its table of steps: each step's path under the
// process, who may take it and the rule its workflow adds, its body, and how it is taken. The
// route checks the role (403), finds the process (404 for an unknown id, before the body is
// judged), checks the body (400), takes the step through the process's service and writes its
// answer (200/201/202/403/409/422/503 — the service decides which).
import type { Response, Router } from 'express';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { Actor, Role } from '../domain/people';
import { route, type PageOffer, type RouteSpec } from './described-routes';

export interface StepContext<P, B> {
  /** The process the path names, as `find` gave it. */
  process: P;
  /** Its id, as in the path. */
  id: string;
  actor: Actor;
  body: B;
  /** The caller's Idempotency-Key: a retried step is the same step. */
  stepId: string | undefined;
  params: Record<string, string>;
}

export interface StepRoute<P = unknown, A = unknown, S extends z.ZodType = z.ZodType> {
  method?: 'post' | 'put';
  /** Under the process: `approval` → `/contracts/:number/approval`. */
  path: string;
  summary: string;
  who: readonly Role[];
  /** What the workflow decides beyond the role (four eyes, whose it is). */
  rule?: string;
  body: S;
  /** A step that opens something (a complaint) answers 201. */
  creates?: boolean;
  /** Where the pages offer it. */
  offer?: PageOffer;
  take(step: StepContext<P, z.output<S>>): Promise<A>;
}

/** Keeps a step's body type for its `take` in a table of steps with different bodies. */
export const stepRoute = <P, A, S extends z.ZodType>(step: StepRoute<P, A, S>): StepRoute<P, A> => step as unknown as StepRoute<P, A>;

export interface ProcessStepRoutes<P, A> {
  /** Where the process is, with its id's parameter: `/contracts/:number`. */
  base: string;
  param: string;
  tag: string;
  answers: RouteSpec['answers'];
  /** Answers of a step that creates something, when they differ. */
  createdAnswers?: RouteSpec['answers'];
  /** The process the id names, or a 404 (a checklist item of the path too). */
  find(id: string, params: Record<string, string>): Promise<P>;
  /** Writes a step's answer. */
  send(res: Response, answer: A, created: boolean): void;
}

export function addStepRoutes<P, A>(router: Router, steps: readonly StepRoute<P, A>[], process: ProcessStepRoutes<P, A>): void {
  for (const step of steps) {
    route(
      router,
      {
        method: step.method ?? 'post',
        path: `${process.base}/${step.path}`,
        summary: step.summary,
        who: step.who,
        rule: step.rule,
        body: step.body,
        answers: (step.creates && process.createdAnswers) || process.answers,
        keyed: true,
        tag: process.tag,
        offer: step.offer,
      },
      async (req, res, { actor, body }) => {
        const id = req.params[process.param]!;
        const found = await process.find(id, req.params);
        const stepId = req.get('Idempotency-Key') ?? undefined;
        const answer = await step.take({ process: found, id, actor, body: body(), stepId, params: req.params });
        process.send(res, answer, step.creates === true);
      },
    );
  }
}

/** A step that is one workflow update: its body becomes the update's argument. */
export interface UpdateStep<S extends z.ZodType = z.ZodType, Arg = unknown> extends Omit<StepRoute<unknown, unknown, S>, 'take'> {
  update: UpdateDefinition<unknown, [Arg]>;
  arg(body: z.output<S>, actor: Actor): Arg | Promise<Arg>;
}

export const updateStep = <S extends z.ZodType, Arg>(step: UpdateStep<S, Arg>): UpdateStep => step as unknown as UpdateStep;

/** Steps that are updates, taken through the process's `send` (its service's step), told the process `find` gave. */
export function updateSteps<P, A>(
  steps: readonly UpdateStep[],
  send: (id: string, update: UpdateDefinition<unknown, [unknown]>, arg: unknown, stepId: string | undefined, process: P) => Promise<A>,
): StepRoute<P, A>[] {
  return steps.map(({ update, arg, ...route }) => ({
    ...route,
    take: async ({ process, id, actor, body, stepId }) =>
      send(id, update as UpdateDefinition<unknown, [unknown]>, await arg(body, actor), stepId, process),
  }));
}
