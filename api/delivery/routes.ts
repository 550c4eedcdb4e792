// Delivery through the API: an administrator's webhook endpoints (register, list, change, disable,
// delete), each endpoint's delivery log and a redelivery; the mails that are failing; the events
// there are; and each person's choice of how they hear of their notifications.
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { DeliveryConfig } from '../../config/env';
import {
  deleteEndpoint,
  deliveriesPage,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  redeliver,
  REDELIVERY_PAUSE_MS,
  updateEndpoint,
} from '../../db/delivery/webhooks';
import { mailDeliveriesPage } from '../../db/delivery/mail';
import { changeSettings, settingsOf } from '../../db/delivery/settings';
import { findStaff } from '../../db/staff';
import { uuid } from '../../domain/schemas';
import { PROCESS_EVENTS } from '../../workflows/process-events';
import { deliveryTaskQueue, redeliveryStart } from '../../workflows/delivery/starts';
import { withTemporalDeadline } from '../deadline';
import { route } from '../described-routes';
import { badRequest, foundByUuid, HttpError, notFound } from '../errors';
import { bodyHash, IDEMPOTENCY_KEY, requestKeyOf } from '../keyed-answers';
import {
  deliveriesQuerySchema,
  mailDeliveriesQuerySchema,
  newWebhookSchema,
  notificationSettingsSchema,
  webhookPatchSchema,
} from './schemas';

export interface DeliveryRouterDeps {
  db: Pool;
  temporal: Client;
  taskQueue: string;
  callTimeoutMs: number;
  delivery: DeliveryConfig;
}

const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** A person with a staff row (not the bootstrap administrator), for their own settings. */
const ownStaffId = (staffId: string): string => {
  if (!uuid.safeParse(staffId).success) {
    throw new HttpError(409, 'no_staff_record', 'the bootstrap administrator (ADMIN_TOKEN) has no e-mail; sign in as a person');
  }
  return staffId;
};

