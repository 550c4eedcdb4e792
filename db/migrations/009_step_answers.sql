-- A step retried with its Idempotency-Key answers what it answered the first time.
-- 1. The Temporal update that took a step is written on the step's timeline event, so a retry
--    that comes after a 503 or a 202 (the step was in fact done) is recognised from Postgres, even
--    after the process's workflow has ended or continued as new.
ALTER TABLE timeline_events ADD COLUMN update_id text;
CREATE INDEX timeline_update ON timeline_events (workflow_id, update_id) WHERE update_id IS NOT NULL;

-- 2. The answer each keyed request was given, as it was sent: its status, body and Location.
--    `request_key` hashes (person, method, path, Idempotency-Key); `request_hash` the body, so the
--    same key with another body is refused instead of answered with someone else's step.
CREATE TABLE step_answers (
  request_key   text PRIMARY KEY,
  staff_id      text NOT NULL,
  method        text NOT NULL,
  path          text NOT NULL,
  request_hash  text NOT NULL,
  status        integer NOT NULL,
  body          jsonb NOT NULL,
  location      text,
  answered_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX step_answers_age ON step_answers (answered_at);
