-- When an administrator last asked for a delivery to be sent again: one asked for within a few
-- seconds of it is refused (db/delivery/webhooks.ts, REDELIVERY_PAUSE_MS), so twenty clicks at once
-- send once, whatever order they reach the database in.
ALTER TABLE webhook_deliveries ADD COLUMN redelivered_at timestamptz;
