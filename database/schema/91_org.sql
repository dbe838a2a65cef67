-- agentbase:mode ensure
-- The organisation: departments, organisational roles and business functions
-- (the tables are in 10_existing_tables.sql and 20_missing_tables.sql) as
-- hierarchies without cycles, agents mapped to a role and to business
-- functions, and the calls that read them whole, through /rest/v1/rpc. Every
-- function here is SECURITY INVOKER unless it says otherwise, so row level
-- security decides what a caller reaches: every organisation row (public
-- read), and only their own tenant's agents.
--
--   org_chart(department_id)                 departments, reporting lines, agents, vacancies
--   business_function_tree(function_id)     the function tree with the agents and roles serving each
--   find_by_skill(skill)                      roles requiring a skill, and the agents on them
--   set_agent_role(agent_id, role_id)         an agent's organisational role
--   set_agent_functions(agent_id, function_ids)  the business functions an agent serves
--
-- Who may change the organisation rows is settled in 20_missing_tables.sql
-- (agentbase.org_write_rule()); nothing here writes them. Agents and their
-- mappings are tenant data: any signed-in user of the agent's tenant.
--
-- Errors: 23514 a cycle (a role reporting to itself or to someone below it, a
-- department or business function inside itself; HTTP 400), 22023 bad
-- argument, 42501 not allowed, PT404 not found (or not visible: the same
-- answer, so that other tenants' agent ids cannot be probed).
--
-- What must already exist with these columns (checked before anything runs):
-- agentbase:requires public.agents(id uuid, tenant_id uuid)
-- agentbase:requires public.departments(id uuid)

-- No cycles in the three hierarchies -------------------------------------------
--
-- A row may not sit below itself: a role that reports to someone who
-- (through any number of managers) reports to it, and the same for
-- departments' parent_department_id and business functions'
-- parent_function_id. A trigger walks up from the new parent before each
-- change of a parent; finding the changed row on the way is a cycle.
--
-- The walk alone is not enough under concurrent writers: re-parenting A under
-- B and B under A in two transactions at once, each walk sees the other's
-- change not yet committed, and both would pass. So a change of a parent
-- first takes its hierarchy's row here (an upsert, which holds the row until
-- the transaction ends): the second writer waits for the first to commit and
-- then walks, in a new snapshot (READ COMMITTED), the hierarchy with the
-- first's change in it. Under REPEATABLE READ or SERIALIZABLE, where the
-- snapshot cannot move, the upsert of a row that a transaction committed
-- since is a serialization failure (40001), so a retry sees the change; an
-- advisory lock would serialise the writers but let the second one walk its
-- old snapshot there. Writers of one hierarchy wait for each other; reads
-- never wait. No grants and row level security without policies: only the
-- trigger (SECURITY DEFINER) writes it.
CREATE TABLE agentbase.org_hierarchy_locks (
  hierarchy text NOT NULL,
  changes bigint NOT NULL DEFAULT 1,
  CONSTRAINT org_hierarchy_locks_pkey PRIMARY KEY (hierarchy)
);
ALTER TABLE agentbase.org_hierarchy_locks ENABLE ROW LEVEL SECURITY;

-- The trigger's arguments: the parent column, and the words of its error
-- ('role', 'report to', 'reports to'). SQLSTATE 23514 (check_violation, HTTP
-- 400), naming the rows by slug (or id where the table has no slug):
--   role "cto" cannot report to "engineer": "engineer" reports to "cto"
-- with the whole line from the new parent up to the row in DETAIL.
-- A team's own departments table may have no parent column: then nothing is
-- checked. SECURITY DEFINER: the walk must see every row of the hierarchy,
-- whatever the writer may read, and take the lock row it has no grant on.
CREATE FUNCTION agentbase.refuse_org_cycle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  parent_column text := TG_ARGV[0];
  noun text := TG_ARGV[1];
  may_verb text := TG_ARGV[2];
  does_verb text := TG_ARGV[3];
  new_row jsonb := pg_catalog.to_jsonb(NEW);
  new_parent uuid;
  self_label text;
  line uuid[];
  labels text[];
