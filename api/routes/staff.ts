import { Router } from 'express';
import type { Pool } from 'pg';
import { newStaffSchema } from '../../domain/schemas';
import { DuplicateEmailError, insertStaff } from '../../db/staff';
import { actorOf, allow } from '../auth';
import { HttpError } from '../errors';

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

  router.get('/me', (req, res) => {
    res.json(actorOf(req));
  });

  return router;
}
