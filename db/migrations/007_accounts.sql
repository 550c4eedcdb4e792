-- The account relationship: one row per client (the account workflow's projection, written by
-- its steps), its complaints, commitments and reviews, the periods it spent in each churn stage
-- (for the churn analytics) and the history of its health (for the cooling analysis).

CREATE TABLE accounts (
  client_id        uuid PRIMARY KEY REFERENCES clients (id),
  workflow_id      text NOT NULL UNIQUE,
  stage            text NOT NULL CHECK (stage IN ('healthy','dissatisfied','adversarial','ultimatum','arbitration','lost')),
  stage_since      timestamptz NOT NULL,
  manager_id       uuid REFERENCES staff (id),
  segment          text CHECK (segment IN ('key','gold','regular','low')),
  health           integer NOT NULL CHECK (health BETWEEN 0 AND 100),
  health_reasons   jsonb NOT NULL DEFAULT '[]',
  watch_until      timestamptz,
  watch_stage      text,
  opened_by        text NOT NULL,
  started_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  lost_at          timestamptz,
  lost_at_stage    text,
  loss_reason      text CHECK (loss_reason IN ('price','quality','service','relationship','client_business','other')),
  loss_competitor  text,
  loss_note        text
);
CREATE INDEX accounts_stage ON accounts (stage);
CREATE INDEX accounts_lost ON accounts (lost_at) WHERE lost_at IS NOT NULL;
CREATE INDEX accounts_started ON accounts (started_at, client_id);

CREATE TABLE complaints (
  id            uuid PRIMARY KEY,
  client_id     uuid NOT NULL REFERENCES clients (id),
  workflow_id   text NOT NULL,
  summary       text NOT NULL,
  category      text NOT NULL CHECK (category IN ('delivery','documents','billing','quality','staff','other')),
  severity      text NOT NULL CHECK (severity IN ('low','medium','high')),
  reported_by   text NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL,
  due_at        timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved','closed')),
  overdue_at    timestamptz,
  resolved_at   timestamptz,
  resolved_by   text,
  resolution    text,
  root_cause    text CHECK (root_cause IN ('person','process','product','external'))
);
CREATE INDEX complaints_client ON complaints (client_id, created_at, id);

CREATE TABLE commitments (
  id            uuid PRIMARY KEY,
  client_id     uuid NOT NULL REFERENCES clients (id),
  workflow_id   text NOT NULL,
  what          text NOT NULL,
  due_at        timestamptz NOT NULL,
  owner_id      uuid NOT NULL REFERENCES staff (id),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open','fulfilled','cancelled')),
  overdue_at    timestamptz,
  fulfilled_at  timestamptz,
  fulfilled_by  text,
  note          text
);
CREATE INDEX commitments_client ON commitments (client_id, created_at, id);

CREATE TABLE account_reviews (
  id                uuid PRIMARY KEY,
  client_id         uuid NOT NULL REFERENCES clients (id),
  workflow_id       text NOT NULL,
  satisfaction      integer NOT NULL CHECK (satisfaction BETWEEN 1 AND 10),
  business_changes  text NOT NULL,
  note              text NOT NULL,
  created_by        text NOT NULL,
  created_at        timestamptz NOT NULL
);
CREATE INDEX account_reviews_client ON account_reviews (client_id, created_at);

-- Keyed by the step that began the period, so a retried step opens none twice.
CREATE TABLE account_stage_periods (
  key         text PRIMARY KEY,
  client_id   uuid NOT NULL REFERENCES clients (id),
  stage       text NOT NULL,
  entered_at  timestamptz NOT NULL,
  left_at     timestamptz
);
CREATE INDEX account_stage_periods_client ON account_stage_periods (client_id, entered_at);

-- A row whenever a client's health changes, keyed by the step that changed it.
CREATE TABLE account_health (
  key        text PRIMARY KEY,
  client_id  uuid NOT NULL REFERENCES clients (id),
  at         timestamptz NOT NULL,
  score      integer NOT NULL,
  reasons    jsonb NOT NULL
);
CREATE INDEX account_health_client ON account_health (client_id, at);
