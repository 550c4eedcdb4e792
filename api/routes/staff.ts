// People and their tokens. Only an administrator manages them; anyone may ask who they are.
import { Router } from 'express';
import type { Pool } from 'pg';
import { newStaffSchema, staffPatchSchema, uuid } from '../../domain/schemas';
import { DuplicateEmailError, insertStaff, issueToken, listStaff, updateStaff } from '../../db/staff';
import { actorOf, allow } from '../auth';
import { HttpError, notFound } from '../errors';

/** A path id that is not a UUID names nobody: 404, without asking Postgres. */
const staffId = (raw: unknown): string | undefined => {
  const id = uuid.safeParse(raw);
  return id.success ? id.data : undefined;
};

export function createStaffRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.post('/staff', allow('admin'), async (req, res) => {
    const staff = newStaffSchema.parse(req.body);
    try {
      const created = await insertStaff(db, staff, actorOf(req).staffId);
      res.status(201).json(created);
    } catch (err) {
      if (err instanceof DuplicateEmailError) throw new HttpError(409, 'duplicate', err.message);
      throw err;
    }
  });

  router.get('/staff', allow('admin'), async (_req, res) => {
    res.json({ items: await listStaff(db) });
  });

  // Auth reads the person on every request, so a change of roles or a disabling applies to the
  // very next request made with any of their tokens.
  router.patch('/staff/:id', allow('admin'), async (req, res) => {
    const patch = staffPatchSchema.parse(req.body ?? {});
    const id = staffId(req.params.id);
    const updated = id ? await updateStaff(db, id, patch) : undefined;
    if (!updated) throw notFound(`staff member ${req.params.id}`);
    res.json(updated);
  });

  router.post('/staff/:id/tokens', allow('admin'), async (req, res) => {
    const id = staffId(req.params.id);
    const issued = id ? await issueToken(db, id) : undefined;
    if (!issued) throw notFound(`staff member ${req.params.id}`);
    res.status(201).json(issued);
  });

  router.get('/me', (req, res) => {
    res.json(actorOf(req));
  });

  return router;
}
