-- People sign in to the pages with their e-mail and a password; the API's bearer tokens go on as
-- before. Only an argon2id hash of a password is kept, and only SHA-256 hashes of session and
-- invitation secrets (each is random, so a fast hash is enough): a copy of this database lets no
-- one in.
ALTER TABLE staff ADD COLUMN password_hash text;

-- One row per signed-in browser. A session is valid while it is not ended, not expired, and its
-- person is not disabled (checked on every request, so disabling someone ends their sessions at once).
CREATE TABLE sessions (
  id_hash       text PRIMARY KEY,
  staff_id      uuid NOT NULL REFERENCES staff (id),
  -- Every form of the session carries this; a form without it is refused (CSRF).
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  ended_at      timestamptz
);
CREATE INDEX sessions_staff ON sessions (staff_id) WHERE ended_at IS NULL;

-- A one-time link where an invited person sets their password. staff_id is null for the first
-- administrator's link, printed by `npm start` on a fresh install: that person names themself.
CREATE TABLE invitations (
  token_hash    text PRIMARY KEY,
  staff_id      uuid REFERENCES staff (id),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz
);

-- Failed sign-ins, counted per address and per account over a window to slow down guessing.
CREATE TABLE sign_in_failures (
  id        bigserial PRIMARY KEY,
  email     text NOT NULL,
  address   text NOT NULL,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);
