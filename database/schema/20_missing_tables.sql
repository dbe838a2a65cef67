-- agentbase:mode ensure
-- The five tables the platform lacks: conversations, agent_tools,
-- organizational_roles, business_functions and user_memory, with their
-- helpers, indexes, row level security and triggers, plus
-- messages.conversation_id. Every object is ensured: created when missing,
-- compared when present. database/sql/add_missing_tables.sql is rendered
-- from this file (`agentbase db sql`).
--
-- What must already exist with these columns (checked before anything runs):
-- agentbase:requires public.tenants(id uuid)
-- agentbase:requires public.profiles(id uuid, tenant_id uuid)
-- agentbase:requires public.agents(id uuid, tenant_id uuid)
-- agentbase:requires public.tools(id uuid)
-- agentbase:requires public.departments(id uuid)
-- agentbase:requires public.messages(id uuid, created_at timestamptz)
-- agentbase:requires auth.users(id uuid)

-- Where extensions go, as on Supabase: pgvector here, pgcrypto
-- (40_auth_sessions.sql), btree_gin (60_chat.sql).
CREATE SCHEMA extensions;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;

-- agentbase:if vector
CREATE EXTENSION vector WITH SCHEMA extensions;
-- agentbase:end

-- Helpers live in a schema the API does not expose.
CREATE SCHEMA agentbase;
GRANT USAGE ON SCHEMA agentbase TO anon, authenticated, service_role;

CREATE FUNCTION agentbase.set_updated_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- The current user's tenant. SECURITY DEFINER so that policies do not depend
-- on the caller's rights on profiles; policies call it as (SELECT ...) so it
-- runs once per statement. PL/pgSQL, not SQL: a SQL function with SET is
-- never inlined and plans its query on every statement (0.04 ms, several
-- times in a write), where PL/pgSQL keeps the plan for the session.
CREATE FUNCTION agentbase.current_tenant_id() RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  RETURN (SELECT p.tenant_id FROM public.profiles p WHERE p.id = auth.uid());
END
$$;

-- The current tenant's agents. agentbase's own policies no longer use it: as
-- `agent_id IN (SELECT ...)` it builds the whole set once per statement (a
-- millisecond at 1,000 agents), so they look the row's agent up instead,
-- EXISTS (... a.id = <table>.agent_id AND a.tenant_id = current_tenant_id()),
-- an index probe or a semi-join. Kept for policies of a team's own that call it.
CREATE FUNCTION agentbase.current_tenant_agent_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT a.id FROM public.agents a
  WHERE a.tenant_id = (SELECT agentbase.current_tenant_id())
$$;

-- Shared organisation data (organizational_roles, business_functions and,
-- where agentbase created it, departments) -------------------------------------
--
-- Every tenant reads it; who may change it is a setting. 'owner_admin' (the
-- default, also when the row is absent): owners and admins of a tenant
-- (profiles.role) change the rows their own tenant created. 'authenticated':
-- the seed's rule, any signed-in user changes any row. service_role always
-- may. Set it as the database owner:
--   INSERT INTO agentbase.settings VALUES ('org_write_rule', 'authenticated')
--     ON CONFLICT (name) DO UPDATE SET value = excluded.value;
-- No grants: the API's roles can neither read nor change it.
CREATE TABLE agentbase.settings (
  name text NOT NULL,
  value text NOT NULL,
  CONSTRAINT settings_pkey PRIMARY KEY (name),
  CONSTRAINT settings_org_write_rule_check CHECK (name <> 'org_write_rule' OR value IN ('owner_admin', 'authenticated'))
);
-- Row level security without policies: should a database's default
-- privileges grant the API's roles this table, they still see no row.
ALTER TABLE agentbase.settings ENABLE ROW LEVEL SECURITY;

-- Which tenant created each row of the shared organisation data. It lives
-- beside the tables because their columns are fixed by the seed. tenant_id
-- NULL marks a platform row (inserted by service_role or the database owner,
-- or there before agentbase recorded owners): only service_role changes it
-- under the default rule. No grants: only the helpers below read it.
CREATE TABLE agentbase.org_row_owners (
  table_name text NOT NULL,
  row_id uuid NOT NULL,
  tenant_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT org_row_owners_pkey PRIMARY KEY (table_name, row_id)
);
CREATE INDEX org_row_owners_tenant_id_idx ON agentbase.org_row_owners (tenant_id, table_name);
ALTER TABLE agentbase.org_row_owners ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION agentbase.org_write_rule() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT coalesce((SELECT s.value FROM agentbase.settings s WHERE s.name = 'org_write_rule'), 'owner_admin')
$$;

