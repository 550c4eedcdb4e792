// Questionnaires as data: anyone may read every version; only an administrator publishes one.
// A published version never changes, so answers stay checkable against the version they were given for.
import { Router } from 'express';
import type { Pool } from 'pg';
import { questionnaireDefinitionSchema } from '../../domain/questionnaires';
import { findQuestionnaire, insertQuestionnaireVersion, listQuestionnaires } from '../../db/questionnaires';
import { actorOf, allow } from '../auth';
import { notFound } from '../errors';

export function createQuestionnairesRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.get('/questionnaires', async (_req, res) => {
    res.json({ items: await listQuestionnaires(db) });
  });

  // A malformed id names nothing: 404, without asking Postgres.
  router.get('/questionnaires/:id', async (req, res) => {
    const questionnaire = await findQuestionnaire(db, req.params.id);
    if (!questionnaire) throw notFound(`questionnaire ${req.params.id}`);
    res.json(questionnaire);
  });

  router.post('/questionnaires', allow('admin'), async (req, res) => {
    const definition = questionnaireDefinitionSchema.parse(req.body);
    const created = await insertQuestionnaireVersion(db, definition, actorOf(req).staffId);
    res.status(201).location(`/api/questionnaires/${created.id}`).json(created);
  });

  return router;
}
