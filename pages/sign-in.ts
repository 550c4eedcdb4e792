// Signing in and out, and setting a password from an invitation (or, on a fresh install, the first
// administrator's link). Passwords are hashed with argon2id and never logged or shown; failed
// sign-ins are limited per account and per address.
import { hash, verify } from '@node-rs/argon2';
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { isStorableText, newStaffSchema, safeString } from '../domain/schemas';
import { withTransaction } from '../db/pool';
import { DuplicateEmailError, findSignInByEmail, insertAdministrator, setPasswordHash } from '../db/staff';
import { endSession, endSessionsOf, startSession } from '../db/sessions';
import { findOpenInvitation, useInvitation } from '../db/invitations';
import { forgetSignInFailures, recentSignInFailures, recordSignInFailure } from '../db/sign-in-failures';
import { isLanguage, translatorFor } from './i18n';
import { renderPage } from './render';
import { checkFormToken, clearCookie, cookiesOf, LANGUAGE_COOKIE, SESSION_COOKIE, setCookie } from './session';
import type { PageSettings } from './settings';

/** A hash made once and checked against when the e-mail has no account, so both take the same time. */
const NOBODY = hash('not a password of anyone', { algorithm: 2 });

export const passwordSchema = safeString().min(12, 'must be at least 12 characters').max(256, 'must be at most 256 characters');

const signInSchema = z.object({ email: z.string().max(320), password: z.string().max(256) });

/** Only a path of this site: never `//elsewhere` or a full URL. */
export const safeBack = (value: unknown, fallback = '/'): string =>
  typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length < 2000 ? value : fallback;

export function createSignInRouter({ db, settings }: { db: Pool; settings: PageSettings }): Router {
  const router = Router();

  const begin = async (req: Request, res: Response, staffId: string, back: string) => {
    const session = await startSession(db, staffId, settings.sessionLifetimeMs);
    setCookie(req, res, SESSION_COOKIE, session.secret, Math.floor(settings.sessionLifetimeMs / 1000));
    res.redirect(303, back);
  };

  router.get('/sign-in', (req, res) => {
    if (req.person) return res.redirect(303, safeBack(req.query.next, '/tasks'));
    const t = translatorFor(req);
    renderPage(req, res, 'sign-in', { title: t('signIn.title'), next: safeBack(req.query.next, '/tasks') });
  });

  router.post('/sign-in', checkFormToken, async (req, res) => {
    const t = translatorFor(req);
    const parsed = signInSchema.safeParse(req.body);
    // Text Postgres cannot hold (a NUL, a lone surrogate) names no account: a failed sign-in, never a 500.
    const email = parsed.success && isStorableText(parsed.data.email) ? parsed.data.email.trim() : '';
    const password = parsed.success ? parsed.data.password : '';
    const next = safeBack(req.body?.next, '/tasks');
    const address = req.ip ?? 'unknown';
    const again = (status: number, error: string) =>
      renderPage(req, res, 'sign-in', { title: t('signIn.title'), next, email, error }, status);

    const failures = await recentSignInFailures(db, email, address, settings.signInWindowMs);
    if (failures.account >= settings.signInLimitPerAccount || failures.address >= settings.signInLimitPerAddress) {
      const freeAt = [
        failures.account >= settings.signInLimitPerAccount && failures.accountFreeAt,
        failures.address >= settings.signInLimitPerAddress && failures.addressFreeAt,
      ]
        .filter((d): d is Date => d instanceof Date)
        .reduce((a, b) => (a > b ? a : b), new Date());
      res.set('Retry-After', String(Math.max(1, Math.ceil((freeAt.getTime() - Date.now()) / 1000))));
      return again(429, t('signIn.tooMany'));
    }
    const person = email ? await findSignInByEmail(db, email) : undefined;
    const ok = person?.passwordHash ? await verify(person.passwordHash, password) : (await verify(await NOBODY, password), false);
    if (!person || !ok || person.disabled) {
      await recordSignInFailure(db, email, address);
      return again(401, t('signIn.wrong'));
    }
    await forgetSignInFailures(db, email);
    await begin(req, res, person.id, next);
  });

  router.post('/sign-out', checkFormToken, async (req, res) => {
    const secret = cookiesOf(req)[SESSION_COOKIE];
    if (secret) await endSession(db, secret);
    clearCookie(req, res, SESSION_COOKIE);
    res.redirect(303, '/sign-in');
  });

  router.get('/language', (req, res) => {
    if (isLanguage(req.query.to)) setCookie(req, res, LANGUAGE_COOKIE, req.query.to, 365 * 86_400);
    res.redirect(303, safeBack(req.query.back));
  });

  router.get('/invitations/:secret', async (req, res) => {
    const t = translatorFor(req);
    const invitation = await findOpenInvitation(db, String(req.params.secret));
    if (!invitation) return renderPage(req, res, 'message', { title: t('invitation.gone'), text: t('invitation.goneText') }, 410);
    renderPage(req, res, 'invitation', { title: t('invitation.title'), invitation, first: invitation.staffId === null });
  });

  router.post('/invitations/:secret', checkFormToken, async (req, res) => {
    const t = translatorFor(req);
    const invitation = await findOpenInvitation(db, String(req.params.secret));
    if (!invitation) return renderPage(req, res, 'message', { title: t('invitation.gone'), text: t('invitation.goneText') }, 410);
    const first = invitation.staffId === null;
    const fields = first
      ? z.object({ name: newStaffSchema.shape.name, email: newStaffSchema.shape.email, password: passwordSchema, repeat: z.string() })
      : z.object({ password: passwordSchema, repeat: z.string() });
    const parsed = fields.safeParse(req.body ?? {});
    const issues: Record<string, string> = {};
    if (!parsed.success) for (const i of parsed.error.issues) issues[String(i.path[0])] ??= i.message;
    else if (parsed.data.password !== parsed.data.repeat) issues.repeat = t('invitation.mismatch');
    const again = (status: number) =>
      renderPage(
        req,
        res,
        'invitation',
        { title: t('invitation.title'), invitation, first, issues, name: req.body?.name, email: req.body?.email },
        status,
      );
    if (!parsed.success || Object.keys(issues).length) return again(400);

    const passwordHash = await hash(parsed.data.password, { algorithm: 2 });
    let staffId: string | undefined;
    try {
      staffId = await withTransaction(db, async (tx) => {
        // Marked used in the same transaction: of two submissions of one link, one sets the password.
        const used = await useInvitation(tx, String(req.params.secret));
        if (!used) return undefined;
        if (used.staffId === null) {
          const data = parsed.data as unknown as { name: string; email: string };
          return (await insertAdministrator(tx, { name: data.name, email: data.email, passwordHash })).id;
        }
        await setPasswordHash(tx, used.staffId, passwordHash);
        // A new password ends every earlier session of the person.
        await endSessionsOf(tx, used.staffId);
        return used.staffId;
      });
    } catch (err) {
      if (err instanceof DuplicateEmailError) {
        issues.email = t('invitation.emailTaken');
        return again(409);
      }
      throw err;
    }
    if (!staffId) return renderPage(req, res, 'message', { title: t('invitation.gone'), text: t('invitation.goneText') }, 410);
    await begin(req, res, staffId, '/tasks');
  });

  return router;
}
