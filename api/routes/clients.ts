// Clients: registered, listed and searched, read with where their relationship stands, edited
// (requisites and contacts, each change on the client's timeline), and their one timeline.
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Actor } from '../../domain/people';
import { LIMITS, newClientSchema, pageQuerySchema, requisitesSchema, safeString, timelineQuerySchema, uuid } from '../../domain/schemas';
import { clientTimelinePage } from '../../db/timelines';
import { accountOf, healthOfAccount } from '../../db/account/accounts';
import { idFor } from '../keyed-answers';
import { clientKeepers, clientsPage, findClient, insertClient, updateClient, type Client } from '../../db/clients';
import { route } from '../described-routes';
import { forbidden, foundByUuid, notFound } from '../errors';

/** `?q=&limit=&cursor=`: a part of the name, the start of the INN or of the client code; blank is no filter. */
export const clientsQuerySchema = pageQuerySchema(uuid).extend({
  q: safeString()
    .trim()
    .max(LIMITS.legalName, `must be at most ${LIMITS.legalName} characters`)
    .optional()
    .transform((q) => q || undefined),
});

/** A field a client edit does not change is refused by name (a misspelling too), never ignored. */
const onlyFields = (fields: string, why = '') => ({
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys' ? `${issue.keys!.join(', ')}: not changed here; only ${fields}${why}` : undefined,
});

/**
 * PATCH /api/clients/:id: the fields given replace the client's, each checked by the rules of
 * POST /api/clients (the requisites given are checked again merged with the rest, so a 10-digit INN
 * keeps needing its KPP; `null` clears an optional one). `contacts` replaces the list. The manager
 * and the segment are not here: the processes following the client own them (assignment,
 * qualification, reassignment), and a client edit must not change what they act on.
 */
export const clientPatchSchema = z
  .strictObject(
    {
      requisites: z
        .strictObject(requisitesSchema.shape, onlyFields('legalName, inn, kpp, address, bankName, bik, account, correspondentAccount'))
        .partial()
        .extend({ kpp: requisitesSchema.shape.kpp.unwrap().nullable().optional() })
        .refine((r) => Object.values(r).some((v) => v !== undefined), 'give at least one requisite')
        .optional(),
      contacts: newClientSchema.shape.contacts.optional(),
      location: newClientSchema.shape.location.unwrap().nullable().optional(),
      signatoryName: newClientSchema.shape.signatoryName.unwrap().nullable().optional(),
    },
    onlyFields(
      'requisites, contacts, location, signatoryName',
      "; the manager and the segment are the processes' (POST /api/clients/:id/manager, the onboarding's qualification)",
    ),
  )
  .refine((p) => Object.values(p).some((v) => v !== undefined), 'give at least one of requisites, contacts, location, signatoryName');

/** ops and kam_head edit any client; a manager their own, or one they registered that has no manager yet. */
function mayEdit(actor: Actor, keepers: { managerId: string | null; createdBy: string }): boolean {
  if (actor.roles.includes('ops') || actor.roles.includes('kam_head')) return true;
  return keepers.managerId === null ? keepers.createdBy === actor.staffId : keepers.managerId === actor.staffId;
}

export function createClientsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  /** The client as GET /api/clients/:id answers it: with where its relationship stands. */
  async function withStanding(client: Client) {
    const account = await accountOf(db, client.id);
    return { ...client, stage: account?.stage ?? 'healthy', health: healthOfAccount(account), account: account ?? null };
  }

  route(
    router,
    {
      method: 'get',
      path: '/clients',
      summary: 'Clients, newest first, a keyset page; ?q= finds them by a part of the name (any case), the start of the INN or of the code',
      who: 'anyone',
      query: clientsQuerySchema,
      answers: { 200: '{items: [{id, code, name, inn, manager: {id, name} | null, segment, createdAt}], nextCursor}' },
      tag: 'clients',
    },
    async (_req, res, { query }) => {
      const { q, limit, cursor } = query();
      res.json(await clientsPage(db, { q }, { limit, after: cursor }));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/clients',
      summary: 'Register a client: its requisites (the INN check digits verified) and its contacts with their decision roles',
      who: ['ops', 'manager'],
      body: newClientSchema,
      answers: { 201: '{id, code}' },
      tag: 'clients',
      offer: { start: true },
    },
    async (req, res, { actor, body }) => {
      // With an Idempotency-Key the key names the client, so a retry whose first answer was lost
      // (an API killed mid-request) or twenty sent at once make one client.
      const key = req.get('Idempotency-Key');
      const created = await insertClient(db, body(), actor.staffId, key ? idFor(`client:${actor.staffId}`, key) : undefined);
      res.status(201).set('Location', `/api/clients/${created.id}`).json(created);
    },
  );

  // The client with where its relationship stands: its churn stage and health (healthy, 100, before it has one).
  route(
    router,
    {
      method: 'get',
      path: '/clients/:id',
      summary: 'A client with its contacts and where its relationship stands: its stage and health',
      who: 'anyone',
      answers: { 200: 'the client with contacts, stage (healthy before it has an account), health and account (or null)' },
      tag: 'clients',
    },
    async (req, res) => {
      res.json(await withStanding(await foundByUuid(req.params.id, (id) => findClient(db, id), 'client')));
    },
  );

  route(
    router,
    {
      method: 'patch',
      path: '/clients/:id',
      summary:
        "Edit a client's requisites and contacts (and its location and signatory); each change goes on its timeline with who made it",
      who: ['ops', 'manager', 'kam_head'],
      rule: "a manager only their own client (its relationship's manager, else its onboarding's, else its latest contract's; while it has none, the one who registered it), kam_head as the managers' head; contracts keep the requisites they were drafted with",
      body: clientPatchSchema,
      answers: {
        200: 'the client as GET /api/clients/:id shows it, with changes: [{field, from, to}] (none when nothing changed, and then nothing is written)',
      },
      tag: 'clients',
      offer: { edit: true },
    },
    async (req, res, { actor, body }) => {
      const id = req.params.id!;
      const keepers = await foundByUuid(id, (clientId) => clientKeepers(db, clientId), 'client');
      if (!mayEdit(actor, keepers)) throw forbidden(`client ${id} is another manager's`);
      const updated = await updateClient(db, id, body(), actor);
      if (!updated) throw notFound(`client ${id}`);
      res.json({ ...(await withStanding(updated.client)), changes: updated.changes });
    },
  );

  // The client's one timeline: its onboarding, its contracts, its relationship's events, in order, each step with its actor and wait.
  route(
    router,
    {
      method: 'get',
      path: '/clients/:id/timeline',
      summary: "The client's one timeline: the steps of its onboarding, contracts and relationship in order, a keyset page",
      who: 'anyone',
      query: timelineQuerySchema,
      answers: { 200: '{clientId, items: [{process, workflowId, contractNumber, step, actor, waited ms, …}], nextCursor}' },
      tag: 'clients',
    },
    async (req, res, { query }) => {
      const client = await foundByUuid(req.params.id, (id) => findClient(db, id), 'client');
      const { limit, cursor } = query();
      res.json({ clientId: client.id, ...(await clientTimelinePage(db, client.id, { limit, after: cursor })) });
    },
  );

  return router;
}
