// My tasks (everything waiting on me and my roles, each with its step's form in place) and the one
// place every form is sent to: the step is taken through the API as the person, and a refusal is
// shown with the API's reason beside the form as it was filled in.
import { Router, type Request, type Response } from 'express';
import type { ProcessType } from '../domain/processes';
import { openTasksWithProcesses } from '../db/inbox';
import { DEFAULT_OVERDUE_AFTER_MS } from '../db/processes';
import { PROCESS_APIS } from '../api/process-apis';
import { zodIssues } from '../api/errors';
import { languageOf, translate, translatorFor } from './i18n';
import { renderPage } from './render';
import { checkFormToken } from './session';
import { safeBack } from './sign-in';
import { formFor, personOf, pickersFor, type PagesDeps } from './deps';
import type { FormData } from './forms';
import { bodyOf } from './forms';
import { stepsForTask, type StepTarget } from './steps';
import { processPageUrl, refusalText } from './words';
import { processStepForm, questionnaireOptions, sentStep } from './questionnaire-form';
import { processReader } from './process-facts';

/** The most tasks one page shows; the oldest first, so nothing waits unseen behind newer ones. */
const TASKS_SHOWN = 200;

export function createWorkRouter(deps: PagesDeps): Router {
  const router = Router();

  router.get('/tasks', async (req, res) => {
    const person = personOf(req);
    const t = translatorFor(req);
    const rows = await openTasksWithProcesses(deps.db, person.staffId, person.roles, TASKS_SHOWN);
    const now = Date.now();
    const withSteps = rows.map((task) => ({
      task,
      targets: stepsForTask(deps.steps(), { ...task, type: task.type as ProcessType }, person.roles),
    }));
    const pickers = await pickersFor(
      deps,
      req,
      withSteps.flatMap((w) => w.targets.map((x) => x.step)),
    );
    const back = req.originalUrl;
    const readProcess = processReader(deps, req);
    const items = await Promise.all(
      withSteps.map(async ({ task, targets }, i) => {
        const overdueAfter = deps.overdueAfter[task.type as ProcessType] ?? DEFAULT_OVERDUE_AFTER_MS;
        const overdue = task.dueAt ? task.dueAt.getTime() < now : now - task.openedAt.getTime() > overdueAfter;
        const facts = targets.length ? await readProcess(task.type as ProcessType, task.processId) : undefined;
        return {
          ...task,
          facts,
          // The draft is for before the document is made; once it is, that one is read.
          draftUrl:
            targets.length && deps.drafts[task.type as ProcessType] && !(facts?.body?.documents as unknown[] | undefined)?.length
              ? `${processPageUrl(task.type, task.processId)}/draft`
              : undefined,
          overdue,
          waitingMs: now - task.openedAt.getTime(),
          url: processPageUrl(task.type, task.processId),
          forms: await Promise.all(
            targets.map((target, j) => processStepForm(deps, req, target, pickers, facts?.body, { back, prefix: `t${i}-${j}-` })),
          ),
        };
      }),
    );
    renderPage(req, res, 'tasks', {
      title: t('tasks.title'),
      items,
      done: typeof req.query.done === 'string' ? req.query.done : undefined,
      overdueCount: items.filter((i) => i.overdue).length,
    });
  });

  // Every form of every page is sent here: `_step` names the route, `_url` where it is taken.
  router.post('/act', checkFormToken, async (req, res) => {
    const sent = await sentStep(deps, req);
    const url = typeof req.body?._url === 'string' ? req.body._url : '';
    if (!sent || !sent.offered.pattern.test(url.split('?')[0]!)) return notOffered(req, res);
    const { step, questions } = sent;
    const form = req.body as FormData;
    const back = safeBack(req.body._back, '/tasks');
    const key = typeof req.body._key === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(req.body._key) ? req.body._key : undefined;
    const answer = await deps.call(req, step.method.toUpperCase() as 'POST', url, bodyOf(step.schema, form), key);
    if (answer.status >= 200 && answer.status < 300) {
      const location = typeof answer.headers.location === 'string' ? answer.headers.location : undefined;
      const created = step.spec.offer?.start && location ? pageOfApiLocation(location) : undefined;
      const to = created ?? back;
      return res.redirect(303, `${to}${to.includes('?') ? '&' : '?'}done=${encodeURIComponent(step.name)}`);
    }
    const target: StepTarget = { step, url };
    const person = personOf(req);
    const pickers = await pickersFor(deps, req, [step]);
    const issues = (answer.body?.error?.issues ?? []) as { path: string; message: string }[];
    renderPage(
      req,
      res,
      'refused',
      {
        title: translate(languageOf(req), 'refused.title'),
        reason: refusalText(languageOf(req), answer.status, answer.body?.error),
        form: formFor(req, target, pickers, { back, issues, ...questionnaireOptions(questions), values: form }),
        back,
        person,
      },
      answer.status >= 500 ? 503 : answer.status,
    );
  });

  // A form checked as it is typed, by the very schema its route validates with (nothing is taken):
  // the page script shows the issues of the fields the person has touched.
  router.post('/check', checkFormToken, async (req, res) => {
    const sent = await sentStep(deps, req);
    if (!sent) return res.status(400).json({ issues: [] });
    const { step } = sent;
    const parsed = step.spec.body.safeParse(bodyOf(step.schema, req.body as FormData));
    res.json({ issues: parsed.success ? [] : zodIssues(parsed.error) });
  });

  return router;
}

function notOffered(req: Request, res: Response): void {
  const t = translatorFor(req);
  renderPage(req, res, 'message', { title: t('refused.title'), text: t('refused.notOffered') }, 400);
}

/** Where a started process (or a registered client) is seen: its API address as a page. */
function pageOfApiLocation(location: string): string | undefined {
  const client = /^\/api\/clients\/([^/?]+)$/.exec(location);
  if (client) return `/clients/${client[1]}`;
  for (const [type, api] of Object.entries(PROCESS_APIS)) {
    const base = api.path('');
    if (location.startsWith(base) && !location.slice(base.length).includes('/')) {
      return processPageUrl(type, decodeURIComponent(location.slice(base.length)));
    }
  }
  return undefined;
}
