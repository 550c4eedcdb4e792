// Staff administration, for administrators: everyone with their roles, inviting a colleague (a
// one-time link where they set their password), changing roles, disabling and enabling, and a new
// API token. Each is the API's own route (/api/staff…), called as the administrator.
import { Router, type Request, type Response } from 'express';
import { ROLES } from '../domain/people';
import { languageOf, translatorFor } from './i18n';
import { renderPage } from './render';
import { checkFormToken } from './session';
import { adminOnly, valuesOf, type PagesDeps } from './deps';
import { refusalText } from './words';

export function createStaffPagesRouter(deps: PagesDeps): Router {
  const router = Router();

  async function show(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const t = translatorFor(req);
    const answer = await deps.call(req, 'GET', '/api/staff');
    const staff = ((answer.body?.items ?? []) as { id: string; roles: string[] }[]).map((s) => ({
      ...s,
      roleChoices: ROLES.map((role) => ({ role, checked: s.roles.includes(role) })),
    }));
    renderPage(req, res, 'staff', { title: t('staff.title'), staff, roles: ROLES, ...extra }, status);
  }

  router.get('/staff', async (req, res) => {
    adminOnly(req);
    await show(req, res);
  });

  const refused = (req: Request, res: Response, answer: { status: number; body: any }) =>
    show(req, res, { refusal: refusalText(languageOf(req), answer.status, answer.body?.error) }, answer.status);

  // Invite: the person is added with their roles, then given a one-time link to set a password.
  router.post('/staff/invite', checkFormToken, async (req, res) => {
    adminOnly(req);
    const added = await deps.call(req, 'POST', '/api/staff', {
      name: req.body.name,
      email: req.body.email,
      roles: valuesOf(req.body.roles),
    });
    if (added.status !== 201) return refused(req, res, added);
    const invited = await deps.call(req, 'POST', `/api/staff/${added.body.id}/invitation`);
    if (invited.status !== 201) return refused(req, res, invited);
    await show(req, res, {
      invitation: { name: req.body.name, url: `${linkBase(req, deps)}${invited.body.path}`, expiresAt: invited.body.expiresAt },
    });
  });

  router.post('/staff/:id/invitation', checkFormToken, async (req, res) => {
    adminOnly(req);
    const invited = await deps.call(req, 'POST', `/api/staff/${encodeURIComponent(req.params.id as string)}/invitation`);
    if (invited.status !== 201) return refused(req, res, invited);
    await show(req, res, { invitation: { url: `${linkBase(req, deps)}${invited.body.path}`, expiresAt: invited.body.expiresAt } });
  });

  router.post('/staff/:id', checkFormToken, async (req, res) => {
    adminOnly(req);
    const patch: Record<string, unknown> = {};
    if (req.body.roles !== undefined || req.body.rolesShown) patch.roles = valuesOf(req.body.roles);
    if (req.body.disabled === 'true' || req.body.disabled === 'false') patch.disabled = req.body.disabled === 'true';
    const answer = await deps.call(req, 'PATCH', `/api/staff/${encodeURIComponent(req.params.id as string)}`, patch);
    if (answer.status !== 200) return refused(req, res, answer);
    res.redirect(303, '/staff?done=staff');
  });

  router.post('/staff/:id/token', checkFormToken, async (req, res) => {
    adminOnly(req);
    const answer = await deps.call(req, 'POST', `/api/staff/${encodeURIComponent(req.params.id as string)}/tokens`);
    if (answer.status !== 201) return refused(req, res, answer);
    await show(req, res, { token: answer.body.token });
  });

  return router;
}

/** Links are made for the address the administrator opened (or PUBLIC_URL). */
const linkBase = (req: Request, deps: PagesDeps): string => deps.settings.publicUrl ?? `${req.protocol}://${req.get('host')}`;
