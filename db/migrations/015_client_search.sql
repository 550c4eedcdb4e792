-- Clients found by name, INN or code, and edited; contracts keep the requisites they were drafted with.
--
-- GET /api/clients?q= matches a part of the name in any case (a trigram index on lower(legal_name),
-- so a substring is found without reading every client), the start of the INN and the start of the
-- client code (pattern_ops: a prefix LIKE uses them whatever the database's collation); unfiltered,
-- the list is read newest first by (created_at, id).
--
-- A client's requisites may now change (PATCH /api/clients/:id), so a contract copies its client's
-- requisites and signatory when it is registered: its PDF and its clients-base entry print those,
-- not the client's later ones. Contracts registered before this migration were drafted with the
-- requisites their client has now (nothing could change them), so they are copied from it here.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX clients_name_search ON clients USING gin (lower(legal_name) gin_trgm_ops);
CREATE INDEX clients_inn_prefix ON clients (inn text_pattern_ops);
CREATE INDEX clients_code_prefix ON clients (code text_pattern_ops);
CREATE INDEX clients_page ON clients (created_at, id);
-- The client's manager, when neither its relationship nor an onboarding names one: its latest contract's.
CREATE INDEX contract_registry_client ON contract_registry (client_id, registered_at);

ALTER TABLE contract_registry ADD COLUMN client_requisites jsonb;

UPDATE contract_registry r
SET client_requisites = jsonb_strip_nulls(jsonb_build_object(
  'legalName', c.legal_name, 'inn', c.inn, 'kpp', c.kpp, 'address', c.address, 'bankName', c.bank_name, 'bik', c.bik,
  'account', c.account, 'correspondentAccount', c.correspondent_account, 'signatoryName', c.signatory_name))
FROM clients c
WHERE c.id = r.client_id;
