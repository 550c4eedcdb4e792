-- Notifications that reach people and other systems: e-mail to each person a notification is for
-- (as it happens, in a daily digest, or not at all, as they choose), and signed webhooks of process
-- events to the endpoints an administrator registers. The in-app list (notifications) stays the
-- source of truth; these tables say what was sent where, keyed so a retried or replayed delivery
-- sends nothing twice. Written by db/delivery/ (the planner inside each step's transaction, the
-- delivery activities after it) and the API's webhook and settings routes.

-- Each step's notifications are found by their process and moment (every row a step writes has its
-- workflow id and the step's time) when its deliveries are planned.
CREATE INDEX notifications_step ON notifications (workflow_id, created_at);

-- How a person wants to hear: per notification kind (task, reminder, escalation, status) each as it
-- happens ('each', the default for a kind not named), once a day in a digest ('digest'), or only in
-- the app ('none'); the digest's time of day (in TIME_ZONE) and the language of their e-mail.
CREATE TABLE notification_settings (
  staff_id    uuid PRIMARY KEY REFERENCES staff (id),
  language    text NOT NULL DEFAULT 'ru' CHECK (language IN ('ru', 'en')),
  digest_at   time NOT NULL DEFAULT '09:00',
  modes       jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A digest: one mail a day per person gathering what they chose to hear that way. Its day is the
-- date in TIME_ZONE it was made for; one per person and day, so a repeated round makes no second.
CREATE TABLE mail_digests (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id    uuid NOT NULL REFERENCES staff (id),
  day         date NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  message_id  text NOT NULL,
  attempts    integer NOT NULL DEFAULT 0,
  -- While an attempt is sending, no other attempt may (a lease, so no connection is held meanwhile).
  sending_until timestamptz,
  last_error  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  UNIQUE (staff_id, day)
);

-- One e-mail of one notification to one person (a notification for a role has one per person
-- holding it). Planned in the step's transaction, so a notification never lacks its mail.
-- pending: to be sent as it happens; digest: waits for the person's digest; sent; failed (retried
-- for MAIL_RETRY_FOR, then given up, with the last error).
CREATE TABLE mail_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- notification id : staff id
  key              text NOT NULL UNIQUE,
  -- The step whose delivery workflow sends it (deliver:<step key>).
  step_key         text NOT NULL,
  notification_id  uuid NOT NULL REFERENCES notifications (id),
  staff_id         uuid NOT NULL REFERENCES staff (id),
  address          text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'digest', 'sent', 'failed')),
  message_id       text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  sending_until    timestamptz,
  last_attempt_at  timestamptz,
  last_error       text,
  digest_id        uuid REFERENCES mail_digests (id),
  created_at       timestamptz NOT NULL,
  sent_at          timestamptz,
  failed_at        timestamptz
);
CREATE INDEX mail_deliveries_step ON mail_deliveries (step_key);
CREATE INDEX mail_deliveries_waiting ON mail_deliveries (status, created_at) WHERE status IN ('pending', 'failed');
CREATE INDEX mail_deliveries_for_digest ON mail_deliveries (staff_id, created_at) WHERE status = 'digest' AND digest_id IS NULL;
CREATE INDEX mail_deliveries_digest ON mail_deliveries (digest_id) WHERE digest_id IS NOT NULL;

-- Other systems' endpoints, registered by an administrator, each with the events it hears and the
-- secret its deliveries are signed with (Standard Webhooks: whsec_ and base64). The secret is
-- answered once, at registration.
CREATE TABLE webhook_endpoints (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url          text NOT NULL,
  events       text[] NOT NULL CHECK (cardinality(events) > 0),
  secret       text NOT NULL,
  description  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  disabled_at  timestamptz
);

-- A process event (contract.signed, client.lost…), written in the step's transaction with the
-- body every delivery of it sends byte for byte: {type, timestamp, data}. Its id is the deliveries'
-- webhook-id, the same on every attempt and redelivery, so a receiver can drop a repeat.
CREATE TABLE webhook_events (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- step key : event type
  key           text NOT NULL UNIQUE,
  type          text NOT NULL,
  workflow_id   text NOT NULL,
  process_type  text NOT NULL,
  occurred_at   timestamptz NOT NULL,
  payload       text NOT NULL
);
CREATE INDEX webhook_events_process ON webhook_events (workflow_id, occurred_at);

-- One event to one endpoint. pending: not tried yet; retrying: tried and failed, tried again with
-- backoff for WEBHOOK_RETRY_FOR; delivered (a 2xx answer); failed (given up, with the last answer).
CREATE TABLE webhook_deliveries (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- event id : endpoint id
  key            text NOT NULL UNIQUE,
  step_key       text NOT NULL,
  event_id       uuid NOT NULL REFERENCES webhook_events (id),
  endpoint_id    uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  status         text NOT NULL CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
  attempts       integer NOT NULL DEFAULT 0,
  -- Each redelivery an administrator asks for is numbered; its workflow id carries the number.
  redeliveries   integer NOT NULL DEFAULT 0,
  sending_until  timestamptz,
  last_attempt_at timestamptz,
  last_status    integer,
  last_answer    text,
  last_error     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  delivered_at   timestamptz,
  failed_at      timestamptz
);
CREATE INDEX webhook_deliveries_step ON webhook_deliveries (step_key);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries (status, created_at) WHERE status IN ('pending', 'retrying');

-- Every attempt of a delivery and what came of it: the log an administrator reads.
CREATE TABLE webhook_attempts (
  delivery_id  uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  n            integer NOT NULL,
  at           timestamptz NOT NULL,
  duration_ms  integer NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('delivered', 'http_error', 'timeout', 'network', 'refused')),
  status_code  integer,
  answer       text,
  error        text,
  PRIMARY KEY (delivery_id, n)
);
