-- agentbase:mode if-absent
-- What agentbase's own /auth/v1 endpoints keep in the database: pgcrypto for
-- bcrypt password hashes (extensions.crypt, as on Supabase) and the sessions
-- that refresh tokens belong to. On Supabase the extensions schema and
-- pgcrypto already exist; only the sessions table is new there, and it lives
-- in the unexposed agentbase schema.

-- The extensions schema is created by 20_missing_tables.sql.
CREATE EXTENSION pgcrypto WITH SCHEMA extensions;

-- One row per sign-in. Refresh tokens are stored only as SHA-256 hashes: the
-- current one, and the one it replaced, so that a replayed old token is
-- recognised and ends the session. rotation_key is the random key the current
-- token was derived with from the replaced one (src/auth/refresh_rotation.hpp):
-- within the reuse interval after refreshed_at, the replaced token presented
-- again is answered with the current token instead of ending the session (two
-- tabs refreshing at once). expires_at slides forward on every refresh;
-- revoked_at is set by logout and by a replayed token. No grants: only the
-- server's own connection reads or writes it.
CREATE TABLE agentbase.auth_sessions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  refresh_token_hash text NOT NULL,
  previous_refresh_token_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  refreshed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  rotation_key text,
  CONSTRAINT auth_sessions_pkey PRIMARY KEY (id),
  CONSTRAINT auth_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE,
  CONSTRAINT auth_sessions_refresh_token_hash_key UNIQUE (refresh_token_hash)
);
CREATE INDEX auth_sessions_user_id_idx ON agentbase.auth_sessions (user_id);
CREATE INDEX auth_sessions_previous_refresh_token_hash_idx ON agentbase.auth_sessions (previous_refresh_token_hash);

-- Sign-in matches e-mail addresses case-insensitively, as GoTrue does. Only
-- where agentbase created auth.users (never on Supabase's own table).
CREATE INDEX users_email_lower_idx ON auth.users (lower(email));
