-- A registration sent with an Idempotency-Key is bound to the endpoint it made, like a contract to
-- its key (002): the same key and body, however many times and at once, answer that endpoint (its
-- secret included); the same key with another body is refused. The key is a hash of the person,
-- the request and the key, as step_answers has it.
ALTER TABLE webhook_endpoints ADD COLUMN request_key text UNIQUE;
ALTER TABLE webhook_endpoints ADD COLUMN request_hash text;
