-- Staff, clients, the contract registration registry, documents, human tasks, notifications
-- and the timeline. Rows written by workflow activities carry a unique `key` built from the
-- workflow id, so a retried or replayed activity finds its row instead of making a second one.

CREATE TABLE staff (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (length(name) > 0),
  email       text NOT NULL,
  roles       text[] NOT NULL CHECK (cardinality(roles) > 0
                AND roles <@ ARRAY['ops','manager','kam_head','lawyer','director','admin']),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  disabled_at timestamptz
);
CREATE UNIQUE INDEX staff_email_unique ON staff (lower(email));

-- Only a SHA-256 of each bearer token is kept; the token itself is shown once, at creation.
CREATE TABLE api_tokens (
  token_hash  text PRIMARY KEY,
  staff_id    uuid NOT NULL REFERENCES staff (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE SEQUENCE client_code_seq;

CREATE TABLE clients (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code                   text NOT NULL UNIQUE,
  legal_name             text NOT NULL,
  location               text,
  inn                    text NOT NULL,
  kpp                    text,
  address                text NOT NULL,
  bank_name              text NOT NULL,
  bik                    text NOT NULL,
  account                text NOT NULL,
  correspondent_account  text NOT NULL,
  signatory_name         text,
  first_contact_date     date NOT NULL DEFAULT CURRENT_DATE,
  created_at             timestamptz NOT NULL DEFAULT now(),
  created_by             text NOT NULL
);
CREATE INDEX clients_inn ON clients (inn);

CREATE TABLE client_contacts (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id      uuid NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  position       int NOT NULL,
  name           text NOT NULL,
  job_title      text,
  phone          text,
  email          text,
  decision_role  text NOT NULL CHECK (decision_role IN ('leader','specifier','helper','butler')),
  UNIQUE (client_id, position)
);

-- Contract numbers come from a sequence: unique, never reused (a number is taken once per workflow).
CREATE SEQUENCE contract_number_seq;

-- Реестр регистрации договоров.
CREATE TABLE contract_registry (
  number              text PRIMARY KEY,
  workflow_id         text NOT NULL UNIQUE,
  client_id           uuid NOT NULL REFERENCES clients (id),
  manager_id          uuid NOT NULL REFERENCES staff (id),
  created_by          text NOT NULL,
  template            text NOT NULL,
  subject             text NOT NULL,
  amount              numeric(18,2) NOT NULL,
  currency            text NOT NULL,
  start_date          date NOT NULL,
  end_date            date NOT NULL,
  payment_terms_days  int NOT NULL,
  deviations          jsonb NOT NULL DEFAULT '[]',
  additional_agreement text,
  special_appendix    text,
  status              text NOT NULL,
  registered_at       timestamptz NOT NULL,
  approved_at         timestamptz,
  approved_by         text,
  signed_at           timestamptz,
  signed_by           text,
  sent_date           date,
  dispatch_channel    text CHECK (dispatch_channel IN ('courier','post','email')),
  tracking_ref        text,
  scan_received_date  date,
  returned_date       date,
  archive_ref         text UNIQUE,
  archived_at         timestamptz,
  closed_at           timestamptz,
  close_reason        text,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contract_registry_status ON contract_registry (status);
CREATE INDEX contract_registry_manager ON contract_registry (manager_id);
CREATE INDEX contract_registry_registered ON contract_registry (registered_at);

-- Chronological archive references (папка «Договора»), numbered per year.
CREATE TABLE archive_counters (
  year   int PRIMARY KEY,
  last   int NOT NULL
);

-- The clients base («Клиенты»): one entry per contract, provisional after a signed scan,
-- final once the lawyer enters it from the original.
CREATE TABLE clients_base (
  contract_number     text PRIMARY KEY REFERENCES contract_registry (number),
  client_id           uuid NOT NULL REFERENCES clients (id),
  entry               text NOT NULL CHECK (entry IN ('provisional','final')),
  company_name        text NOT NULL,
  location            text,
  contacts            jsonb NOT NULL,
  manager_id          uuid NOT NULL REFERENCES staff (id),
  manager_name        text NOT NULL,
  first_contact_date  date,
  concluded_date      date,
  expiry_date         date NOT NULL,
  requisites          jsonb NOT NULL,
  entered_by          text NOT NULL,
  entered_at          timestamptz NOT NULL
);

CREATE TABLE documents (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key              text NOT NULL UNIQUE,
  contract_number  text NOT NULL REFERENCES contract_registry (number),
  kind             text NOT NULL,
  content_type     text NOT NULL,
  file_name        text NOT NULL,
  sha256           text NOT NULL,
  content          bytea NOT NULL,
  created_at       timestamptz NOT NULL
);
CREATE INDEX documents_contract ON documents (contract_number);

-- Open human tasks: what a person must do next. Closed, never deleted.
CREATE TABLE tasks (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key                text NOT NULL UNIQUE,
  workflow_id        text NOT NULL,
  contract_number    text NOT NULL REFERENCES contract_registry (number),
  kind               text NOT NULL,
  title              text NOT NULL,
  assignee_staff_id  uuid REFERENCES staff (id),
  assignee_role      text NOT NULL,
  opened_at          timestamptz NOT NULL,
  closed_at          timestamptz,
  closed_by          text
);
CREATE INDEX tasks_open ON tasks (assignee_role, assignee_staff_id) WHERE closed_at IS NULL;
CREATE INDEX tasks_contract ON tasks (contract_number);

CREATE TABLE notifications (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key                 text NOT NULL UNIQUE,
  contract_number     text REFERENCES contract_registry (number),
  recipient_staff_id  uuid REFERENCES staff (id),
  recipient_role      text,
  kind                text NOT NULL,
  message             text NOT NULL,
  created_at          timestamptz NOT NULL,
  read_at             timestamptz,
  CHECK (recipient_staff_id IS NOT NULL OR recipient_role IS NOT NULL)
);
CREATE INDEX notifications_staff ON notifications (recipient_staff_id, created_at);
CREATE INDEX notifications_role ON notifications (recipient_role, created_at);

CREATE TABLE timeline_events (
  id               bigserial PRIMARY KEY,
  key              text NOT NULL UNIQUE,
  workflow_id      text NOT NULL,
  contract_number  text NOT NULL REFERENCES contract_registry (number),
  step             text NOT NULL,
  status_from      text,
  status_to        text NOT NULL,
  actor_id         text,
  actor_name       text,
  at               timestamptz NOT NULL,
  waited_ms        bigint NOT NULL,
  details          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_contract ON timeline_events (contract_number, at, id);