export function createDeliveryRouter({ db, temporal, taskQueue, callTimeoutMs, delivery }: DeliveryRouterDeps): Router {
  const router = Router();
  const allowPrivate = delivery.webhooks.allowPrivate;
  const endpoint = (id: string) => foundByUuid(id, (found) => findEndpoint(db, found), 'webhook endpoint');

  route(
    router,
    {
      method: 'get',
      path: '/webhook-events',
      summary: 'The events a webhook endpoint may hear, by process, with what each means',
      who: 'anyone',
      answers: { 200: '{items: [{type, process, summary}]}' },
      tag: 'webhooks',
    },
    (_req, res) => {
      res.json({
        items: Object.entries(PROCESS_EVENTS).flatMap(([process, events]) =>
          events.map(({ type, summary }) => ({ type, process, summary })),
        ),
      });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/webhooks',
      summary: 'Register an endpoint for process events; its deliveries are signed (Standard Webhooks) with its secret, answered this once',
      who: ['admin'],
      body: newWebhookSchema(allowPrivate),
      answers: { 201: '{id, url, events, description, createdAt, disabledAt, failed, retrying, secret}' },
      keyed: true,
      tag: 'webhooks',
    },
    async (req, res, { actor, body }) => {
      const registration = body();
      const { url, events, secret = newSecret(), description } = registration;
      // Bound to its key like a contract (not kept among step answers: the answer carries the secret).
      const key = req.get('Idempotency-Key');
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw badRequest('the request is not valid', [{ path: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' }]);
      }
      const request =
        key === undefined ? undefined : { key: requestKeyOf(actor.staffId, 'POST', '/api/webhooks', key), hash: bodyHash(req.body) };
      const made = await insertEndpoint(db, { url, events, secret, description }, actor.staffId, request);
      if (made === 'reused') {
        throw new HttpError(
          422,
          'idempotency_key_reused',
          'this Idempotency-Key was already used for a different request; use a new key for a new endpoint',
        );
      }
      if (made.replayed) res.set('Idempotent-Replayed', 'true');
      res
        .status(201)
        .location(`/api/webhooks/${made.endpoint.id}`)
        .json({ ...made.endpoint, secret: made.secret });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/webhooks',
      summary: 'Every endpoint, with how many of its deliveries failed or are being retried (never its secret)',
      who: ['admin'],
      answers: { 200: '{items: [{id, url, events, description, createdAt, disabledAt, failed, retrying}]}' },
      tag: 'webhooks',
    },
    async (_req, res) => {
      res.json({ items: await listEndpoints(db) });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/webhooks/:id',
      summary: 'One endpoint',
      who: ['admin'],
      answers: { 200: '{id, url, events, description, createdAt, disabledAt, failed, retrying}' },
      tag: 'webhooks',
    },
    async (req, res) => {
      res.json(await endpoint(req.params.id!));
    },
  );

  route(
    router,
    {
      method: 'patch',
      path: '/webhooks/:id',
      summary:
        'Disable or enable an endpoint (a disabled one gets nothing more; its retries stop), or change its events, URL or description',
      who: ['admin'],
      body: webhookPatchSchema(allowPrivate),
      answers: { 200: 'the endpoint' },
      tag: 'webhooks',
    },
    async (req, res, { body }) => {
      await endpoint(req.params.id!);
      const updated = await updateEndpoint(db, req.params.id!, body());
      if (!updated) throw notFound(`webhook endpoint ${req.params.id}`);
      res.json(updated);
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/webhooks/:id',
      summary: 'Delete an endpoint with its deliveries and their log',
      who: ['admin'],
      answers: { 204: 'deleted' },
      tag: 'webhooks',
    },
    async (req, res) => {
      const id = uuid.safeParse(req.params.id);
      if (!id.success || !(await deleteEndpoint(db, id.data))) throw notFound(`webhook endpoint ${req.params.id}`);
      res.status(204).end();
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/webhooks/:id/deliveries',
      summary: "An endpoint's deliveries, newest first, each with every attempt's outcome; status= narrows them",
      who: ['admin'],
      query: deliveriesQuerySchema,
      answers: {
        200: '{items: [{id, webhookId, eventType, occurredAt, status, attempts, redeliveries, lastStatus, lastAnswer, lastError, createdAt, deliveredAt, failedAt, log: [{n, at, durationMs, outcome, statusCode, answer, error}]}], nextCursor}',
      },
      tag: 'webhooks',
    },
    async (req, res, { query }) => {
      const found = await endpoint(req.params.id!);
      const { limit, cursor, status } = query();
      res.json(await deliveriesPage(db, found.id, { limit, after: cursor, status }));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/webhooks/:id/deliveries/:deliveryId/redeliver',
      summary: 'Send a delivered or failed delivery again: the same body and webhook-id, retried as the first was',
      who: ['admin'],
      answers: { 202: '{id, status: "pending", redelivery}' },
      tag: 'webhooks',
    },
    async (req, res) => {
      const found = await endpoint(req.params.id!);
      const deliveryId = uuid.safeParse(req.params.deliveryId);
      if (!deliveryId.success) throw notFound(`delivery ${req.params.deliveryId}`);
      // The redelivery is opened and its workflow started in one transaction: a Temporal that does
      // not answer leaves the delivery as it was (503), and of twenty at once one is opened.
      const opened = await redeliver(db, found.id, deliveryId.data, async ({ n }) => {
        const start = redeliveryStart(deliveryId.data, n, {
          mailRetryForMs: delivery.mailRetryForMs,
          webhookRetryForMs: delivery.webhooks.retryForMs,
          webhookTimeoutMs: delivery.webhooks.timeoutMs,
        });
        await withTemporalDeadline(temporal, callTimeoutMs, () =>
          temporal.workflow.start(start.workflowType, {
            taskQueue: deliveryTaskQueue(taskQueue),
            workflowId: start.workflowId,
            args: start.args,
            workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          }),
        );
        return n;
      });
      if (opened === undefined) throw notFound(`delivery ${req.params.deliveryId} of webhook endpoint ${found.id}`);
      if (opened === 'in_progress') {
        throw new HttpError(409, 'in_progress', 'the delivery is being made; it can be sent again once delivered or failed');
      }
      if (opened === 'just_redelivered') {
        throw new HttpError(409, 'just_redelivered', `the delivery was sent again less than ${REDELIVERY_PAUSE_MS / 1000} s ago`);
      }
      if (opened === 'disabled') throw new HttpError(409, 'endpoint_disabled', 'the endpoint is disabled; enable it first');
      res.status(202).json({ id: deliveryId.data, status: 'pending', redelivery: opened.started });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/mail-deliveries',
      summary: 'Every e-mail of a notification to a person, newest first, with how its sending went; status=failed for those given up on',
      who: ['admin'],
      query: mailDeliveriesQuerySchema,
      answers: {
        200: '{items: [{id, notificationId, staffId, name, address, kind, message, status, attempts, lastError, messageId, digestId, createdAt, sentAt, failedAt}], nextCursor}',
      },
      tag: 'notifications',
    },
    async (_req, res, { query }) => {
      const { limit, cursor, status } = query();
      res.json(await mailDeliveriesPage(db, { limit, after: cursor, status }));
    },
  );

  const settingsAnswer = async (staffId: string, settings: Awaited<ReturnType<typeof settingsOf>>) => {
    const person = await findStaff(db, staffId);
    return { ...settings, email: person?.email ?? null, mail: delivery.mail !== undefined, timeZone: delivery.timeZone };
  };

  route(
    router,
    {
      method: 'get',
      path: '/me/notification-settings',
      summary:
        'How the caller hears of their notifications: per kind each at once, in a daily digest or none (in the app only); the digest time; the language of their e-mail',
      who: 'anyone',
      answers: { 200: '{language, digestAt, modes: {task, reminder, escalation, status}, email, mail, timeZone}' },
      tag: 'notifications',
    },
    async (_req, res, { actor }) => {
      const staffId = ownStaffId(actor.staffId);
      res.json(await settingsAnswer(staffId, await settingsOf(db, staffId)));
    },
  );

  route(
    router,
    {
      method: 'patch',
      path: '/me/notification-settings',
      summary: 'Change how the caller hears of their notifications; what is not given stays',
      who: 'anyone',
      body: notificationSettingsSchema,
      answers: { 200: '{language, digestAt, modes, email, mail, timeZone}' },
      tag: 'notifications',
    },
    async (_req, res, { actor, body }) => {
      const staffId = ownStaffId(actor.staffId);
      res.json(await settingsAnswer(staffId, await changeSettings(db, staffId, body())));
    },
  );

  return router;
}
