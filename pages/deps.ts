// What every page module is given, and the helpers they share: who is asking, the forms of the
// steps they may take, and the choices of fields that name a person or a client.
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Pool } from 'pg';
import type { Role } from '../domain/people';
import type { OverdueAfter } from '../db/processes';
import type { ProcessType } from '../domain/processes';
import type { DraftDocument } from '../activities/engine/definition';
import { listStaff } from '../db/staff';
import { HttpError } from '../api/errors';
import type { ApiCall } from './api-call';
import { languageOf, translate } from './i18n';
import type { FormData, FormNode } from './forms';
import { formView, type FormView, type FormWords, type Pickers } from './form-view';
import type { PageSettings } from './settings';
import type { PageStep, StepTarget } from './steps';

export interface PagesDeps {
  db: Pool;
  call: ApiCall;
  /** Every step the pages offer, read from the API's routes once they are all mounted. */
  steps(): readonly PageStep[];
  settings: PageSettings;
  overdueAfter: OverdueAfter;
  /** Drafts of the processes that have one (a contract as it would be signed), by type. */
  drafts: Partial<Record<ProcessType, (processId: string) => Promise<DraftDocument | undefined>>>;
}

export interface Person {
  staffId: string;
  name: string;
  roles: Role[];
}

/** The signed-in person (the router sends everyone else to sign in first). */
export function personOf(req: Request): Person {
  if (!req.person) throw new HttpError(401, 'unauthenticated', 'sign in first');
  return { staffId: req.person.staffId, name: req.person.name, roles: req.person.roles };
}

/** A page for administrators only: anyone else is refused (403). */
export function adminOnly(req: Request): void {
  if (!personOf(req).roles.includes('admin')) throw new HttpError(403, 'forbidden', 'this page is for administrators');
}

/** A form field sent once, many times or not at all (checkboxes), as a list. */
export const valuesOf = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);

/** Fields that name someone or something by id, and who may be chosen for them. */
const PICKED_FIELDS = ['clientId', 'managerId', 'ownerId', 'questionnaireId'] as const;

function fieldsOf(nodes: readonly FormNode[], into = new Set<string>()): Set<string> {
  for (const node of nodes) {
    if (node.group) {
      fieldsOf(node.controls, into);
      for (const row of node.rows ?? []) fieldsOf(row, into);
    } else into.add(node.field);
  }
  return into;
}

/** The choices for the forms' id fields: the clients (as the API lists them), active managers, active staff. */
export async function pickersFor(deps: PagesDeps, req: Request, steps: readonly PageStep[]): Promise<Pickers> {
  const needed = new Set<string>();
  for (const step of steps)
    for (const field of fieldsOf(step.form)) if ((PICKED_FIELDS as readonly string[]).includes(field)) needed.add(field);
  if (needed.size === 0) return {};
  const pickers: Pickers = {};
  if (needed.has('managerId') || needed.has('ownerId')) {
    const staff = (await listStaff(deps.db)).filter((s) => s.disabledAt === null);
    const label = (s: { name: string; email: string }) => `${s.name} (${s.email})`;
    pickers.managerId = staff.filter((s) => s.roles.includes('manager')).map((s) => ({ value: s.id, label: label(s) }));
    pickers.ownerId = staff.filter((s) => !(s.roles.length === 1 && s.roles[0] === 'admin')).map((s) => ({ value: s.id, label: label(s) }));
  }
  if (needed.has('clientId')) {
    const answer = await deps.call(req, 'GET', '/api/clients?limit=200');
    const items = (answer.status === 200 ? (answer.body?.items ?? []) : []) as {
      id: string;
      legalName?: string;
      name?: string;
      code?: string;
      inn?: string;
    }[];
    pickers.clientId = items.map((c) => ({
      value: c.id,
      label: [c.legalName ?? c.name, c.inn && `${translate(languageOf(req), 'field.inn')} ${c.inn}`, c.code].filter(Boolean).join(' · '),
    }));
  }
  if (needed.has('questionnaireId')) {
    const answer = await deps.call(req, 'GET', '/api/questionnaires');
    const items = (answer.status === 200 ? (answer.body?.items ?? []) : []) as {
      id: string;
      key: string;
      version: number;
      title: Record<string, string>;
    }[];
    const language = languageOf(req);
    pickers.questionnaireId = items.map((q) => ({ value: q.id, label: `${q.title[language] ?? q.key} (v${q.version})` }));
  }
  return pickers;
}

/** The form of a step for this page, with a fresh key. */
export const formFor = (
  req: Request,
  target: StepTarget,
  pickers: Pickers,
  options: {
    back: string;
    values?: FormData;
    prefix?: string;
    issues?: { path: string; message: string }[];
    error?: string;
    words?: FormWords;
    hidden?: Record<string, string>;
  },
): FormView => formView(languageOf(req), target, { ...options, pickers, idempotencyKey: randomUUID() });
