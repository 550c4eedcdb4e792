// The steps the pages offer, read from the API's own route declarations: a route whose
// declaration says where the pages offer it (its `offer`) has a form made from its body schema.
// Nothing here names a process: a process added later gets its forms from its routes.
import type { Express } from 'express';
import type { Role } from '../domain/people';
import type { ProcessType } from '../domain/processes';
import type { RouteSpec } from '../api/described-routes';
import { servedRoutes } from '../api/openapi';
import { PROCESS_APIS } from '../api/process-apis';
import { formOf, jsonSchemaOf, type FormNode, type JsonSchema } from './forms';

export interface PageStep {
  /** `post /api/contracts/:number/approval`: what a submitted form names. */
  key: string;
  method: 'post' | 'put' | 'patch';
  /** Express style, with /api. */
  path: string;
  spec: RouteSpec & { body: NonNullable<RouteSpec['body']> };
  /** Its name on the pages (`approval`, `escalation.actions`, `contracts`): the catalog's `step.<name>`. */
  name: string;
  /** Its body's JSON Schema (zod's own), which the form is made from and read back by. */
  schema: JsonSchema;
  form: FormNode[];
  pattern: RegExp;
}

/** A step for one process (or task): the step and the URL it is taken at. */
export interface StepTarget {
  step: PageStep;
  url: string;
}

/** `post /api/contracts/:number/approval` → `approval`; `post /api/contracts` → `contracts`; `patch /api/clients/:id` → `clients.patch`. */
const nameOf = (method: string, path: string): string => {
  const parts = path.replace(/^\/api\//, '').split('/');
  const literal = parts.slice(1).filter((p) => !p.startsWith(':'));
  if (literal.length) return literal.join('.');
  return parts.length > 1 ? `${parts[0]}.${method}` : parts[0]!;
};

const patternOf = (path: string): RegExp => new RegExp(`^${path.replace(/:\w+/g, '[^/]+')}$`);

export function pageStepsOf(app: Express): PageStep[] {
  return servedRoutes(app).flatMap(({ method, path, spec }) => {
    if (!spec?.offer || !spec.body || (method !== 'post' && method !== 'put' && method !== 'patch')) return [];
    const schema = jsonSchemaOf(spec.body);
    return [
      {
        key: `${method} ${path}`,
        method,
        path,
        spec: spec as PageStep['spec'],
        name: nameOf(method, path),
        schema,
        form: formOf(schema),
        pattern: patternOf(path),
      },
    ];
  });
}

export const mayTake = (step: PageStep, roles: readonly Role[]): boolean =>
  step.spec.who === 'anyone' || roles.some((role) => (step.spec.who as readonly Role[]).includes(role));

/** A task's ref is `<what>:<its id>` (`complaint:<uuid>`, `checklist:training`). */
const idInRef = (ref: string): string => ref.slice(ref.indexOf(':') + 1);

function fill(step: PageStep, processId: string, task?: { id: string; ref: string }): string {
  const param = step.spec.offer?.param;
  return step.path.replace(/:(\w+)/g, (_whole, name: string) => {
    if (param && name === param.name && task) return encodeURIComponent(param.from === 'task' ? task.id : idInRef(task.ref));
    return encodeURIComponent(processId);
  });
}

const belongsTo = (step: PageStep, type: ProcessType, processId: string, url: string): boolean => {
  const api = PROCESS_APIS[type];
  if (url.startsWith(`${api.path(encodeURIComponent(processId))}/`)) return true;
  const param = step.spec.offer?.param;
  return param !== undefined && (param.from === 'task' || step.spec.tag === api.tag);
};

export interface TaskRef {
  id: string;
  kind: string;
  ref: string;
  type: ProcessType;
  processId: string;
}

/** The steps that answer an open task, for someone with these roles. */
export function stepsForTask(steps: readonly PageStep[], task: TaskRef, roles: readonly Role[]): StepTarget[] {
  return steps.flatMap((step) => {
    if (!step.spec.offer?.tasks?.includes(task.kind) || !mayTake(step, roles)) return [];
    const url = fill(step, task.processId, task);
    return belongsTo(step, task.type, task.processId, url) ? [{ step, url }] : [];
  });
}

/** The steps a process offers in its stage, task or not (those that need a task's id excepted). */
export function stepsForStage(steps: readonly PageStep[], type: ProcessType, processId: string, stage: string, roles: readonly Role[]) {
  return steps.flatMap((step) => {
    if (!step.spec.offer?.stages?.includes(stage) || step.spec.offer.param || !mayTake(step, roles)) return [];
    const url = fill(step, processId);
    return url.startsWith(`${PROCESS_APIS[type].path(encodeURIComponent(processId))}/`) ? [{ step, url }] : [];
  });
}

/** What someone with these roles may start. */
export const startSteps = (steps: readonly PageStep[], roles: readonly Role[]): PageStep[] =>
  steps.filter((step) => step.spec.offer?.start && mayTake(step, roles) && !step.path.includes(':'));
