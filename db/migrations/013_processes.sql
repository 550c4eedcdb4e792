-- Every process of every type in one list, written by the engine's step recorder with each step
-- (activities/engine/record-step.ts) from what the process's projection says of itself: what it is
-- called, its number, its stage, its manager, when it started and ended, and the process that
-- started it. GET /api/processes and a process's children read only this table, so a new process
-- type appears in them without a query of its own.
CREATE TABLE processes (
  workflow_id         text PRIMARY KEY,
  type                text NOT NULL,
  id                  text NOT NULL,
  number              text,
  client_id           uuid NOT NULL REFERENCES clients (id),
  parent_workflow_id  text,
  stage               text NOT NULL,
  manager_id          uuid REFERENCES staff (id),
  started_at          timestamptz NOT NULL,
  closed_at           timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (type, id)
);
CREATE INDEX processes_newest ON processes (started_at DESC, id DESC);
CREATE INDEX processes_type_newest ON processes (type, started_at DESC, id DESC);
CREATE INDEX processes_stage ON processes (stage, started_at DESC);
CREATE INDEX processes_manager ON processes (manager_id, started_at DESC);
CREATE INDEX processes_client ON processes (client_id, started_at DESC);
CREATE INDEX processes_parent ON processes (parent_workflow_id) WHERE parent_workflow_id IS NOT NULL;

-- The processes that ran before this list existed.
INSERT INTO processes (workflow_id, type, id, number, client_id, stage, manager_id, started_at, closed_at)
SELECT workflow_id, 'contract', number, number, client_id, status, manager_id, registered_at, closed_at FROM contract_registry
ON CONFLICT DO NOTHING;
INSERT INTO processes (workflow_id, type, id, client_id, stage, manager_id, started_at, closed_at)
SELECT workflow_id, 'onboarding', id::text, client_id, stage, manager_id, created_at, closed_at FROM onboardings
ON CONFLICT DO NOTHING;
INSERT INTO processes (workflow_id, type, id, client_id, stage, manager_id, started_at, closed_at)
SELECT workflow_id, 'account', client_id::text, client_id, stage, manager_id, started_at, lost_at FROM accounts
ON CONFLICT DO NOTHING;
UPDATE processes p SET parent_workflow_id = o.workflow_id
FROM onboardings o WHERE o.contract_workflow_id = p.workflow_id;
