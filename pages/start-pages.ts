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
import { QUESTIONNAIRE_FIELD, questionnaireOptions, takesAnswers, withQuestionnaire } from './questionnaire-form';

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
    const back = req.originalUrl.split('?')[0]!;
    // Answers keyed by a questionnaire's questions: the questionnaire is chosen first, then its questions are the form.
    if (takesAnswers(step)) {
      const withQuestions = await withQuestionnaire(deps, req, step, values[QUESTIONNAIRE_FIELD], languageOf(req));
      if (!withQuestions) {
        return renderPage(req, res, 'choose-questionnaire', {
          title: stepTitle(languageOf(req), step),
          questionnaires: pickers[QUESTIONNAIRE_FIELD] ?? [],
          values: Object.entries(values).map(([name, value]) => ({ name, value })),
        });
      }
      const form = formFor(req, { step: withQuestions.step, url: step.path }, pickers, {
        back,
        values,
        ...questionnaireOptions(withQuestions),
      });
      return renderPage(req, res, 'start-form', { title: form.title, form });
    }
    const form = formFor(req, { step, url: step.path }, pickers, { back, values });
    renderPage(req, res, 'start-form', { title: form.title, form });
  });

  return router;
}
