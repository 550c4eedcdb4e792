// Every route of the API is declared once, with what it is: its method and path, who may call it,
// the zod schemas its body and query are validated with, and what it answers. The same
// declaration checks the role, parses the input and describes the route in the OpenAPI document
// (api/openapi.ts), so the document cannot drift from what the API really does.
import type { Express, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Actor, Role } from '../domain/people';
import { actorOf, requireRole } from './auth';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: the roles (checked before anything else, 403 otherwise), or anyone signed in. */
export type Who = readonly Role[] | 'anyone';

export interface RouteSpec<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: Method;
  /** Express style, as mounted (under /api): `/contracts/:number/approval`. */
  path: string;
  /** One line: what the route does. */
  summary: string;
  /** Who may call it; `rule` says more where the process decides further (the contract's manager, four eyes). */
  who: Who;
  rule?: string;
  body?: B;
  query?: Q;
  /** The answers besides the errors every route may give: status → what it carries. */
  answers: Partial<Record<200 | 201 | 202 | 204, string>>;
  /** What the route answers with: JSON (default), a file, or CSV as well. */
  produces?: 'json' | 'document' | 'json-or-csv';
  /** Takes an Idempotency-Key header (a step, or a start). */
  keyed?: boolean;
  /** Answered without a token (health, the API's own description). */
  public?: boolean;
  tag: string;
  /** Where the pages offer the route's form (made from its body); see PageOffer. */
  offer?: PageOffer;
}

/**
 * Where the pages offer a route's form. A page never offers what the API would refuse: a form is
 * shown only to the roles in `who`, and only where its process could take it.
 */
export interface PageOffer {
  /** The open tasks of its process it is the step for: shown with each such task (My tasks, the process page). */
  tasks?: readonly string[];
  /** The stages of its process in which it is offered on the process's page, task or not. */
  stages?: readonly string[];
  /** On the Start page: it starts a process (or registers a client). */
  start?: boolean;
  /** On the page of what it changes (a client's), filled with its current values. */
  edit?: boolean;
  /**
   * A path parameter filled from the task rather than the process: its id in the task's ref
   * (`complaint:<id>` → `<id>`) or the task's own id.
   */
  param?: { name: string; from: 'ref' | 'task' };
}

export interface RouteInput<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  actor: Actor;
  /** The body, parsed by the route's own schema when called (after any 404 the handler finds first). */
  body: () => B extends z.ZodType ? z.output<B> : undefined;
  query: () => Q extends z.ZodType ? z.output<Q> : undefined;
}

const described = new WeakMap<RequestHandler, RouteSpec>();

/** The declaration behind a route's handler, for the OpenAPI document and its completeness test. */
export const specOf = (handler: unknown): RouteSpec | undefined => described.get(handler as RequestHandler);

/**
 * Adds a described route to `router`. The role is checked first (403), then the handler runs; it
 * parses the body and query through `input` (400 naming the field), so a route that must answer
 * 404 for an unknown id does so before judging the body, as every route here always has.
 */
export function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  router: Router | Express,
  spec: RouteSpec<B, Q>,
  handler: (req: Request<Record<string, string>>, res: Response, input: RouteInput<B, Q>) => Promise<void> | void,
): void {
  const wrapped: RequestHandler = async (req, res) => {
    const actor = spec.public ? (req.actor as Actor) : actorOf(req);
    if (spec.who !== 'anyone') requireRole(actor, spec.who);
    const input: RouteInput<B, Q> = {
      actor,
      body: (() => (spec.body ? spec.body.parse(req.body ?? {}) : undefined)) as RouteInput<B, Q>['body'],
      query: (() => (spec.query ? spec.query.parse(req.query) : undefined)) as RouteInput<B, Q>['query'],
    };
    await handler(req as Request<Record<string, string>>, res, input);
  };
  described.set(wrapped, spec as RouteSpec);
  (router as Router)[spec.method](spec.path, wrapped);
}
