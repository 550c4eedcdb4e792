// People and their tokens. Only an administrator manages them; anyone may ask who they are.
import { Router } from 'express';
import type { Pool } from 'pg';
import { newStaffSchema, staffPatchSchema, uuid } from '../../domain/schemas';
import { DuplicateEmailError, findStaff, insertStaff, issueToken, listStaff, updateStaff } from '../../db/staff';
import { createInvitation } from '../../db/invitations';
import { route } from '../described-routes';
import { HttpError, notFound } from '../errors';

/** A path id that is not a UUID names nobody: 404, without asking Postgres. */
const staffId = (raw: unknown): string | undefined => {
  const id = uuid.safeParse(raw);
  return id.success ? id.data : undefined;
};

export interface StaffRouterDeps {
  db: Pool;
  /** How long an invitation link can be used. */
  invitationValidForMs: number;
  /** The address people open (PUBLIC_URL), when set; else the address the request came to. */
  publicUrl?: string;
}

export function createStaffRouter({ db, invitationValidForMs, publicUrl }: StaffRouterDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/staff',
      summary: 'Add a person with their roles and give them a token, shown once and stored hashed',
      who: ['admin'],
      body: newStaffSchema,
      answers: { 201: '{id, token}' },
      tag: 'staff',
    },
    async (_req, res, { actor, body }) => {
      const staff = body();
      try {
        const created = await insertStaff(db, staff, actor.staffId);
        res.status(201).json(created);
      } catch (err) {
        if (err instanceof DuplicateEmailError) throw new HttpError(409, 'duplicate', err.message);
        throw err;
      }
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/staff',
      summary: 'Everyone on the staff, disabled people included',
      who: ['admin'],
      answers: { 200: '{items: [{id, name, email, roles, createdAt, disabledAt}]}' },
      tag: 'staff',
    },
    async (_req, res) => {
      res.json({ items: await listStaff(db) });
    },
  );

  // Auth reads the person on every request, so a change of roles or a disabling applies to the
  // very next request made with any of their tokens. The body is judged before the id, as it always was.
  route(
    router,
    {
      method: 'patch',
      path: '/staff/:id',
      summary: "Change a person's name or roles, or disable or re-enable them; applies to their very next request",
      who: ['admin'],
      body: staffPatchSchema,
      answers: { 200: 'the person: {id, name, email, roles, createdAt, disabledAt}' },
      tag: 'staff',
    },
    async (req, res, { body }) => {
      const patch = body();
      const id = staffId(req.params.id);
      const updated = id ? await updateStaff(db, id, patch) : undefined;
      if (!updated) throw notFound(`staff member ${req.params.id}`);
      res.json(updated);
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/staff/:id/tokens',
      summary: 'Give a person a new token; every older one is revoked',
      who: ['admin'],
      answers: { 201: '{id, token}' },
      tag: 'staff',
    },
    async (req, res) => {
      const id = staffId(req.params.id);
      const issued = id ? await issueToken(db, id) : undefined;
      if (!issued) throw notFound(`staff member ${req.params.id}`);
      res.status(201).json(issued);
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/staff/:id/invitation',
      summary: 'A one-time link where the person sets their password to sign in to the pages; shown once, valid for INVITATION_VALID_FOR',
      who: ['admin'],
      answers: { 201: '{path, url, expiresAt}' },
      tag: 'staff',
    },
    async (req, res, { actor }) => {
      const id = staffId(req.params.id);
      const person = id ? await findStaff(db, id) : undefined;
      if (!person) throw notFound(`staff member ${req.params.id}`);
      const { secret, expiresAt } = await createInvitation(db, person.id, actor.staffId, invitationValidForMs);
      const path = `/invitations/${secret}`;
      res.status(201).json({ path, url: `${publicUrl ?? `${req.protocol}://${req.get('host')}`}${path}`, expiresAt });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/me',
      summary: 'Who the token belongs to',
      who: 'anyone',
      answers: { 200: '{staffId, name, roles}' },
      tag: 'staff',
    },
    (_req, res, { actor }) => {
      res.json(actor);
    },
  );

  return router;
}