BEGIN
  IF NOT new_row ? parent_column THEN
    RETURN NEW;
  END IF;
  new_parent := (new_row ->> parent_column)::uuid;
  IF new_parent IS NULL
     OR (TG_OP = 'UPDATE' AND NEW.id IS NOT DISTINCT FROM OLD.id
         AND new_parent IS NOT DISTINCT FROM (pg_catalog.to_jsonb(OLD) ->> parent_column)::uuid) THEN
    RETURN NEW;
  END IF;
  self_label := coalesce(new_row ->> 'slug', NEW.id::text);
  IF new_parent = NEW.id THEN
    RAISE EXCEPTION '% "%" cannot % itself', noun, self_label, may_verb
      USING ERRCODE = '23514', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, COLUMN = parent_column;
  END IF;

  INSERT INTO agentbase.org_hierarchy_locks AS l (hierarchy) VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME)
    ON CONFLICT (hierarchy) DO UPDATE SET changes = l.changes + 1;

  -- From the new parent upwards until a row whose parent is this one (an
  -- inserted row is not in the table yet, so the walk never steps onto it).
  -- A cycle already in the data (rows from before this trigger) ends the
  -- walk where it repeats. Rows written earlier by the same statement are
  -- seen (the function is volatile).
  EXECUTE pg_catalog.format(
    'WITH RECURSIVE up (id, parent_id, line) AS ('
    '  SELECT t.id, t.%1$I, ARRAY[t.id] FROM %2$I.%3$I t WHERE t.id = $1'
    '  UNION ALL'
    '  SELECT t.id, t.%1$I, u.line || t.id FROM up u JOIN %2$I.%3$I t ON t.id = u.parent_id'
    '  WHERE u.parent_id <> $2 AND t.id <> ALL (u.line))'
    ' SELECT u.line FROM up u WHERE u.parent_id = $2',
    parent_column, TG_TABLE_SCHEMA, TG_TABLE_NAME)
    INTO line USING new_parent, NEW.id;
  IF line IS NULL THEN
    RETURN NEW;
  END IF;

  EXECUTE pg_catalog.format(
    'SELECT pg_catalog.array_agg(coalesce(pg_catalog.to_jsonb(t) ->> ''slug'', t.id::text)'
    '                            ORDER BY pg_catalog.array_position($1, t.id))'
    ' FROM %I.%I t WHERE t.id = ANY ($1)',
    TG_TABLE_SCHEMA, TG_TABLE_NAME)
    INTO labels USING line;
  labels := labels || self_label;
  RAISE EXCEPTION '% "%" cannot % "%": "%" % "%"', noun, self_label, may_verb, labels[1], labels[1], does_verb, self_label
    USING ERRCODE = '23514', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, COLUMN = parent_column,
          DETAIL = 'The line upwards: "' || pg_catalog.array_to_string(labels, '" → "') || '".',
          HINT = pg_catalog.format('Move "%s" out from under "%s" first, or choose a %s outside that line.',
                                   labels[1], self_label, CASE WHEN noun = 'role' THEN 'manager' ELSE 'parent' END);
END
$$;

CREATE TRIGGER organizational_roles_refuse_cycle BEFORE INSERT OR UPDATE OF id, reports_to_role_id
  ON public.organizational_roles
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_org_cycle('reports_to_role_id', 'role', 'report to', 'reports to');
CREATE TRIGGER business_functions_refuse_cycle BEFORE INSERT OR UPDATE OF id, parent_function_id
  ON public.business_functions
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_org_cycle('parent_function_id', 'business function', 'be part of', 'is part of');
-- No column list: a team's own departments table may lack parent_department_id.
CREATE TRIGGER departments_refuse_cycle BEFORE INSERT OR UPDATE ON public.departments
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_org_cycle('parent_department_id', 'department', 'be part of', 'is part of');

