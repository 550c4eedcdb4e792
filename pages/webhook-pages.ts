// For administrators: the endpoints other systems hear process events on (register one and read
// its secret once, disable or enable it, delete it), each endpoint's deliveries with every
// attempt's outcome and a way to send one again, and the e-mails that could not be sent. Each
// action is the API's own route (/api/webhooks…, /api/mail-deliveries), called as the administrator.
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { HttpError } from '../api/errors';
import { languageOf, translatorFor } from './i18n';
import { renderPage } from './render';
import { checkFormToken } from './session';
import { adminOnly, valuesOf, type PagesDeps } from './deps';
import { refusalText } from './words';

const idOf = (req: Request, name: string) => encodeURIComponent(String(req.params[name]));

export function createWebhookPagesRouter(deps: PagesDeps): Router {
  const router = Router();

  const refusalOf = (req: Request, answer: { status: number; body: any }) =>
    refusalText(languageOf(req), answer.status, answer.body?.error);

  async function showAll(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const t = translatorFor(req);
    const [endpoints, events, failing, retrying] = await Promise.all([
      deps.call(req, 'GET', '/api/webhooks'),
      deps.call(req, 'GET', '/api/webhook-events'),
      deps.call(req, 'GET', '/api/mail-deliveries?status=failed&limit=20'),
      deps.call(req, 'GET', '/api/mail-deliveries?status=pending&limit=20'),
    ]);
    const mails = [...(failing.body?.items ?? []), ...(retrying.body?.items ?? []).filter((m: { attempts: number }) => m.attempts > 0)];
    renderPage(
      req,
      res,
      'webhooks',
      {
        title: t('webhooks.title'),
        endpoints: endpoints.body?.items ?? [],
        events: ((events.body?.items ?? []) as { type: string }[]).map((e) => ({
          ...e,
          checked: ((extra.values as { events?: string[] } | undefined)?.events ?? []).includes(e.type),
        })),
        mails,
        formKey: randomUUID(),
        ...extra,
      },
      status,
    );
  }

  router.get('/webhooks', async (req, res) => {
    adminOnly(req);
    await showAll(req, res, { done: req.query.done });
  });

  router.post('/webhooks', checkFormToken, async (req, res) => {
    adminOnly(req);
    const body: Record<string, unknown> = { url: req.body.url, events: valuesOf(req.body.events) };
    if (req.body.description) body.description = req.body.description;
    if (req.body.secret) body.secret = req.body.secret;
    // The form's own key: a double click registers one endpoint.
    const key = typeof req.body._key === 'string' && req.body._key ? req.body._key : undefined;
    const created = await deps.call(req, 'POST', '/api/webhooks', body, key);
    if (created.status !== 201) {
      await showAll(
        req,
        res,
        { refusal: refusalOf(req, created), values: { ...req.body, events: valuesOf(req.body.events) } },
        created.status,
      );
      return;
    }
    await showAll(req, res, { created: created.body }, 201);
  });

  router.post('/webhooks/:id/state', checkFormToken, async (req, res) => {
    adminOnly(req);
    const answer = await deps.call(req, 'PATCH', `/api/webhooks/${idOf(req, 'id')}`, { disabled: req.body.disabled === 'true' });
    if (answer.status !== 200) return showAll(req, res, { refusal: refusalOf(req, answer) }, answer.status);
    res.redirect(303, '/webhooks');
  });

  router.post('/webhooks/:id/delete', checkFormToken, async (req, res) => {
    adminOnly(req);
    const answer = await deps.call(req, 'DELETE', `/api/webhooks/${idOf(req, 'id')}`);
    if (answer.status !== 204) return showAll(req, res, { refusal: refusalOf(req, answer) }, answer.status);
    res.redirect(303, '/webhooks');
  });

  async function showOne(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const t = translatorFor(req);
    const id = idOf(req, 'id');
    const found = await deps.call(req, 'GET', `/api/webhooks/${id}`);
    if (found.status !== 200) throw new HttpError(found.status, found.body?.error?.code ?? 'not_found', found.body?.error?.message ?? '');
    const log = await deps.call(req, 'GET', `/api/webhooks/${id}/deliveries?limit=100`);
    renderPage(
      req,
      res,
      'webhook',
      { title: t('webhooks.deliveriesOf', { url: found.body.url }), endpoint: found.body, deliveries: log.body?.items ?? [], ...extra },
      status,
    );
  }

  router.get('/webhooks/:id', async (req, res) => {
    adminOnly(req);
    await showOne(req, res, { redelivered: req.query.redelivered === '1' });
  });

  router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', checkFormToken, async (req, res) => {
    adminOnly(req);
    const answer = await deps.call(req, 'POST', `/api/webhooks/${idOf(req, 'id')}/deliveries/${idOf(req, 'deliveryId')}/redeliver`);
    if (answer.status !== 202) return showOne(req, res, { refusal: refusalOf(req, answer) }, answer.status);
    res.redirect(303, `/webhooks/${idOf(req, 'id')}?redelivered=1`);
  });

  return router;
}
