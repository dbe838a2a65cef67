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

-- May each of several subscribers select this row? One call answers for a
-- change and every distinct set of JWT claims subscribed to its table: for
-- each, it switches to the claims' role and claims (for this transaction
-- only, as PostgREST does) and looks the row up by its primary key, so the
-- table's row level security policies decide. `record` is the changed row
-- as JSON (its primary key columns at least), `claims` a JSON array of claim
-- objects, `roles` the API roles a claim may name (anon, authenticated,
-- service_role, or as configured): any other role, a superuser, or a role
-- without SELECT on the table sees nothing. Answers in the order of `claims`.
-- SECURITY INVOKER: the caller must be allowed to switch to those roles
-- (PostgREST's authenticator is; a superuser is), and nobody gains a role
-- through it. The role and claims in force before the call are restored.
-- Like Supabase's realtime.apply_rls, it reads the row as it is now: a row
-- changed again since the change committed is judged on its newer state.
CREATE FUNCTION agentbase.realtime_visible(entity regclass, record jsonb, claims jsonb, roles text[])
RETURNS boolean[]
LANGUAGE plpgsql VOLATILE SET search_path = '' AS $$
DECLARE
  key_match text;
  lookup text;
  visible boolean[] := '{}';
  claim jsonb;
  claim_role text;
  found boolean;
  caller_role text := pg_catalog.current_setting('role');
  caller_claims text := coalesce(pg_catalog.current_setting('request.jwt.claims', true), '');
BEGIN
  IF pg_catalog.jsonb_typeof(claims) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'claims must be a JSON array of claim objects' USING ERRCODE = '22023';
  END IF;
  SELECT pg_catalog.string_agg(pg_catalog.format('t.%1$I = r.%1$I', a.attname), ' AND ')
    INTO key_match
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
  WHERE i.indrelid = entity AND i.indisprimary;
  IF key_match IS NULL THEN
    RAISE EXCEPTION '% has no primary key', entity USING ERRCODE = '42P10';
  END IF;
  lookup := pg_catalog.format(
    'SELECT EXISTS (SELECT 1 FROM %s t, pg_catalog.jsonb_populate_record(NULL::%s, $1) r WHERE %s)',
    entity, entity, key_match);
  FOR claim IN SELECT c.value FROM pg_catalog.jsonb_array_elements(claims) c LOOP
    claim_role := claim ->> 'role';
    IF pg_catalog.jsonb_typeof(claim) IS DISTINCT FROM 'object'
       OR claim_role IS NULL
       OR NOT claim_role = ANY (roles)
       OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = claim_role AND NOT r.rolsuper)
       OR NOT pg_catalog.has_table_privilege(claim_role, entity, 'SELECT') THEN
      visible := visible || false;
      CONTINUE;
    END IF;
    PERFORM pg_catalog.set_config('role', claim_role, true);
    PERFORM pg_catalog.set_config('request.jwt.claims', claim::text, true);
    EXECUTE lookup INTO found USING record;
    PERFORM pg_catalog.set_config('role', caller_role, true);
    visible := visible || coalesce(found, false);
  END LOOP;
  PERFORM pg_catalog.set_config('request.jwt.claims', caller_claims, true);
  RETURN visible;
END
$$;