-- Whether the caller is an owner or admin of their tenant. A user's own
-- profiles table may have no role column: then nobody is, and only
-- service_role changes shared organisation data under the default rule.
CREATE FUNCTION agentbase.current_user_is_tenant_admin() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  is_admin boolean := false;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = pg_catalog.to_regclass('public.profiles') AND a.attname = 'role'
                AND NOT a.attisdropped) THEN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM public.profiles p WHERE p.id = $1 AND p.tenant_id IS NOT NULL'
            ' AND p.role::text IN (''owner'', ''admin''))'
      INTO is_admin USING auth.uid();
  END IF;
  RETURN is_admin;
END
$$;

-- The rows of one organisation table that the caller may change under the
-- default rule: those their tenant created, if they are an owner or admin of
-- it; none otherwise. Each write policy is then the rule's setting or this
-- set, both evaluated once per statement.
CREATE FUNCTION agentbase.org_rows_caller_may_change(org_table text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT o.row_id FROM agentbase.org_row_owners o
  WHERE (SELECT agentbase.current_user_is_tenant_admin())
    AND o.table_name = org_table AND o.tenant_id = (SELECT agentbase.current_tenant_id())
$$;

-- Whether the caller acts for the platform rather than for a tenant:
-- service_role, or a database session without API claims (the owner, psql).
-- Any other role claim is a tenant's caller, also a custom API role (one that
-- --jwt-roles or PostgREST admits, a member of authenticated): otherwise it
-- would bypass the guard below and record its rows as the platform's.
CREATE FUNCTION agentbase.caller_is_platform() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  RETURN coalesce(auth.role(), '') IN ('service_role', '');
END
$$;

-- Records which tenant created a row of the shared organisation data, follows
-- a changed id and forgets the row when it is deleted.
CREATE FUNCTION agentbase.record_org_row_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM agentbase.org_row_owners WHERE table_name = TG_TABLE_NAME AND row_id = OLD.id;
    RETURN OLD;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE agentbase.org_row_owners SET row_id = NEW.id WHERE table_name = TG_TABLE_NAME AND row_id = OLD.id;
    RETURN NEW;
  END IF;
  INSERT INTO agentbase.org_row_owners (table_name, row_id, tenant_id)
  VALUES (TG_TABLE_NAME, NEW.id,
          CASE WHEN agentbase.caller_is_platform() THEN NULL ELSE agentbase.current_tenant_id() END)
  ON CONFLICT (table_name, row_id) DO UPDATE SET tenant_id = excluded.tenant_id, created_at = excluded.created_at;
  RETURN NEW;
END
$$;

-- One tenant's change never rewrites another tenant's rows: deleting a row
-- that another tenant's agents or organisation rows (or the platform's) refer
-- to would set their references to NULL (ON DELETE SET NULL) or delete their
-- agents' mappings to it (agent_business_functions, ON DELETE CASCADE), and a
-- new slug or id would break whatever finds it by them. Only the platform may
-- do that.
-- Applies under both rules. SQLSTATE 42501 (insufficient_privilege).
CREATE FUNCTION agentbase.refuse_changing_org_rows_others_use() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  caller_tenant uuid;
  link record;
  used boolean;