-- Agents and business functions ------------------------------------------------
--
-- An agent serves its agents.business_function_id (its primary function, as
-- the seed has it) and every function this table maps it to. Tenant data,
-- isolated like agent_tools: a tenant's users see and change the mappings of
-- their tenant's agents only; anon none. An id of its own (not a primary key
-- of the two columns) keeps PostgREST from reading this as a many-to-many
-- junction, which would make the existing agents ↔ business_functions embeds
-- ambiguous.
CREATE TABLE public.agent_business_functions (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL,
  business_function_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT agent_business_functions_pkey PRIMARY KEY (id),
  CONSTRAINT agent_business_functions_agent_id_business_function_id_key UNIQUE (agent_id, business_function_id),
  CONSTRAINT agent_business_functions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.agents (id) ON DELETE CASCADE,
  CONSTRAINT agent_business_functions_business_function_id_fkey FOREIGN KEY (business_function_id)
    REFERENCES public.business_functions (id) ON DELETE CASCADE
);
CREATE INDEX agent_business_functions_business_function_id_idx ON public.agent_business_functions (business_function_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.agent_business_functions TO anon, authenticated, service_role;
ALTER TABLE public.agent_business_functions ENABLE ROW LEVEL SECURITY;
CREATE POLICY agent_business_functions_select_own_tenant ON public.agent_business_functions
  FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_business_functions.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
CREATE POLICY agent_business_functions_insert_own_tenant ON public.agent_business_functions
  FOR INSERT TO authenticated
  WITH CHECK (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_business_functions.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
CREATE POLICY agent_business_functions_update_own_tenant ON public.agent_business_functions
  FOR UPDATE TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_business_functions.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())))
  WITH CHECK (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_business_functions.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));
CREATE POLICY agent_business_functions_delete_own_tenant ON public.agent_business_functions
  FOR DELETE TO authenticated
  USING (EXISTS (SELECT 1 FROM public.agents a WHERE a.id = agent_business_functions.agent_id AND a.tenant_id = (SELECT agentbase.current_tenant_id())));

-- Skills, case-insensitively ---------------------------------------------------

-- A role's required skills as find_by_skill compares them: trimmed, lower case.
CREATE FUNCTION agentbase.org_skill_keys(skills text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT coalesce(pg_catalog.array_agg(pg_catalog.lower(pg_catalog.btrim(s))), '{}'::text[])
  FROM pg_catalog.unnest(skills) AS s
$$;
CREATE INDEX organizational_roles_skill_keys_idx ON public.organizational_roles
  USING gin (agentbase.org_skill_keys(required_skills));

-- Trees as nested JSON -----------------------------------------------------------
--
-- One pass, whatever the depth. org_tree_order walks the nodes (ids and
-- parent ids, given in sibling order) from the roots by one recursive query,
-- which gives each node its path of sibling positions, as bytes (4 per
-- level, big-endian: two paths compare by memcmp; sorting 1,000 paths as
-- integer arrays took three times as long), and returns them depth-first
-- (ord) with the text that goes before each node's fields (the array's '['
-- before the first) and after them: the children's key opened, then as
-- many closing brackets as the next node is less deep (and the array's ']'
-- after the last). A caller writes each node's JSON object between the two,
-- open (without its closing brace), aggregates that in ord order into one
-- text and reads it as json once (checked, not parsed into jsonb, which cost
-- more than all the rest of a chart). org_chart's roles and the business functions are
-- written open as the aggregate reads them; departments (read through
-- to_jsonb) are built by json_build_object and their brace cut as bytes
-- (convert_to and substr: left() counts characters, ten times slower). The
-- nodes' objects stay in the caller's query: passed here as an array, 1,000
-- roles' objects were copied a dozen times over. A function per node,
-- recursing, would run a query per node.
-- A root is a node whose parent is not among the nodes (so a subtree's top
-- is one). A cycle of parents, possible only in rows from before the cycle
-- triggers, has no root: its first node in sibling order stands in for one,
-- so every node appears exactly once and the walk always ends. The search
-- for cycles runs only when the walk from the roots missed nodes.
-- PL/pgSQL, so that the plan is kept for the session (a SQL function is
-- planned at every call). Without JIT: the planner's guess for a recursive
-- query over arrays it can see is far above the cost where PostgreSQL
-- compiles the plan, and compiling took more than half of every call.
CREATE FUNCTION agentbase.org_tree_order(node_ids uuid[], parent_ids uuid[], children_key text)
RETURNS TABLE (id uuid, ord bigint, prefix text, suffix text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = '' SET jit = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH RECURSIVE node AS MATERIALIZED (
    SELECT n.id, n.parent_id, n.pos
    FROM ROWS FROM (pg_catalog.unnest(node_ids), pg_catalog.unnest(parent_ids)) WITH ORDINALITY AS n(id, parent_id, pos)
  ),
  from_roots (id, depth, path) AS (
    SELECT n.id, 1, pg_catalog.int4send(n.pos::integer) FROM node n
    WHERE n.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM node p WHERE p.id = n.parent_id)
    UNION ALL
    SELECT c.id, w.depth + 1, w.path || pg_catalog.int4send(c.pos::integer)
    FROM from_roots w JOIN node c ON c.parent_id = w.id
  ),
  -- Not reached from a root: on a cycle of parents, or below one.
  stranded AS MATERIALIZED (
    SELECT n.* FROM node n
    WHERE (SELECT count(*) FROM from_roots) < pg_catalog.cardinality(node_ids)
      AND NOT EXISTS (SELECT 1 FROM from_roots r WHERE r.id = n.id)
  ),
  -- Each stranded node's parents, upwards until it meets itself (then it is
  -- on a cycle), at most as many steps as there are stranded nodes.
  up (start, at, steps) AS (
    SELECT s.id, s.parent_id, 1 FROM stranded s
    UNION ALL
    SELECT u.start, s.parent_id, u.steps + 1 FROM up u JOIN stranded s ON s.id = u.at
    WHERE u.at <> u.start AND u.steps < (SELECT count(*) FROM stranded)
  ),
  cycle_root AS (
    SELECT s.id FROM stranded s
    WHERE EXISTS (SELECT 1 FROM up u WHERE u.start = s.id AND u.at = s.id)
      AND s.pos = (SELECT min(m.pos) FROM up u JOIN stranded m ON m.id = u.at WHERE u.start = s.id)
  ),
  from_cycles (id, depth, path) AS (
    SELECT s.id, 1, pg_catalog.int4send(s.pos::integer) FROM stranded s WHERE s.id IN (SELECT c.id FROM cycle_root c)
    UNION ALL
    SELECT s.id, w.depth + 1, w.path || pg_catalog.int4send(s.pos::integer)
    FROM from_cycles w JOIN stranded s ON s.parent_id = w.id
    WHERE s.id NOT IN (SELECT c.id FROM cycle_root c)
  ),
  ordered AS (
    SELECT w.id, w.depth, lead(w.depth) OVER (ORDER BY w.path) AS next_depth,
           row_number() OVER (ORDER BY w.path) AS ord
    FROM (SELECT * FROM from_roots UNION ALL SELECT * FROM from_cycles) w
  )
  SELECT o.id, o.ord, CASE WHEN o.ord = 1 THEN '[' ELSE '' END,
         ', ' || pg_catalog.to_json(children_key)::text || ' : ['
         || CASE WHEN o.next_depth > o.depth THEN ''
                 ELSE pg_catalog.repeat(']}', o.depth - coalesce(o.next_depth, 1) + 1)
                      || CASE WHEN o.next_depth IS NULL THEN ']' ELSE ', ' END END
  FROM ordered o;
