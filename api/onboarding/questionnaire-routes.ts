// Questionnaires as data: anyone may read every version; only an administrator publishes one.
// A published version never changes, so answers stay checkable against the version they were given for.
import { Router } from 'express';
import type { Pool } from 'pg';
import { questionnaireDefinitionSchema } from '../../domain/questionnaires';
import { findQuestionnaire, insertQuestionnaireVersion, listQuestionnaires } from '../../db/onboarding/questionnaires';
import { route } from '../described-routes';
import { notFound } from '../errors';

export function createQuestionnairesRouter({ db }: { db: Pool }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/questionnaires',
      summary: 'Every version of every questionnaire',
      who: 'anyone',
      answers: { 200: '{items}' },
      tag: 'questionnaires',
    },
    async (_req, res) => {
      res.json({ items: await listQuestionnaires(db) });
    },
  );

  // A malformed id names nothing: 404, without asking Postgres.
  route(
    router,
    {
      method: 'get',
      path: '/questionnaires/:id',
      summary: 'One version of a questionnaire with its questions',
      who: 'anyone',
      answers: { 200: 'the questionnaire version with its questions' },
      tag: 'questionnaires',
    },
    async (req, res) => {
      const questionnaire = await findQuestionnaire(db, req.params.id);
      if (!questionnaire) throw notFound(`questionnaire ${req.params.id}`);
      res.json(questionnaire);
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/questionnaires',
      summary: 'Publish the next version of a questionnaire; a published version never changes',
      who: ['admin'],
      body: questionnaireDefinitionSchema,
      answers: { 201: 'the published version, with Location' },
      tag: 'questionnaires',
    },
    async (_req, res, { actor, body }) => {
      const definition = body();
      const created = await insertQuestionnaireVersion(db, definition, actor.staffId);
      res.status(201).location(`/api/questionnaires/${created.id}`).json(created);
    },
  );

  return router;
}
