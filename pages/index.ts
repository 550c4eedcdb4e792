// The pages staff work in, served beside the API by the same app: sign-in, my tasks, start, the
// processes and each one's page, clients, and staff administration. Every action is a form sent
// to /act, which takes the step through the API as the signed-in person.
import path from 'node:path';
import express, { Router, type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Pool } from 'pg';
import { repoRoot } from '../config/paths';
import type { OverdueAfter } from '../db/processes';
import { asUnavailable, HttpError, RETRY_AFTER_SECONDS } from '../api/errors';
import { callApi } from './api-call';
import { processDrafts } from '../activities';
import type { Config } from '../config/env';
import type { PagesDeps } from './deps';
import { translatorFor } from './i18n';
import { createProcessPagesRouter } from './process-pages';
import { renderPage } from './render';
import { readSession } from './session';
import type { PageSettings } from './settings';
import { createSignInRouter } from './sign-in';
import { createStaffPagesRouter } from './staff-pages';
import { createInsightPagesRouter } from './insight-pages';
import { createClientPagesRouter } from './client-pages';
import { createStartRouter } from './start-pages';
import { pageStepsOf, type PageStep } from './steps';
import { createWorkRouter } from './work';
import { createNotificationSettingsRouter } from './notification-settings-pages';
import { createWebhookPagesRouter } from './webhook-pages';

/** Pages load their styles and scripts from this site only (installed packages, never a CDN). */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'Cache-Control': 'no-store',
});

const pageHeaders: RequestHandler = (_req, res, next) => {
  res.set(PAGE_SECURITY_HEADERS);
  next();
};

const signedInOnly: RequestHandler = (req, res, next) => {
  if (req.person) return next();
  if (req.method === 'GET') return res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
  throw new HttpError(401, 'unauthenticated', 'sign in first');
};

export interface PagesRouterDeps {
  db: Pool;
  /** The app the API is mounted on: the pages take every step through it. */
  app: Express;
  settings: PageSettings;
  overdueAfter: OverdueAfter;
  /** Our side of the documents, for drafts; without it no draft is offered. */
  company?: Config['company'];
}

export function createPagesRouter({ db, app, settings, overdueAfter, company }: PagesRouterDeps): Router {
  const router = Router();
  let steps: PageStep[] | undefined;
  const deps: PagesDeps = {
    db,
    call: callApi,
    steps: () => (steps ??= pageStepsOf(app)),
    settings,
    overdueAfter,
    drafts: company ? processDrafts({ db, company }) : {},
  };

  // What the API does not answer under /api stays its own (a JSON 404), not a page.
  router.use((req, _res, next) => next(req.path === '/api' || req.path.startsWith('/api/') ? 'router' : undefined));
  router.use(pageHeaders);
  router.use('/assets', express.static(path.join(repoRoot(), 'pages', 'static'), { fallthrough: false, index: false }));
  router.use(express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 2_000 }));
  router.use(readSession(db));
  router.use(createSignInRouter({ db, settings }));
  router.get('/', (req, res) => res.redirect(303, req.person ? '/tasks' : '/sign-in'));

  router.use(signedInOnly);
  router.use(createWorkRouter(deps));
  router.use(createStartRouter(deps));
  router.use(createProcessPagesRouter(deps));
  router.use(createStaffPagesRouter(deps));
  router.use(createInsightPagesRouter(deps));
  router.use(createClientPagesRouter(deps));
  router.use(createNotificationSettingsRouter(deps));
  router.use(createWebhookPagesRouter(deps));
  router.use((req, res) => {
    const t = translatorFor(req);
    renderPage(req, res, 'message', { title: t('notFound.title'), text: t('notFound.text') }, 404);
  });
  router.use(pageErrors);
  return router;
}

/** A failure on a page is a page: what went wrong in the person's language, never a stack. */
const pageErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const t = translatorFor(req);
  const known = err instanceof HttpError ? err : asUnavailable(err);
  const status = known?.status ?? (typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500);
  if (status === 401 && req.method === 'GET') return res.redirect(303, '/sign-in');
  if (status === 503) {
    res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    // For the metrics: which dependency this page could not be made without.
    res.locals.unavailableDependency = known?.dependency;
  }
  if (status >= 500 && status !== 503) console.error('pages:', err);
  const code = known?.code ?? (status === 413 ? 'too_large' : status < 500 ? 'invalid_request' : 'internal');
  renderPage(req, res, 'message', { title: t(`error.${code}`), text: status < 500 && known ? known.message : t('error.tryLater') }, status);
};