BEGIN
  IF agentbase.caller_is_platform()
     OR (TG_OP = 'UPDATE' AND NEW.slug IS NOT DISTINCT FROM OLD.slug AND NEW.id IS NOT DISTINCT FROM OLD.id) THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  caller_tenant := agentbase.current_tenant_id();
  FOR link IN
    SELECT l.referrer, l.column_name
    FROM (VALUES ('organizational_roles', 'agents', 'organizational_role_id'),
                 ('organizational_roles', 'organizational_roles', 'reports_to_role_id'),
                 ('business_functions', 'agents', 'business_function_id'),
                 ('business_functions', 'agent_business_functions', 'business_function_id'),
                 ('business_functions', 'business_functions', 'parent_function_id'),
                 ('departments', 'organizational_roles', 'department_id'),
                 ('departments', 'departments', 'parent_department_id')) AS l(target, referrer, column_name)
    WHERE l.target = TG_TABLE_NAME
  LOOP
    -- A user's own agents table may lack the column (agentbase adds it only
    -- to an agents table it created).
    CONTINUE WHEN NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = pg_catalog.to_regclass('public.' || link.referrer) AND a.attname = link.column_name
        AND NOT a.attisdropped);
    IF link.referrer = 'agents' THEN
      EXECUTE pg_catalog.format(
        'SELECT EXISTS (SELECT 1 FROM public.agents r WHERE r.%I = $1 AND r.tenant_id IS DISTINCT FROM $2)',
        link.column_name)
        INTO used USING OLD.id, caller_tenant;
    ELSIF link.referrer = 'agent_business_functions' THEN
      -- Agents mapped to a business function (91_org.sql): the tenant is the agent's.
      EXECUTE 'SELECT EXISTS (SELECT 1 FROM public.agent_business_functions r JOIN public.agents a ON a.id = r.agent_id'
              ' WHERE r.business_function_id = $1 AND a.tenant_id IS DISTINCT FROM $2)'
        INTO used USING OLD.id, caller_tenant;
    ELSE
      EXECUTE pg_catalog.format(
        'SELECT EXISTS (SELECT 1 FROM public.%I r LEFT JOIN agentbase.org_row_owners o'
        ' ON o.table_name = %L AND o.row_id = r.id'
        ' WHERE r.%I = $1 AND r.id <> $1 AND o.tenant_id IS DISTINCT FROM $2)',
        link.referrer, link.referrer, link.column_name)
        INTO used USING OLD.id, caller_tenant;
    END IF;
    IF used THEN
      RAISE EXCEPTION 'cannot % public.% "%": public.%.% of another tenant (or of the platform) refers to it',
        CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 're-slug' END, TG_TABLE_NAME, OLD.slug,
        link.referrer, link.column_name
        USING ERRCODE = '42501',
              HINT = 'Deleting it would set their references to NULL; only service_role may change '
                     'organisation data that other tenants use.';
    END IF;
  END LOOP;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- Inserting a message moves its conversation to the top of the list.
CREATE FUNCTION agentbase.touch_conversation_on_message() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.conversation_id IS NOT NULL THEN
    UPDATE public.conversations
       SET last_message_at = greatest(last_message_at, NEW.created_at)
     WHERE id = NEW.conversation_id;
  END IF;
  RETURN NEW;
END
$$;

-- conversations ------------------------------------------------------------

CREATE TABLE public.conversations (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  agent_id uuid,
  title text NOT NULL DEFAULT 'New conversation',
  status text NOT NULL DEFAULT 'active',
  last_message_at timestamptz NOT NULL DEFAULT now(),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT conversations_pkey PRIMARY KEY (id),
  CONSTRAINT conversations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE,
  CONSTRAINT conversations_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE,
  CONSTRAINT conversations_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE SET NULL,
  CONSTRAINT conversations_status_check CHECK (status IN ('active', 'archived', 'deleted')),
  CONSTRAINT conversations_title_length_check CHECK (char_length(title) <= 500)
);
-- The conversation list: a tenant's conversations, most recent first.
CREATE INDEX conversations_tenant_last_message_idx ON public.conversations (tenant_id, last_message_at DESC);
CREATE INDEX conversations_user_id_idx ON public.conversations (user_id, last_message_at DESC);
CREATE INDEX conversations_agent_id_idx ON public.conversations (agent_id);
CREATE INDEX conversations_status_idx ON public.conversations (tenant_id, status);
CREATE INDEX conversations_title_search_idx ON public.conversations USING gin (to_tsvector('simple', title));
GRANT SELECT, INSERT, UPDATE, DELETE ON public.conversations TO anon, authenticated, service_role;
ALTER TABLE public.conversations ENABLE ROW LEVEL SECURITY;
CREATE POLICY conversations_select_same_tenant ON public.conversations
  FOR SELECT TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()));
-- Writes stay inside the tenant: the agent too must be one of the tenant's.
CREATE POLICY conversations_insert_own ON public.conversations
  FOR INSERT TO authenticated
  WITH CHECK (
    user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id())
    AND (agent_id IS NULL OR EXISTS (SELECT 1 FROM public.agents a WHERE a.id = conversations.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())))
  );