END
$$;

-- org_chart ----------------------------------------------------------------------

-- The org chart, or one department's (with the departments below it):
--   {department_id,
--    departments: [{id, name, slug, description, parent_department_id,
--                   role_count, vacancy_count, departments: [...]}],
--    roles: [{id, name, slug, level, department_id, reports_to_role_id,
--             responsibilities, required_skills, agents: [{id, name}],
--             vacant, reports: [...]}],
--    vacancies: [{id, name, slug, level, department_id}],
--    counts: {departments, roles, agents, vacancies}}
-- roles nests the reporting lines: a role's reports are the roles that
-- report to it; a role whose manager is outside the chart (another
-- department's) is a top role, its reports_to_role_id still set. agents are
-- the agents of the caller's tenant on the role (row level security decides:
-- anon sees none, the service key every tenant's), and a vacancy is a role
-- none of them fills. Siblings: roles by level (executive first) and name,
-- departments by name. Departments are read through to_jsonb, since a
-- team's own departments table may lack slug, description or
-- parent_department_id. json, not jsonb: the text written in
-- org_tree_order's order is the answer as it is. PL/pgSQL, so that an agents
-- table without organizational_role_id fails when called (42703), not when
-- pushed. Without JIT, as org_tree_order.
CREATE FUNCTION public.org_chart(department_id uuid DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE SET search_path = '' SET jit = off AS $$
DECLARE
  root uuid := org_chart.department_id;
  -- Each node's object loses its closing brace as bytes (see org_tree_order).
  encoding name := pg_catalog.getdatabaseencoding();
  chart json;
BEGIN
  IF root IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.departments d WHERE d.id = root) THEN
    RAISE EXCEPTION 'department % not found', root USING ERRCODE = 'PT404';
  END IF;
  WITH RECURSIVE department AS MATERIALIZED (
    SELECT d.id, (j ->> 'parent_department_id')::uuid AS parent_id, j
    FROM public.departments d CROSS JOIN LATERAL pg_catalog.to_jsonb(d) AS j
  ),
  -- The department and those below it; UNION (not ALL) ends at a cycle.
  below (id) AS (
    SELECT root WHERE root IS NOT NULL
    UNION
    SELECT d.id FROM below b JOIN department d ON d.parent_id = b.id
  ),
  scoped_department AS MATERIALIZED (
    SELECT d.* FROM department d WHERE root IS NULL OR d.id IN (SELECT b.id FROM below b)
  ),
  role AS MATERIALIZED (
    SELECT r.id, r.name, r.slug, r.level, r.department_id, r.reports_to_role_id, r.responsibilities,
           r.required_skills, pg_catalog.array_position('{executive,senior,mid,junior,entry}'::text[], r.level) AS rank
    FROM public.organizational_roles r
    WHERE root IS NULL OR r.department_id IN (SELECT d.id FROM scoped_department d)
  ),
  -- Each role's agents as JSON text, written as the roles are below.
  staffed AS MATERIALIZED (
    SELECT a.organizational_role_id AS role_id, count(*) AS agent_count,
           '[' || pg_catalog.string_agg('{"id" : "' || a.id::text || '", "name" : ' || pg_catalog.to_json(a.name)::text || '}',
                                        ', ' ORDER BY a.name, a.id) || ']' AS agents
    FROM public.agents a
    WHERE a.organizational_role_id IN (SELECT r.id FROM role r)
    GROUP BY a.organizational_role_id
  ),
  -- pos: the roles' order among siblings (level, then name).
  role_node AS MATERIALIZED (
    SELECT r.id, r.reports_to_role_id, r.department_id, r.rank, r.name, r.slug, r.level, s.role_id IS NULL AS vacant,
           row_number() OVER (ORDER BY r.rank, r.name, r.id) AS pos
    FROM role r LEFT JOIN staffed s ON s.role_id = r.id
  ),
  department_roles AS (
    SELECT r.department_id, count(*) AS roles, count(*) FILTER (WHERE r.vacant) AS vacancies
    FROM role_node r GROUP BY r.department_id
  ),
  department_node AS (
    SELECT d.id, d.parent_id, d.j ->> 'name' AS name,
           pg_catalog.json_build_object(
             'id', d.id, 'name', d.j -> 'name', 'slug', d.j -> 'slug', 'description', d.j -> 'description',
             'parent_department_id', d.parent_id, 'role_count', coalesce(c.roles, 0),
             'vacancy_count', coalesce(c.vacancies, 0))::text AS body
    FROM scoped_department d LEFT JOIN department_roles c ON c.department_id = d.id
  )
  -- One text, read as json once; the roles' (the longest) last, so that
  -- they are copied once into it (each || copies all that comes before it).
  SELECT pg_catalog.format(
    '{"department_id" : %s, "departments" : %s, "vacancies" : %s, "counts" : %s, "roles" : %s}',
    coalesce(pg_catalog.to_json(root)::text, 'null'),
    (SELECT coalesce(pg_catalog.string_agg(
              o.prefix || pg_catalog.convert_from(pg_catalog.substr(pg_catalog.convert_to(d.body, encoding), 1,
                                                                    pg_catalog.octet_length(d.body) - 1), encoding)
              || o.suffix, '' ORDER BY o.ord), '[]')
     FROM agentbase.org_tree_order(
            (SELECT pg_catalog.array_agg(d.id ORDER BY d.name, d.id) FROM department_node d),
            (SELECT pg_catalog.array_agg(d.parent_id ORDER BY d.name, d.id) FROM department_node d), 'departments') o
     JOIN department_node d ON d.id = o.id),
    (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                       'id', r.id, 'name', r.name, 'slug', r.slug, 'level', r.level,
                       'department_id', r.department_id) ORDER BY r.pos), '[]'::json)
     FROM role_node r WHERE r.vacant),
    pg_catalog.json_build_object(
      'departments', (SELECT count(*) FROM scoped_department),
      'roles', (SELECT count(*) FROM role_node),
      'agents', (SELECT coalesce(sum(s.agent_count), 0) FROM staffed s),
      'vacancies', (SELECT count(*) FROM role_node r WHERE r.vacant)),
    -- Each role's object written here, open (see org_tree_order), by one
    -- format() template as the aggregate reads it: a finished object,
    -- stored and then cut, was copied three more times, and
    -- json_build_object looks up each argument's type at every call. Text goes through to_json (escaped), ids as they
    -- print, booleans as text (true, not format's t).
    (SELECT coalesce(pg_catalog.string_agg(pg_catalog.format(
              '%s{"id" : "%s", "name" : %s, "slug" : %s, "level" : %s, "department_id" : %s, '
              '"reports_to_role_id" : %s, "responsibilities" : %s, "required_skills" : %s, "agents" : %s, "vacant" : %s%s',
              o.prefix, r.id, pg_catalog.to_json(r.name), pg_catalog.to_json(r.slug), pg_catalog.to_json(r.level),
              coalesce('"' || r.department_id::text || '"', 'null'),
              coalesce('"' || r.reports_to_role_id::text || '"', 'null'),
              pg_catalog.array_to_json(r.responsibilities), pg_catalog.array_to_json(r.required_skills),
              coalesce(s.agents, '[]'), (s.role_id IS NULL)::text, o.suffix), '' ORDER BY o.ord), '[]')
     FROM agentbase.org_tree_order(
            (SELECT pg_catalog.array_agg(r.id ORDER BY r.pos) FROM role_node r),
            (SELECT pg_catalog.array_agg(r.reports_to_role_id ORDER BY r.pos) FROM role_node r), 'reports') o
     JOIN role r ON r.id = o.id LEFT JOIN staffed s ON s.role_id = r.id))::json
  INTO chart;
  RETURN chart;
