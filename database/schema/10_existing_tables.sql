-- agentbase:mode if-absent
-- The tables the five new ones integrate with. On the user's Supabase
-- project they already exist and nothing here runs; on a fresh or embedded
-- database they are created, with their indexes and grants. Their row level
-- security lives in 30_existing_tables_security.sql because it calls helpers
-- defined with the five tables.

CREATE TABLE public.tenants (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  slug text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenants_pkey PRIMARY KEY (id),
  CONSTRAINT tenants_slug_key UNIQUE (slug)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tenants TO anon, authenticated, service_role;

CREATE TABLE public.profiles (
  id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  display_name text,
  avatar_url text,
  role text NOT NULL DEFAULT 'member',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT profiles_pkey PRIMARY KEY (id),
  CONSTRAINT profiles_id_fkey FOREIGN KEY (id) REFERENCES auth.users (id) ON DELETE CASCADE,
  CONSTRAINT profiles_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE,
  CONSTRAINT profiles_role_check CHECK (role IN ('owner', 'admin', 'member'))
);
CREATE INDEX profiles_tenant_id_idx ON public.profiles (tenant_id);
-- A user may edit their own display fields, never their tenant or role.
GRANT SELECT ON public.profiles TO anon, authenticated;
GRANT UPDATE (display_name, avatar_url) ON public.profiles TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.profiles TO service_role;

CREATE TABLE public.departments (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  slug text NOT NULL,
  description text,
  parent_department_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT departments_pkey PRIMARY KEY (id),
  CONSTRAINT departments_slug_key UNIQUE (slug),
  CONSTRAINT departments_parent_department_id_fkey FOREIGN KEY (parent_department_id) REFERENCES public.departments (id) ON DELETE SET NULL
);
CREATE INDEX departments_parent_department_id_idx ON public.departments (parent_department_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.departments TO anon, authenticated, service_role;

CREATE TABLE public.tools (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL,
  slug text NOT NULL,
  description text,
  input_schema jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tools_pkey PRIMARY KEY (id),
  CONSTRAINT tools_slug_key UNIQUE (slug)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.tools TO anon, authenticated, service_role;

CREATE TABLE public.agents (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  name text NOT NULL,
  description text,
  model text,
  system_prompt text,
  organizational_role_id uuid,
  business_function_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT agents_pkey PRIMARY KEY (id),
  CONSTRAINT agents_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE
);
CREATE INDEX agents_tenant_id_idx ON public.agents (tenant_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.agents TO anon, authenticated, service_role;

CREATE TABLE public.messages (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  role text NOT NULL,
  content text NOT NULL DEFAULT '',
  tool_calls jsonb,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT messages_pkey PRIMARY KEY (id),
  CONSTRAINT messages_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants (id) ON DELETE CASCADE,
  CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool'))
);
CREATE INDEX messages_tenant_id_idx ON public.messages (tenant_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.messages TO anon, authenticated, service_role;