CREATE POLICY conversations_update_own ON public.conversations
  FOR UPDATE TO authenticated
  USING (user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id()))
  WITH CHECK (
    user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id())
    AND (agent_id IS NULL OR EXISTS (SELECT 1 FROM public.agents a WHERE a.id = conversations.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())))
  );
CREATE POLICY conversations_delete_own ON public.conversations
  FOR DELETE TO authenticated
  USING (user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE ON public.conversations
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

-- messages.conversation_id -------------------------------------------------

ALTER TABLE public.messages ADD COLUMN conversation_id uuid;
ALTER TABLE public.messages ADD CONSTRAINT messages_conversation_id_fkey
  FOREIGN KEY (conversation_id) REFERENCES public.conversations (id) ON DELETE CASCADE;
CREATE INDEX messages_conversation_id_idx ON public.messages (conversation_id, created_at);
CREATE TRIGGER messages_touch_conversation AFTER INSERT ON public.messages
  FOR EACH ROW EXECUTE FUNCTION agentbase.touch_conversation_on_message();

-- agent_tools ----------------------------------------------------------------

CREATE TABLE public.agent_tools (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL,
  tool_id uuid NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  priority integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT agent_tools_pkey PRIMARY KEY (id),
  CONSTRAINT agent_tools_agent_id_tool_id_key UNIQUE (agent_id, tool_id),
  CONSTRAINT agent_tools_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE,
  CONSTRAINT agent_tools_tool_id_fkey FOREIGN KEY (tool_id) REFERENCES public.tools (id) ON DELETE CASCADE
);
CREATE INDEX agent_tools_tool_id_idx ON public.agent_tools (tool_id);
CREATE INDEX agent_tools_enabled_priority_idx ON public.agent_tools (agent_id, priority) WHERE enabled;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.agent_tools TO anon, authenticated, service_role;
ALTER TABLE public.agent_tools ENABLE ROW LEVEL SECURITY;
-- The seed's "anyone can view enabled tools", made safe: config holds teams'
-- API keys and agent ids are tenant data, so enabled rows are visible only
-- within the agent's own tenant (anon sees none). Which tools exist stays
-- public through public.tools (the agent looked up as current_tenant_agent_ids
-- says).
CREATE POLICY agent_tools_select_enabled ON public.agent_tools
  FOR SELECT TO anon, authenticated
  USING (enabled AND EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_tools.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
-- Disabled tools stay visible to their own tenant, so they can be re-enabled.
CREATE POLICY agent_tools_select_own_tenant ON public.agent_tools
  FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_tools.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
CREATE POLICY agent_tools_insert_own_tenant ON public.agent_tools
  FOR INSERT TO authenticated
  WITH CHECK (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_tools.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
CREATE POLICY agent_tools_update_own_tenant ON public.agent_tools
  FOR UPDATE TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_tools.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_tools.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
CREATE POLICY agent_tools_delete_own_tenant ON public.agent_tools
  FOR DELETE TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_tools.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
CREATE TRIGGER agent_tools_set_updated_at BEFORE UPDATE ON public.agent_tools
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

-- organizational_roles -------------------------------------------------------

CREATE TABLE public.organizational_roles (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  slug text NOT NULL,
  department_id uuid,
  reports_to_role_id uuid,
  level text NOT NULL DEFAULT 'mid',
  responsibilities text[] NOT NULL DEFAULT '{}'::text[],
  required_skills text[] NOT NULL DEFAULT '{}'::text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT organizational_roles_pkey PRIMARY KEY (id),
  CONSTRAINT organizational_roles_slug_key UNIQUE (slug),
  CONSTRAINT organizational_roles_department_id_fkey FOREIGN KEY (department_id) REFERENCES public.departments (id) ON DELETE SET NULL,
  CONSTRAINT organizational_roles_reports_to_role_id_fkey FOREIGN KEY (reports_to_role_id) REFERENCES public.organizational_roles (id) ON DELETE SET NULL,
  CONSTRAINT organizational_roles_level_check CHECK (level IN ('executive', 'senior', 'mid', 'junior', 'entry')),
  CONSTRAINT organizational_roles_slug_format_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  CONSTRAINT organizational_roles_not_own_manager_check CHECK (reports_to_role_id IS DISTINCT FROM id)
);
CREATE INDEX organizational_roles_department_id_idx ON public.organizational_roles (department_id);
CREATE INDEX organizational_roles_reports_to_role_id_idx ON public.organizational_roles (reports_to_role_id);
CREATE INDEX organizational_roles_level_idx ON public.organizational_roles (level);
CREATE INDEX organizational_roles_name_search_idx ON public.organizational_roles USING gin (to_tsvector('simple', name));
GRANT SELECT, INSERT, UPDATE, DELETE ON public.organizational_roles TO anon, authenticated, service_role;
ALTER TABLE public.organizational_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY organizational_roles_select_public ON public.organizational_roles
  FOR SELECT TO anon, authenticated
  USING (true);
-- Writes: see agentbase.org_write_rule() above.
CREATE POLICY organizational_roles_insert_authenticated ON public.organizational_roles
  FOR INSERT TO authenticated
  WITH CHECK ((SELECT agentbase.org_write_rule()) = 'authenticated' OR (SELECT agentbase.current_user_is_tenant_admin()));
CREATE POLICY organizational_roles_update_authenticated ON public.organizational_roles
  FOR UPDATE TO authenticated
  USING ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('organizational_roles')))
  WITH CHECK ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('organizational_roles')));