END
$$;

-- business_function_tree -----------------------------------------------------------

-- The business functions as a tree, or one function's subtree:
--   [{id, name, slug, description, category, parent_function_id,
--     key_activities, success_metrics,
--     agents: [{id, name, role_id, primary}],
--     roles: [{id, name, slug, agent_count}],
--     functions: [...]}]
-- agents are the caller's tenant's agents serving the function (row level
-- security decides): by agents.business_function_id (primary: true) or by
-- agent_business_functions. roles are the roles of those agents, with how
-- many of them hold each. Siblings by name. json, as org_chart.
CREATE FUNCTION public.business_function_tree(function_id uuid DEFAULT NULL) RETURNS json
LANGUAGE plpgsql STABLE SET search_path = '' SET jit = off AS $$
DECLARE
  root uuid := business_function_tree.function_id;
  tree json;
BEGIN
  IF root IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.business_functions f WHERE f.id = root) THEN
    RAISE EXCEPTION 'business function % not found', root USING ERRCODE = 'PT404';
  END IF;
  WITH RECURSIVE below (id) AS (
    SELECT root WHERE root IS NOT NULL
    UNION
    SELECT f.id FROM below b JOIN public.business_functions f ON f.parent_function_id = b.id
  ),
  fn AS MATERIALIZED (
    SELECT f.* FROM public.business_functions f WHERE root IS NULL OR f.id IN (SELECT b.id FROM below b)
  ),
  -- The agents serving each function: by their primary function, and by
  -- their mappings to other functions.
  served AS MATERIALIZED (
    SELECT a.business_function_id AS function_id, a.id, a.name, a.organizational_role_id AS role_id, true AS is_primary
    FROM public.agents a
    WHERE a.business_function_id IN (SELECT f.id FROM fn f)
    UNION ALL
    SELECT m.business_function_id, a.id, a.name, a.organizational_role_id, false
    FROM public.agent_business_functions m JOIN public.agents a ON a.id = m.agent_id
    WHERE m.business_function_id IN (SELECT f.id FROM fn f)
      AND m.business_function_id IS DISTINCT FROM a.business_function_id
  ),
  -- The lists of each function as JSON text, written as org_chart writes
  -- its roles (see there).
  agents_of AS (
    SELECT s.function_id,
           '[' || pg_catalog.string_agg(
                    '{"id" : "' || s.id::text || '", "name" : ' || pg_catalog.to_json(s.name)::text
                    || ', "role_id" : ' || coalesce('"' || s.role_id::text || '"', 'null')
                    || ', "primary" : ' || s.is_primary::text || '}',
                    ', ' ORDER BY s.is_primary DESC, s.name, s.id) || ']' AS agents
    FROM served s GROUP BY s.function_id
  ),
  roles_of AS (
    SELECT h.function_id,
           '[' || pg_catalog.string_agg(
                    '{"id" : "' || r.id::text || '", "name" : ' || pg_catalog.to_json(r.name)::text
                    || ', "slug" : ' || pg_catalog.to_json(r.slug)::text || ', "agent_count" : ' || h.agent_count::text || '}',
                    ', ' ORDER BY pg_catalog.array_position('{executive,senior,mid,junior,entry}'::text[], r.level),
                                  r.name, r.id) || ']' AS roles
    FROM (SELECT s.function_id, s.role_id, count(*) AS agent_count FROM served s
          WHERE s.role_id IS NOT NULL GROUP BY s.function_id, s.role_id) h
    JOIN public.organizational_roles r ON r.id = h.role_id
    GROUP BY h.function_id
  ),
  -- pos: the functions' order among siblings (by name).
  ordered_fn AS MATERIALIZED (
    SELECT f.id, f.parent_function_id, row_number() OVER (ORDER BY f.name, f.id) AS pos FROM fn f
  )
  SELECT coalesce(pg_catalog.string_agg(pg_catalog.format(
           '%s{"id" : "%s", "name" : %s, "slug" : %s, "description" : %s, "category" : %s, "parent_function_id" : %s, '
           '"key_activities" : %s, "success_metrics" : %s, "agents" : %s, "roles" : %s%s',
           o.prefix, f.id, pg_catalog.to_json(f.name), pg_catalog.to_json(f.slug),
           coalesce(pg_catalog.to_json(f.description)::text, 'null'), pg_catalog.to_json(f.category),
           coalesce('"' || f.parent_function_id::text || '"', 'null'),
           pg_catalog.array_to_json(f.key_activities), pg_catalog.array_to_json(f.success_metrics),
           coalesce(a.agents, '[]'), coalesce(r.roles, '[]'), o.suffix), '' ORDER BY o.ord), '[]')::json
  INTO tree
  FROM agentbase.org_tree_order((SELECT pg_catalog.array_agg(n.id ORDER BY n.pos) FROM ordered_fn n),
                                (SELECT pg_catalog.array_agg(n.parent_function_id ORDER BY n.pos) FROM ordered_fn n),
                                'functions') o
  JOIN fn f ON f.id = o.id LEFT JOIN agents_of a ON a.function_id = f.id LEFT JOIN roles_of r ON r.function_id = f.id;
  RETURN tree;
