-- The global catalogs (SCHEMA.md): organizational_roles, business_functions
-- and departments are read by everyone (anon too) and written by any
-- authenticated user, whatever their tenant ("authenticated users can
-- manage"); tools are read by everyone and written only by service_role.
-- anon never writes. service_role bypasses RLS.
BEGIN;
SELECT plan(62);
\ir fixtures.psql

-- organizational_roles ---------------------------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev'))), 2,
          'anon reads organizational_roles');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev'))), 2,
          'a1 (tenant A) reads organizational_roles');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev'))), 2,
          'b1 (tenant B) reads organizational_roles');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.organizational_roles WHERE id IN (fx.id('orole_cto'), fx.id('orole_dev'))), 2,
          'service_role reads organizational_roles');

SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug, department_id, reports_to_role_id, level)
    VALUES (fx.id('orole_new_a1'), 'Architect', 'fx-new-a1', fx.id('dept_eng'), fx.id('orole_cto'), 'senior')$$,
  'a1 creates an organizational role');
SELECT fx.act_as('b1');
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug, level)
    VALUES (fx.id('orole_new_b1'), 'Intern', 'fx-new-b1', 'entry')$$,
  'b1 creates an organizational role');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.organizational_roles (name, slug) VALUES ('Anon role', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot create an organizational role');
SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.organizational_roles (id, name, slug) VALUES (fx.id('orole_new_sr'), 'Ops', 'fx-new-sr')$$,
  'service_role creates an organizational role');

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.organizational_roles SET required_skills = '{c++}' WHERE id = fx.id('orole_dev') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates an organizational role') FROM d;
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.organizational_roles SET level = 'senior' WHERE id = fx.id('orole_dev') RETURNING 1)
SELECT is(count(*)::int, 1, 'b1 (other tenant) updates the same organizational role') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.organizational_roles SET name = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update organizational roles') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.organizational_roles SET name = 'Chief Technology Officer' WHERE id = fx.id('orole_cto') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates an organizational role') FROM d;

SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.organizational_roles RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete organizational roles') FROM d;
SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_b1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 deletes an organizational role b1 created') FROM d;
SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'b1 deletes an organizational role a1 created') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.organizational_roles WHERE id = fx.id('orole_new_sr') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes an organizational role') FROM d;

-- business_functions -----------------------------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.business_functions WHERE id IN (fx.id('bf_sales'), fx.id('bf_leads'))), 2,
          'anon reads business_functions');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.business_functions WHERE id IN (fx.id('bf_sales'), fx.id('bf_leads'))), 2,
          'a1 (tenant A) reads business_functions');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.business_functions WHERE id IN (fx.id('bf_sales'), fx.id('bf_leads'))), 2,
          'b1 (tenant B) reads business_functions');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.business_functions WHERE id IN (fx.id('bf_sales'), fx.id('bf_leads'))), 2,
          'service_role reads business_functions');

SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.business_functions (id, name, slug, category, parent_function_id)
    VALUES (fx.id('bf_new_a1'), 'Pricing', 'fx-new-a1', 'strategic', fx.id('bf_sales'))$$,
  'a1 creates a business function');
SELECT fx.act_as('b1');
SELECT lives_ok(
  $$INSERT INTO public.business_functions (id, name, slug, category)
    VALUES (fx.id('bf_new_b1'), 'Payroll', 'fx-new-b1', 'support')$$,
  'b1 creates a business function');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.business_functions (name, slug) VALUES ('Anon function', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot create a business function');
SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.business_functions (id, name, slug, category) VALUES (fx.id('bf_new_sr'), 'Logistics', 'fx-new-sr', 'operational')$$,
  'service_role creates a business function');

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.business_functions SET success_metrics = '{revenue}' WHERE id = fx.id('bf_leads') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates a business function') FROM d;
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.business_functions SET description = 'by b1' WHERE id = fx.id('bf_leads') RETURNING 1)
SELECT is(count(*)::int, 1, 'b1 (other tenant) updates the same business function') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.business_functions SET name = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update business functions') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.business_functions SET name = 'Sales & Marketing' WHERE id = fx.id('bf_sales') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a business function') FROM d;

SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.business_functions RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete business functions') FROM d;
SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.business_functions WHERE id = fx.id('bf_new_b1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 deletes a business function b1 created') FROM d;
SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.business_functions WHERE id = fx.id('bf_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'b1 deletes a business function a1 created') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.business_functions WHERE id = fx.id('bf_new_sr') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a business function') FROM d;

