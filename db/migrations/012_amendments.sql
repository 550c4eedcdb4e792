-- The contract amendment (дополнительное соглашение): its drafts as written by the manager, its
-- record (one row per amendment, moved by its steps), and its numbering within its contract
-- (CT-2026-00017/ДС-1, ДС-2, …). Written only by the amendment's own code: the API its drafts,
-- its activities the rest.
CREATE TABLE amendment_drafts (
  id            uuid PRIMARY KEY,
  amendment_id  uuid NOT NULL,
  changes       jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object'),
  deviations    jsonb NOT NULL CHECK (jsonb_typeof(deviations) = 'array'),
  reason        text NOT NULL,
  created_by    uuid NOT NULL REFERENCES staff (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX amendment_drafts_amendment ON amendment_drafts (amendment_id);

CREATE TABLE amendment_counters (
  contract_number  text PRIMARY KEY REFERENCES contract_registry (number),
  last             integer NOT NULL CHECK (last > 0)
);

CREATE TABLE amendments (
  id                uuid PRIMARY KEY,
  workflow_id       text NOT NULL UNIQUE,
  number            text NOT NULL UNIQUE,
  contract_number   text NOT NULL REFERENCES contract_registry (number),
  seq               integer NOT NULL CHECK (seq > 0),
  client_id         uuid NOT NULL REFERENCES clients (id),
  manager_id        uuid NOT NULL REFERENCES staff (id),
  created_by        uuid NOT NULL REFERENCES staff (id),
  status            text NOT NULL CHECK (status IN ('registering','pending_legal_approval','changes_requested','pending_signature',
                      'ready_to_send','sent','original_received','in_force','rejected','cancelled')),
  draft_id          uuid NOT NULL REFERENCES amendment_drafts (id),
  changes           jsonb NOT NULL,
  deviations        jsonb NOT NULL,
  reason            text NOT NULL,
  -- The contract's terms when the amendment was registered: what the document says is changed.
  terms_before      jsonb NOT NULL,
  registered_at     timestamptz NOT NULL,
  approved_at       timestamptz,
  approved_by       text,
  signed_at         timestamptz,
  signed_by         text,
  document_id       uuid,
  sent_date         date,
  dispatch_channel  text CHECK (dispatch_channel IN ('courier','post','email')),
  tracking_ref      text,
  returned_date     date,
  archived_at       timestamptz,
  archive_location  text,
  in_force_at       timestamptz,
  closed_at         timestamptz,
  close_reason      text,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (contract_number, seq)
);
CREATE INDEX amendments_contract ON amendments (contract_number, seq);
CREATE INDEX amendments_open ON amendments (status) WHERE closed_at IS NULL AND in_force_at IS NULL;
