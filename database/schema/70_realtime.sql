-- agentbase:mode ensure
-- Live updates (Supabase Realtime's postgres_changes). Which tables publish
-- their changes is the supabase_realtime publication, as on Supabase: add a
-- table with ALTER PUBLICATION supabase_realtime ADD TABLE ..., here or in
-- SQL. On Supabase the publication exists already: only the tables are added.
-- The server reads the publication through logical replication
-- (src/changes/feed.hpp), which needs wal_level=logical.

CREATE PUBLICATION supabase_realtime;
ALTER PUBLICATION supabase_realtime ADD TABLE public.messages;
ALTER PUBLICATION supabase_realtime ADD TABLE public.conversations;

-- May each of several subscribers select these rows? One call answers for a
-- batch of changes of one table and every distinct set of JWT claims
-- subscribed to it: for each claims (grouped by role), it switches to the
-- claims' role and claims (for this transaction only, as PostgREST does) and
-- looks all the rows up by primary key in one query, so the table's row level
-- security policies decide. The cost is one lookup per claims per batch, not
-- per change: Supabase's realtime.apply_rls runs one per change per
-- subscriber. `records` is a JSON array of the changed rows (their primary
-- key columns at least), `claims` a JSON array of claim objects, `roles` the
-- API roles a claim may name (anon, authenticated, service_role, or as
-- configured): any other role, a superuser, or a role without SELECT on the
-- table sees nothing. The answer is a two-dimensional array, one row per
-- record and one column per claims, in the order given.
-- SECURITY INVOKER: the caller must be allowed to switch to those roles
-- (PostgREST's authenticator is; a superuser is), and nobody gains a role
-- through it; an API role calling it is refused. The role and claims in force before the call are restored.
-- Like Supabase's realtime.apply_rls, it reads the rows as they are now: a
-- row changed again since its change committed is judged on its newer state,
-- and a row deleted since is shown to nobody.
CREATE FUNCTION agentbase.realtime_visible(entity regclass, records jsonb, claims jsonb, roles text[])
RETURNS boolean[]
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
DECLARE
  key_match text;
  lookup text;
  visible boolean[];
  record_count int;
  claim jsonb;
  position bigint;
  claim_role text;
  switched_to text;
  may_select boolean := false;
  seen int[];
  row_position int;
  caller_role text := pg_catalog.current_setting('role');
  caller_claims text := coalesce(pg_catalog.current_setting('request.jwt.claims', true), '');
BEGIN
  -- PostgreSQL checks a role switch against the session's user, so an API
  -- role acting in a session of the server's (SET ROLE) could switch to any
  -- other API role: it is for the server's own connections only.
  IF current_user = ANY (roles) OR current_user IN ('anon', 'authenticated', 'service_role') THEN
    RAISE EXCEPTION 'agentbase.realtime_visible is not for API roles (called as %)', current_user
      USING ERRCODE = '42501';
  END IF;
  IF pg_catalog.jsonb_typeof(records) IS DISTINCT FROM 'array'
     OR pg_catalog.jsonb_typeof(claims) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'records and claims must be JSON arrays of objects' USING ERRCODE = '22023';
  END IF;
  record_count := pg_catalog.jsonb_array_length(records);
  IF record_count = 0 OR pg_catalog.jsonb_array_length(claims) = 0 THEN
    RETURN '{}';
  END IF;
  visible := pg_catalog.array_fill(false, ARRAY[record_count, pg_catalog.jsonb_array_length(claims)]);
  SELECT pg_catalog.string_agg(pg_catalog.format('t.%1$I = r.%1$I', a.attname), ' AND ')
    INTO key_match
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
  WHERE i.indrelid = entity AND i.indisprimary;
  IF key_match IS NULL THEN
    RAISE EXCEPTION '% has no primary key', entity USING ERRCODE = '42P10';
  END IF;
  lookup := pg_catalog.format(
    'SELECT pg_catalog.array_agg(x.ordinality::int) FROM pg_catalog.jsonb_array_elements($1) WITH ORDINALITY x, '
    'LATERAL pg_catalog.jsonb_populate_record(NULL::%s, x.value) r WHERE EXISTS (SELECT 1 FROM %s t WHERE %s)',
    entity, entity, key_match);
  FOR claim, position IN
    SELECT c.value, c.ordinality FROM pg_catalog.jsonb_array_elements(claims) WITH ORDINALITY c
    ORDER BY c.value ->> 'role'
  LOOP
    claim_role := claim ->> 'role';
    IF claim_role IS DISTINCT FROM switched_to THEN
      switched_to := claim_role;
      may_select := claim_role IS NOT NULL
        AND claim_role = ANY (roles)
        AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = claim_role AND NOT r.rolsuper)
        AND pg_catalog.has_table_privilege(claim_role, entity, 'SELECT');
      PERFORM pg_catalog.set_config('role', CASE WHEN may_select THEN claim_role ELSE caller_role END, true);
    END IF;
    IF NOT may_select OR pg_catalog.jsonb_typeof(claim) IS DISTINCT FROM 'object' THEN
      CONTINUE;
    END IF;
    PERFORM pg_catalog.set_config('request.jwt.claims', claim::text, true);
    EXECUTE lookup INTO seen USING records;
    IF seen IS NOT NULL THEN
      FOREACH row_position IN ARRAY seen LOOP
        visible[row_position][position] := true;
      END LOOP;
    END IF;
  END LOOP;
  PERFORM pg_catalog.set_config('role', caller_role, true);
  PERFORM pg_catalog.set_config('request.jwt.claims', caller_claims, true);
  RETURN visible;
END
$$;

-- Tenant-scoped tables: the published tables whose SELECT policies depend on
-- the subscriber only through its role and its tenant
-- (agentbase.current_tenant_id()), and that carry the tenant in tenant_id.
-- For these the server asks realtime_visible about one subscriber per role
-- and tenant instead of each (subscribers of one tenant and role see the same
-- rows), so the cost of a change no longer grows with the number of users;
-- and a DELETE whose old row carries tenant_id (REPLICA IDENTITY FULL) goes
-- only to that tenant's subscribers. List a table here only if its policies
-- say so: tests/pgtap/40_realtime.sql checks it for these two.
CREATE FUNCTION agentbase.realtime_tenant_scoped_tables() RETURNS regclass[]
LANGUAGE sql STABLE SET search_path = '' AS $$
  SELECT ARRAY['public.messages'::regclass, 'public.conversations'::regclass]
$$;

-- The tenant of each of several JWT claims (a JSON array of claim objects),
-- as the schema's policies see it: a JSON array of tenant ids (null where the
-- claims name no user with a profile). For the server's own connections only,
-- like realtime_visible: it would tell an API role other users' tenants.
CREATE FUNCTION agentbase.realtime_claims_tenants(claims jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
DECLARE
  caller_claims text := coalesce(pg_catalog.current_setting('request.jwt.claims', true), '');
  -- An array grown in place (a jsonb grown by || is copied whole at every
  -- step: a thousand claims cost half a million element copies).
  tenants uuid[] := '{}';
  claim jsonb;
BEGIN
  IF current_user IN ('anon', 'authenticated', 'service_role', 'authenticator') THEN
    RAISE EXCEPTION 'agentbase.realtime_claims_tenants is not for API roles (called as %)', current_user
      USING ERRCODE = '42501';
  END IF;
  IF pg_catalog.jsonb_typeof(claims) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'claims must be a JSON array of objects' USING ERRCODE = '22023';
  END IF;
  FOR claim IN SELECT c.value FROM pg_catalog.jsonb_array_elements(claims) c LOOP
    -- auth.uid() casts sub to uuid: any other sub names no user.
    IF pg_catalog.jsonb_typeof(claim) IS DISTINCT FROM 'object'
       OR (claim ->> 'sub') !~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' THEN
      tenants := tenants || NULL::uuid;
      CONTINUE;
    END IF;
    PERFORM pg_catalog.set_config('request.jwt.claims', claim::text, true);
    tenants := tenants || agentbase.current_tenant_id();
  END LOOP;
  PERFORM pg_catalog.set_config('request.jwt.claims', caller_claims, true);
  RETURN pg_catalog.to_jsonb(tenants);
END
$$;