-- departments ------------------------------------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.departments WHERE id IN (fx.id('dept_eng'), fx.id('dept_sales'))), 2,
          'anon reads departments');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.departments WHERE id IN (fx.id('dept_eng'), fx.id('dept_sales'))), 2,
          'a1 (tenant A) reads departments');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.departments WHERE id IN (fx.id('dept_eng'), fx.id('dept_sales'))), 2,
          'b1 (tenant B) reads departments');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.departments WHERE id IN (fx.id('dept_eng'), fx.id('dept_sales'))), 2,
          'service_role reads departments');

SELECT fx.act_as('a1');
SELECT lives_ok(
  $$INSERT INTO public.departments (id, name, slug, parent_department_id)
    VALUES (fx.id('dept_new_a1'), 'Platform', 'fx-new-a1', fx.id('dept_eng'))$$,
  'a1 creates a department');
SELECT fx.act_as('b1');
SELECT lives_ok(
  $$INSERT INTO public.departments (id, name, slug) VALUES (fx.id('dept_new_b1'), 'Finance', 'fx-new-b1')$$,
  'b1 creates a department');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.departments (name, slug) VALUES ('Anon department', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot create a department');
SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.departments (id, name, slug) VALUES (fx.id('dept_new_sr'), 'Legal', 'fx-new-sr')$$,
  'service_role creates a department');

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.departments SET description = 'by a1' WHERE id = fx.id('dept_sales') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 updates a department') FROM d;
SELECT fx.act_as('b1');
WITH d AS (UPDATE public.departments SET description = 'by b1' WHERE id = fx.id('dept_sales') RETURNING 1)
SELECT is(count(*)::int, 1, 'b1 (other tenant) updates the same department') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.departments SET name = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update departments') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.departments SET name = 'R&D' WHERE id = fx.id('dept_eng') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a department') FROM d;

SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.departments RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete departments') FROM d;
SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.departments WHERE id = fx.id('dept_new_b1') RETURNING 1)
SELECT is(count(*)::int, 1, 'a1 deletes a department b1 created') FROM d;
SELECT fx.act_as('b1');
WITH d AS (DELETE FROM public.departments WHERE id = fx.id('dept_new_a1') RETURNING 1)
SELECT is(count(*)::int, 1, 'b1 deletes a department a1 created') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.departments WHERE id = fx.id('dept_new_sr') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a department') FROM d;

-- tools: public read, service_role write ---------------------------------------
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'anon reads tools');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'a1 (tenant A) reads tools');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'b1 (tenant B) reads tools');
SELECT fx.act_as('service_role');
SELECT is((SELECT count(*)::int FROM public.tools WHERE slug LIKE 'fx-%'), 4, 'service_role reads tools');

SELECT fx.act_as('a1');
SELECT throws_ok(
  $$INSERT INTO public.tools (name, slug) VALUES ('a1 tool', 'fx-new-a1')$$,
  '42501', NULL, 'a1 (authenticated) cannot add a tool to the catalog');
SELECT fx.act_as('anon');
SELECT throws_ok(
  $$INSERT INTO public.tools (name, slug) VALUES ('anon tool', 'fx-new-anon')$$,
  '42501', NULL, 'anon cannot add a tool to the catalog');
SELECT fx.act_as('service_role');
SELECT lives_ok(
  $$INSERT INTO public.tools (id, name, slug) VALUES (fx.id('tool_new_sr'), 'Browser', 'fx-new-sr')$$,
  'service_role adds a tool to the catalog');

SELECT fx.act_as('a1');
WITH d AS (UPDATE public.tools SET name = 'by a1' WHERE id = fx.id('tool_search') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 (authenticated) cannot update a tool') FROM d;
SELECT fx.act_as('anon');
WITH d AS (UPDATE public.tools SET name = 'by anon' RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot update tools') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (UPDATE public.tools SET description = 'web search' WHERE id = fx.id('tool_search') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role updates a tool') FROM d;

SELECT fx.act_as('a1');
WITH d AS (DELETE FROM public.tools WHERE id = fx.id('tool_code') RETURNING 1)
SELECT is(count(*)::int, 0, 'a1 (authenticated) cannot delete a tool') FROM d;
SELECT fx.act_as('anon');
WITH d AS (DELETE FROM public.tools RETURNING 1)
SELECT is(count(*)::int, 0, 'anon cannot delete tools') FROM d;
SELECT fx.act_as('service_role');
WITH d AS (DELETE FROM public.tools WHERE id = fx.id('tool_new_sr') RETURNING 1)
SELECT is(count(*)::int, 1, 'service_role deletes a tool') FROM d;

SELECT fx.act_as('postgres');
SELECT results_eq(
  $$SELECT name, description FROM public.tools WHERE id IN (fx.id('tool_search'), fx.id('tool_code')) ORDER BY name$$,
  $$VALUES ('Code runner', NULL::text), ('Search', 'web search')$$,
  'only service_role''s writes changed the tools catalog');

SELECT * FROM finish();
ROLLBACK;
