// A person's notification settings: for each kind of notification, mailed at once, in the daily
// digest, or not at all (it stays in the app); the digest's time; the language of their e-mail.
// Every e-mail links here. Read and changed through the API's own route (/api/me/notification-settings).
import { Router, type Request, type Response } from 'express';
import { NOTIFICATION_KINDS } from '../workflows/engine/notifications';
import { DELIVERY_MODES } from '../db/delivery/settings';
import { NOTIFICATION_SETTINGS_PATH } from './mail';
import { languageOf, translatorFor } from './i18n';
import { renderPage } from './render';
import { checkFormToken } from './session';
import type { PagesDeps } from './deps';
import { refusalText } from './words';

export function createNotificationSettingsRouter(deps: PagesDeps): Router {
  const router = Router();

  async function show(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const t = translatorFor(req);
    const answer = await deps.call(req, 'GET', '/api/me/notification-settings');
    if (answer.status !== 200) {
      const refusal = refusalText(languageOf(req), answer.status, answer.body?.error);
      renderPage(req, res, 'message', { title: t('notify.title'), text: `${refusal.headline} ${refusal.detail}` }, answer.status);
      return;
    }
    const settings = answer.body as {
      language: string;
      digestAt: string;
      modes: Record<string, string>;
      email: string;
      mail: boolean;
      timeZone: string;
    };
    const kinds = NOTIFICATION_KINDS.map((kind) => ({
      kind,
      modes: DELIVERY_MODES.map((mode) => ({ mode, checked: settings.modes[kind] === mode })),
    }));
    renderPage(
      req,
      res,
      'notification-settings',
      { title: t('notify.title'), settings, kinds, saved: req.query.saved === '1', ...extra },
      status,
    );
  }

  router.get(NOTIFICATION_SETTINGS_PATH, (req, res) => show(req, res));

  router.post(NOTIFICATION_SETTINGS_PATH, checkFormToken, async (req, res) => {
    const modes = Object.fromEntries(
      NOTIFICATION_KINDS.flatMap((kind) => (req.body[`mode.${kind}`] ? [[kind, String(req.body[`mode.${kind}`])]] : [])),
    );
    const answer = await deps.call(req, 'PATCH', '/api/me/notification-settings', {
      language: req.body.language,
      digestAt: req.body.digestAt,
      modes,
    });
    if (answer.status !== 200) {
      await show(req, res, { refusal: refusalText(languageOf(req), answer.status, answer.body?.error) }, answer.status);
      return;
    }
    res.redirect(303, `${NOTIFICATION_SETTINGS_PATH}?saved=1`);
  });

  return router;
}