END
$$;

-- find_by_skill ----------------------------------------------------------------------

-- The roles whose required_skills hold `skill` (case and surrounding spaces
-- ignored, the whole skill: 'sql' finds 'SQL', not 'PostgreSQL'), each
-- followed by the caller's tenant's agents on it (row level security
-- decides). kind is 'role' or 'agent'; for an agent, id and name are the
-- agent's and role_* its role's. Roles by level (executive first) and name.
CREATE FUNCTION public.find_by_skill(skill text)
RETURNS TABLE (
  kind text, id uuid, name text, role_id uuid, role_slug text, role_name text, level text,
  department_id uuid, required_skills text[]
)
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
DECLARE
  wanted text := pg_catalog.lower(pg_catalog.btrim(find_by_skill.skill));
BEGIN
  IF wanted IS NULL OR wanted = '' THEN
    RAISE EXCEPTION 'skill is empty' USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.char_length(wanted) > 200 THEN
    RAISE EXCEPTION 'skill is longer than 200 characters' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY
    WITH matched AS MATERIALIZED (
      SELECT r.id, r.name, r.slug, r.level, r.department_id, r.required_skills
      FROM public.organizational_roles r
      WHERE agentbase.org_skill_keys(r.required_skills) @> ARRAY[wanted]
    )
    SELECT f.kind, f.id, f.name, m.id, m.slug, m.name, m.level, m.department_id, m.required_skills
    FROM matched m
    CROSS JOIN LATERAL (
      SELECT 'role'::text AS kind, m.id, m.name, 0 AS nth
      UNION ALL
      SELECT 'agent', a.id, a.name, 1 FROM public.agents a WHERE a.organizational_role_id = m.id
    ) f
    ORDER BY pg_catalog.array_position('{executive,senior,mid,junior,entry}'::text[], m.level), m.name, m.id,
             f.nth, f.name, f.id;
