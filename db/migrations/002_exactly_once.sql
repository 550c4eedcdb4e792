-- What makes a contract exactly once: drafts kept here rather than in workflow histories, an
-- Idempotency-Key bound to one contract for good, and gap-free contract numbers.

-- A contract's draft terms (at creation, and every revision), written by the API before the
-- workflow hears of it; the workflow and its activities carry only the id.
CREATE TABLE contract_drafts (
  id           text PRIMARY KEY,
  workflow_id  text NOT NULL,
  draft        jsonb NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contract_drafts_workflow ON contract_drafts (workflow_id);

-- An Idempotency-Key on POST /api/contracts names one contract for good: the same key again
-- returns that contract whatever became of it; the same key with another body is refused.
CREATE TABLE contract_requests (
  staff_id         text NOT NULL,
  idempotency_key  text NOT NULL,
  body_sha256      text NOT NULL,
  workflow_id      text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staff_id, idempotency_key)
);

-- Numbers are taken inside the registering transaction, so a rolled-back registration gives its
-- number back instead of burning it (a sequence is not transactional). Counted per year, and
-- started past every number the old sequence gave out.
CREATE TABLE contract_number_counters (
  year  int PRIMARY KEY,
  last  int NOT NULL
);
INSERT INTO contract_number_counters (year, last)
SELECT split_part(number, '-', 2)::int, max(split_part(number, '-', 3)::int)
FROM contract_registry
GROUP BY 1;
