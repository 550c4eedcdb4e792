// A process's human steps as routes, made from its step table: each step's path under the
// process, who may take it and the rule its workflow adds, its body, and the workflow update it
// is sent as. The route checks the role (403) and answers 404 for an unknown process before it
// judges the body (400); the process's service sends the update and answers (200/202/403/409/422/503).
import type { Request, Response, Router } from 'express';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { Actor, Role } from '../domain/people';
import { route, type RouteSpec } from './described-routes';

export interface StepRoute<S extends z.ZodType = z.ZodType, Arg = unknown, R = unknown> {
  method?: 'post' | 'put';
  /** Under the process: `approval` → `/contracts/:number/approval`. */
  path: string;
  summary: string;
  who: readonly Role[];
  /** What the workflow decides beyond the role (four eyes, whose it is). */
  rule?: string;
  body: S;
  update: UpdateDefinition<R, [Arg]>;
  /** The update's argument from the checked body and the person taking the step. */
  arg(body: z.output<S>, actor: Actor): Arg | Promise<Arg>;
}

/** Keeps a step's body and argument types together in a table of steps of different bodies. */
export const stepRoute = <S extends z.ZodType, Arg, R>(step: StepRoute<S, Arg, R>): StepRoute => step as unknown as StepRoute;

export interface StepRoutes {
  /** Where the process is, with its id's parameter: `/contracts/:number`. */
  base: string;
  param: string;
  tag: string;
  answers: RouteSpec['answers'];
  /** 404 for an id that names no process of this kind. */
  found(id: string): Promise<unknown>;
  /** Sends the update and writes the answer. */
  take(res: Response, id: string, update: UpdateDefinition<unknown, [unknown]>, arg: unknown, stepId: string | undefined): Promise<void>;
}

const stepIdOf = (req: Request): string | undefined => req.get('Idempotency-Key') ?? undefined;

export function addStepRoutes(router: Router, steps: readonly StepRoute[], process: StepRoutes): void {
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
        answers: process.answers,
        keyed: true,
        tag: process.tag,
      },
      async (req, res, { actor, body }) => {
        const id = req.params[process.param]!;
        await process.found(id);
        await process.take(res, id, step.update as UpdateDefinition<unknown, [unknown]>, await step.arg(body(), actor), stepIdOf(req));
      },
    );
  }
}