CREATE POLICY organizational_roles_delete_authenticated ON public.organizational_roles
  FOR DELETE TO authenticated
  USING ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('organizational_roles')));
CREATE TRIGGER organizational_roles_record_owner AFTER INSERT OR UPDATE OF id OR DELETE ON public.organizational_roles
  FOR EACH ROW EXECUTE FUNCTION agentbase.record_org_row_owner();
CREATE TRIGGER organizational_roles_guard_shared_rows BEFORE UPDATE OF id, slug OR DELETE ON public.organizational_roles
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_changing_org_rows_others_use();
CREATE TRIGGER organizational_roles_set_updated_at BEFORE UPDATE ON public.organizational_roles
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

-- business_functions ---------------------------------------------------------

CREATE TABLE public.business_functions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  slug text NOT NULL,
  description text,
  category text NOT NULL DEFAULT 'core',
  parent_function_id uuid,
  key_activities text[] NOT NULL DEFAULT '{}'::text[],
  success_metrics text[] NOT NULL DEFAULT '{}'::text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT business_functions_pkey PRIMARY KEY (id),
  CONSTRAINT business_functions_slug_key UNIQUE (slug),
  CONSTRAINT business_functions_parent_function_id_fkey FOREIGN KEY (parent_function_id) REFERENCES public.business_functions (id) ON DELETE SET NULL,
  CONSTRAINT business_functions_category_check CHECK (category IN ('core', 'support', 'strategic', 'operational')),
  CONSTRAINT business_functions_slug_format_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  CONSTRAINT business_functions_not_own_parent_check CHECK (parent_function_id IS DISTINCT FROM id)
);
CREATE INDEX business_functions_parent_function_id_idx ON public.business_functions (parent_function_id);
CREATE INDEX business_functions_category_idx ON public.business_functions (category);
CREATE INDEX business_functions_name_search_idx ON public.business_functions USING gin (to_tsvector('simple', name));
GRANT SELECT, INSERT, UPDATE, DELETE ON public.business_functions TO anon, authenticated, service_role;
ALTER TABLE public.business_functions ENABLE ROW LEVEL SECURITY;
CREATE POLICY business_functions_select_public ON public.business_functions
  FOR SELECT TO anon, authenticated
  USING (true);
-- Writes: see agentbase.org_write_rule() above.
CREATE POLICY business_functions_insert_authenticated ON public.business_functions
  FOR INSERT TO authenticated
  WITH CHECK ((SELECT agentbase.org_write_rule()) = 'authenticated' OR (SELECT agentbase.current_user_is_tenant_admin()));
CREATE POLICY business_functions_update_authenticated ON public.business_functions
  FOR UPDATE TO authenticated
  USING ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('business_functions')))
  WITH CHECK ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('business_functions')));
CREATE POLICY business_functions_delete_authenticated ON public.business_functions
  FOR DELETE TO authenticated
  USING ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('business_functions')));
