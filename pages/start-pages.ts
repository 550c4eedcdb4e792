// Start: what the person may begin (a client, an onboarding, a contract…), each a form made from
// the route that starts it. A field can be filled from the address (`?clientId=…` from a client's page).
import { Router } from 'express';
import { translatorFor } from './i18n';
import { renderPage } from './render';
import { formFor, personOf, pickersFor, type PagesDeps } from './deps';
import type { FormData } from './forms';
import { stepTitle } from './form-view';
import { languageOf } from './i18n';
import { startSteps } from './steps';

export function createStartRouter(deps: PagesDeps): Router {
  const router = Router();

  router.get('/start', (req, res) => {
    const person = personOf(req);
    const t = translatorFor(req);
    const language = languageOf(req);
    const steps = startSteps(deps.steps(), person.roles).map((step) => ({ name: step.name, title: stepTitle(language, step) }));
    renderPage(req, res, 'start', { title: t('start.title'), steps, done: req.query.done });
  });

  router.get('/start/:name', async (req, res) => {
    const person = personOf(req);
    const t = translatorFor(req);
    const step = startSteps(deps.steps(), person.roles).find((s) => s.name === req.params.name);
    if (!step) return renderPage(req, res, 'message', { title: t('notFound.title'), text: t('refused.notOffered') }, 404);
    const pickers = await pickersFor(deps, req, [step]);
    const values = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as FormData;
    const form = formFor(req, { step, url: step.path }, pickers, { back: req.originalUrl.split('?')[0]!, values });
    renderPage(req, res, 'start-form', { title: form.title, form });
  });

  return router;
}
