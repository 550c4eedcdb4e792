-- A task may say when it is due (a complaint's resolution deadline, a stage's actions, a promise
-- made to a client), so whoever it waits on sees it in their list, not only in the reminder.
ALTER TABLE tasks ADD COLUMN due_at timestamptz;