CREATE TRIGGER business_functions_record_owner AFTER INSERT OR UPDATE OF id OR DELETE ON public.business_functions
  FOR EACH ROW EXECUTE FUNCTION agentbase.record_org_row_owner();
CREATE TRIGGER business_functions_guard_shared_rows BEFORE UPDATE OF id, slug OR DELETE ON public.business_functions
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_changing_org_rows_others_use();
CREATE TRIGGER business_functions_set_updated_at BEFORE UPDATE ON public.business_functions
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

-- user_memory ----------------------------------------------------------------

CREATE TABLE public.user_memory (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  memory_type text NOT NULL DEFAULT 'fact',
  key text NOT NULL,
  value text NOT NULL,
  confidence_score real NOT NULL DEFAULT 1.0,
  source text,
  source_conversation_id uuid,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT user_memory_pkey PRIMARY KEY (id),
  CONSTRAINT user_memory_tenant_id_user_id_key_key UNIQUE (tenant_id, user_id, key),
  CONSTRAINT user_memory_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE,
  CONSTRAINT user_memory_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE,
  CONSTRAINT user_memory_source_conversation_id_fkey FOREIGN KEY (source_conversation_id) REFERENCES public.conversations (id) ON DELETE SET NULL,
  CONSTRAINT user_memory_memory_type_check CHECK (memory_type IN ('preference', 'context', 'fact', 'goal', 'history')),
  CONSTRAINT user_memory_confidence_score_check CHECK (confidence_score >= 0 AND confidence_score <= 1),
  CONSTRAINT user_memory_key_length_check CHECK (char_length(key) BETWEEN 1 AND 200)
);
-- A row with a 1,536-number embedding (6 KB) stays whole in its page instead
-- of being compressed (which fails on floats) and cut into four TOAST chunks
-- on every write and read back chunk by chunk on every exact search; larger
-- rows (longer embeddings, long values) are still TOASTed.
ALTER TABLE public.user_memory SET (toast_tuple_target = 8160);
-- The embedding: pgvector where the database has it (Supabase does), a
-- checked real[] elsewhere. Either way it is one column.
-- agentbase:if vector
ALTER TABLE public.user_memory ADD COLUMN embedding {{vector_schema}}.vector({{embedding_dimensions}});
CREATE INDEX user_memory_embedding_idx ON public.user_memory USING hnsw (embedding {{vector_schema}}.vector_cosine_ops);
-- agentbase:else
ALTER TABLE public.user_memory ADD COLUMN embedding real[];
ALTER TABLE public.user_memory ADD CONSTRAINT user_memory_embedding_length_check
  CHECK (embedding IS NULL OR (cardinality(embedding) = {{embedding_dimensions}} AND array_position(embedding, NULL) IS NULL));
-- agentbase:end
CREATE INDEX user_memory_user_id_idx ON public.user_memory (user_id);
CREATE INDEX user_memory_type_idx ON public.user_memory (tenant_id, user_id, memory_type);
CREATE INDEX user_memory_source_conversation_id_idx ON public.user_memory (source_conversation_id);
CREATE INDEX user_memory_expires_at_idx ON public.user_memory (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX user_memory_value_search_idx ON public.user_memory USING gin (to_tsvector('simple', key || ' ' || value));
GRANT SELECT, INSERT, UPDATE, DELETE ON public.user_memory TO anon, authenticated, service_role;
ALTER TABLE public.user_memory ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_memory_select_own ON public.user_memory
  FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id()));
-- A memory may cite only a conversation its owner can see.
CREATE POLICY user_memory_insert_own ON public.user_memory
  FOR INSERT TO authenticated
  WITH CHECK (
    user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id())
    AND (source_conversation_id IS NULL
         OR EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = user_memory.source_conversation_id))
  );
CREATE POLICY user_memory_update_own ON public.user_memory
  FOR UPDATE TO authenticated
  USING (user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id()))
  WITH CHECK (
    user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id())
    AND (source_conversation_id IS NULL
         OR EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = user_memory.source_conversation_id))
  );
CREATE POLICY user_memory_delete_own ON public.user_memory
  FOR DELETE TO authenticated
  USING (user_id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE TRIGGER user_memory_set_updated_at BEFORE UPDATE ON public.user_memory
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();