END
$$;

-- Mapping agents ----------------------------------------------------------------------

-- The caller must be signed in (or the platform); returns nothing.
CREATE FUNCTION agentbase.org_require_signed_in() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = '' AS $$
BEGIN
  IF NOT agentbase.caller_is_platform() AND auth.uid() IS NULL THEN
    RAISE EXCEPTION 'sign in to map agents' USING ERRCODE = '42501';
  END IF;
END
$$;

-- Puts an agent on a role (role_id NULL: on none). The same as an UPDATE of
-- agents.organizational_role_id through /rest/v1, with clear errors: PT404
-- for an agent the caller cannot change (another tenant's: not found) or a
-- role that does not exist. Returns the agent.
CREATE FUNCTION public.set_agent_role(agent_id uuid, role_id uuid) RETURNS public.agents
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  updated public.agents;
BEGIN
  IF set_agent_role.agent_id IS NULL THEN
    RAISE EXCEPTION 'agent_id is required' USING ERRCODE = '22023';
  END IF;
  PERFORM agentbase.org_require_signed_in();
  IF set_agent_role.role_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM public.organizational_roles r WHERE r.id = set_agent_role.role_id) THEN
    RAISE EXCEPTION 'organizational role % not found', set_agent_role.role_id USING ERRCODE = 'PT404';
  END IF;
  UPDATE public.agents a SET organizational_role_id = set_agent_role.role_id
   WHERE a.id = set_agent_role.agent_id
  RETURNING * INTO updated;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'agent % not found', set_agent_role.agent_id USING ERRCODE = 'PT404';
  END IF;
  RETURN updated;
