-- Every row a process writes belongs to a process: its workflow id, its type (contract,
-- onboarding, …) and its subject, the client; the contract number only where there is one.
-- Tasks get a `ref` (a name within their process), so several tasks of one kind can be open at
-- once and each be closed on its own.

ALTER TABLE timeline_events ADD COLUMN process_type text;
ALTER TABLE timeline_events ADD COLUMN client_id uuid REFERENCES clients (id);
ALTER TABLE tasks ADD COLUMN process_type text;
ALTER TABLE tasks ADD COLUMN client_id uuid REFERENCES clients (id);
ALTER TABLE tasks ADD COLUMN ref text;
ALTER TABLE notifications ADD COLUMN workflow_id text;
ALTER TABLE notifications ADD COLUMN process_type text;
ALTER TABLE notifications ADD COLUMN client_id uuid REFERENCES clients (id);
ALTER TABLE documents ADD COLUMN workflow_id text;
ALTER TABLE documents ADD COLUMN process_type text;
ALTER TABLE documents ADD COLUMN client_id uuid REFERENCES clients (id);

-- Everything written so far was written by contracts.
UPDATE timeline_events t SET process_type = 'contract', client_id = r.client_id FROM contract_registry r WHERE r.number = t.contract_number;
UPDATE tasks t SET process_type = 'contract', client_id = r.client_id, ref = t.kind FROM contract_registry r WHERE r.number = t.contract_number;
UPDATE notifications n SET process_type = 'contract', client_id = r.client_id, workflow_id = r.workflow_id FROM contract_registry r WHERE r.number = n.contract_number;
UPDATE documents d SET process_type = 'contract', client_id = r.client_id, workflow_id = r.workflow_id FROM contract_registry r WHERE r.number = d.contract_number;
-- Notifications written outside any process (none today) keep a type of their own.
UPDATE notifications SET process_type = 'system' WHERE process_type IS NULL;

ALTER TABLE timeline_events ALTER COLUMN process_type SET NOT NULL;
ALTER TABLE tasks ALTER COLUMN process_type SET NOT NULL;
ALTER TABLE tasks ALTER COLUMN ref SET NOT NULL;
ALTER TABLE notifications ALTER COLUMN process_type SET NOT NULL;
ALTER TABLE documents ALTER COLUMN process_type SET NOT NULL;
ALTER TABLE documents ALTER COLUMN workflow_id SET NOT NULL;

-- Rows of processes that have no contract (an onboarding before its contract).
ALTER TABLE timeline_events ALTER COLUMN contract_number DROP NOT NULL;
ALTER TABLE tasks ALTER COLUMN contract_number DROP NOT NULL;
ALTER TABLE documents ALTER COLUMN contract_number DROP NOT NULL;

CREATE INDEX timeline_process ON timeline_events (workflow_id, at, id);
CREATE INDEX timeline_client ON timeline_events (client_id, at, id);
CREATE INDEX tasks_process_open ON tasks (workflow_id, ref) WHERE closed_at IS NULL;
CREATE INDEX tasks_client ON tasks (client_id);
CREATE INDEX documents_process ON documents (workflow_id);
