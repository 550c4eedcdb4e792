-- Paged lists and read notifications.

-- Who has read which notification. Per reader, not a column on the notification: one addressed
-- to a role (every lawyer) is read by each of them for themselves. `reader` is a staff id, or
-- 'admin' for the bootstrap administrator, who has no staff row (hence text, not a foreign key).
-- notifications.read_at (001) is superseded by this table and not written.
CREATE TABLE notification_reads (
  notification_id  uuid NOT NULL REFERENCES notifications (id),
  reader           text NOT NULL,
  read_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, reader)
);

-- Keyset pages walk these orders; each index ends with the page's tiebreak, so a page deep in
-- the list costs what the first one does.
CREATE INDEX contract_registry_page ON contract_registry (registered_at, number);
DROP INDEX IF EXISTS contract_registry_registered;

CREATE INDEX tasks_open_page ON tasks (opened_at, id) WHERE closed_at IS NULL;

CREATE INDEX notifications_staff_page ON notifications (recipient_staff_id, created_at DESC, id DESC);
CREATE INDEX notifications_role_page ON notifications (recipient_role, created_at DESC, id DESC)
  WHERE recipient_staff_id IS NULL;
DROP INDEX IF EXISTS notifications_staff;
DROP INDEX IF EXISTS notifications_role;

-- Issuing a new token revokes a person's live ones (POST /api/staff/:id/tokens).
CREATE INDEX api_tokens_staff_live ON api_tokens (staff_id) WHERE revoked_at IS NULL;