END
$$;

-- Makes function_ids exactly the business functions an agent serves: its
-- mappings become these (others are removed) and its primary function
-- (agents.business_function_id) the first of them, or none for an empty
-- array. Duplicates count once. Returns the mappings in the order given.
-- The agent's row is locked first, so that two calls for one agent apply one
-- after the other, never mixed.
CREATE FUNCTION public.set_agent_functions(agent_id uuid, function_ids uuid[])
RETURNS SETOF public.agent_business_functions
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  target uuid := set_agent_functions.agent_id;
  wanted uuid[];
  unknown uuid;
BEGIN
  IF target IS NULL THEN
    RAISE EXCEPTION 'agent_id is required' USING ERRCODE = '22023';
  END IF;
  IF set_agent_functions.function_ids IS NULL THEN
    RAISE EXCEPTION 'function_ids is required' USING ERRCODE = '22023',
      HINT = 'Pass an empty array to take every business function from the agent.';
  END IF;
  IF pg_catalog.array_position(set_agent_functions.function_ids, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'function_ids holds a null' USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.cardinality(set_agent_functions.function_ids) > 100 THEN
    RAISE EXCEPTION 'at most 100 business functions per agent' USING ERRCODE = '22023';
  END IF;
  PERFORM agentbase.org_require_signed_in();
  PERFORM 1 FROM public.agents a WHERE a.id = target FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'agent % not found', target USING ERRCODE = 'PT404';
  END IF;
  SELECT f INTO unknown FROM pg_catalog.unnest(set_agent_functions.function_ids) AS f
   WHERE NOT EXISTS (SELECT 1 FROM public.business_functions b WHERE b.id = f) LIMIT 1;
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'business function % not found', unknown USING ERRCODE = 'PT404';
  END IF;
  SELECT coalesce(pg_catalog.array_agg(f ORDER BY first_at), '{}') INTO wanted
    FROM (SELECT f, min(i) AS first_at
          FROM pg_catalog.unnest(set_agent_functions.function_ids) WITH ORDINALITY AS u(f, i) GROUP BY f) d;

  UPDATE public.agents a SET business_function_id = wanted[1]
   WHERE a.id = target AND a.business_function_id IS DISTINCT FROM wanted[1];
  DELETE FROM public.agent_business_functions m
   WHERE m.agent_id = target AND m.business_function_id <> ALL (wanted);
  INSERT INTO public.agent_business_functions (agent_id, business_function_id)
  SELECT target, f FROM pg_catalog.unnest(wanted) AS f
  ON CONFLICT ON CONSTRAINT agent_business_functions_agent_id_business_function_id_key DO NOTHING;
  RETURN QUERY
    SELECT m.* FROM public.agent_business_functions m
    WHERE m.agent_id = target ORDER BY pg_catalog.array_position(wanted, m.business_function_id);
END
$$;
