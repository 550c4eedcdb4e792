// Clients: the list with search by name, INN or code, and a client's page: requisites, contacts
// with their decision roles, where the relationship stands (churn stage, health and its reasons),
// its processes (contracts, amendments, onboardings…), complaints and commitments, its one
// timeline, and the edit of its requisites and contacts. Everything is read and changed through
// the API as the signed-in person.
import { Router } from 'express';
import { uuid } from '../domain/schemas';
import { translatorFor } from './i18n';
import { renderPage } from './render';
import { formFor, personOf, pickersFor, type PagesDeps } from './deps';
import { formOf, valuesOf } from './forms';
import { mayTake, startSteps, stepsForStage } from './steps';
import { PROCESS_TYPES } from '../domain/processes';
import { PROCESS_APIS } from '../api/process-apis';
import { stepTitle } from './form-view';
import { languageOf } from './i18n';
import { processPageUrl } from './words';

const PAGE_SIZE = 50;

export function createClientPagesRouter(deps: PagesDeps): Router {
  const router = Router();

  router.get('/clients', async (req, res) => {
    const t = translatorFor(req);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor.slice(0, 500) : '';
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) });
    const answer = await deps.call(req, 'GET', `/api/clients?${query}`);
    const page = answer.status === 200 ? answer.body : { items: [], nextCursor: null };
    const person = personOf(req);
    const register = startSteps(deps.steps(), person.roles).find((s) => s.path === '/api/clients');
    renderPage(req, res, 'clients', {
      title: t('clients.title'),
      q,
      items: page.items,
      refused: answer.status === 200 ? undefined : answer.body?.error?.message,
      next: page.nextCursor ? `?${new URLSearchParams({ ...(q ? { q } : {}), cursor: page.nextCursor })}` : undefined,
      registerUrl: register ? `/start/${register.name}` : undefined,
    });
  });

  router.get('/clients/:id', async (req, res) => {
    const t = translatorFor(req);
    const parsed = uuid.safeParse(req.params.id);
    const client = parsed.success ? await deps.call(req, 'GET', `/api/clients/${parsed.data}`) : undefined;
    if (!parsed.success || !client || client.status !== 200) {
      return renderPage(req, res, 'message', { title: t('notFound.title'), text: t('notFound.text') }, 404);
    }
    const id = { data: parsed.data };
    const base = `/api/clients/${id.data}`;
    const [processes, complaints, commitments, timeline] = await Promise.all([
      deps.call(req, 'GET', `/api/processes?clientId=${id.data}&limit=100`),
      deps.call(req, 'GET', `${base}/complaints?limit=20`),
      deps.call(req, 'GET', `${base}/commitments?limit=20`),
      deps.call(req, 'GET', `${base}/timeline?limit=200`),
    ]);
    const person = personOf(req);
    const language = languageOf(req);
    const editStep = deps.steps().find((s) => s.spec.offer?.edit && s.path === '/api/clients/:id' && mayTake(s, person.roles));
    let edit;
    if (editStep) {
      const values = valuesOf(client.body);
      const contacts = Array.isArray(client.body.contacts) ? client.body.contacts.length : 0;
      const step = { ...editStep, form: formOf(editStep.schema, contacts + 1) };
      const pickers = await pickersFor(deps, req, [step]);
      edit = formFor(req, { step, url: `/api/clients/${id.data}` }, pickers, {
        back: req.originalUrl.split('?')[0]!,
        values,
        prefix: 'edit-',
      });
    }
    // What can be begun for this client: the Start page's forms with the client filled in.
    const starts = startSteps(deps.steps(), person.roles)
      .filter((s) => s.form.some((node) => node.field === 'clientId'))
      .map((s) => ({ url: `/start/${s.name}?clientId=${id.data}`, title: stepTitle(language, s) }));
    const items = (processes.body?.items ?? []) as { type: string; id: string }[];
    // The steps of a process read with its client (the relationship), offered in the client's stage.
    const followers = PROCESS_TYPES.filter((type) => PROCESS_APIS[type].path(id.data) === base);
    const offered = followers.flatMap((type) => stepsForStage(deps.steps(), type, id.data, client.body.stage, person.roles));
    const actionPickers = await pickersFor(
      deps,
      req,
      offered.map((o) => o.step),
    );
    const back = req.originalUrl.split('?')[0]!;
    const actions = offered.map((target, i) => formFor(req, target, actionPickers, { back, prefix: `a${i}-` }));
    renderPage(req, res, 'client', {
      title: client.body.requisites?.legalName ?? t('clients.title'),
      client: client.body,
      processes: items.map((p) => ({ ...p, url: processPageUrl(p.type, p.id) })),
      complaints: complaints.body?.items ?? [],
      commitments: commitments.body?.items ?? [],
      timeline: timeline.body?.items ?? [],
      edit,
      starts,
      actions,
      done: typeof req.query.done === 'string' ? req.query.done : undefined,
    });
  });

  return router;
}
