-- Agents' tools (database/schema/90_tools.sql): dense priorities kept by
-- triggers, the RPCs and their errors, the validation notes the server reads
-- before COMMIT (and the refusal when nobody read them), effective_tools,
-- tool call records and their rollups, all under tenant isolation.
BEGIN;
SELECT plan(80);
\ir fixtures.psql

CREATE FUNCTION fx.order_of(agent text) RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(t.slug || ':' || a.priority, ' ' ORDER BY a.priority)
  FROM public.agent_tools a JOIN public.tools t ON t.id = a.tool_id WHERE a.agent_id = fx.id(agent)
$$;

-- Order --------------------------------------------------------------------------
SELECT is(fx.order_of('agent_a'), 'fx-search:1 fx-email:2', 'the fixture agent starts with priorities 1 and 2');
INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_a'), fx.id('tool_calc'));
SELECT is(fx.order_of('agent_a'), 'fx-search:1 fx-email:2 fx-calc:3', 'a new tool (priority 0, the default) goes last');
INSERT INTO public.agent_tools (agent_id, tool_id, priority) VALUES (fx.id('agent_a'), fx.id('tool_code'), 1);
SELECT is(fx.order_of('agent_a'), 'fx-code:1 fx-search:2 fx-email:3 fx-calc:4',
          'a new tool at priority 1 moves the others down');
UPDATE public.agent_tools SET priority = 3 WHERE agent_id = fx.id('agent_a') AND tool_id = fx.id('tool_code');
SELECT is(fx.order_of('agent_a'), 'fx-search:1 fx-email:2 fx-code:3 fx-calc:4', 'moving a tool down shifts the ones it passes up');
UPDATE public.agent_tools SET priority = 99 WHERE agent_id = fx.id('agent_a') AND tool_id = fx.id('tool_search');
SELECT is(fx.order_of('agent_a'), 'fx-email:1 fx-code:2 fx-calc:3 fx-search:4', 'a priority beyond the end means last');
DELETE FROM public.agent_tools WHERE agent_id = fx.id('agent_a') AND tool_id = fx.id('tool_code');
SELECT is(fx.order_of('agent_a'), 'fx-email:1 fx-calc:2 fx-search:3', 'removing a tool closes the gap');
SELECT is(fx.order_of('agent_b'), 'fx-search:1 fx-email:2', 'another agent''s order is untouched');
-- Old data with duplicate priorities is renumbered by the next change.
SELECT set_config('agentbase.renumbering_tools', 'on', true);
UPDATE public.agent_tools SET priority = 0 WHERE agent_id = fx.id('agent_b');
SELECT set_config('agentbase.renumbering_tools', '', true);
INSERT INTO public.agent_tools (agent_id, tool_id) VALUES (fx.id('agent_b'), fx.id('tool_calc'));
SELECT is((SELECT array_agg(priority ORDER BY priority) FROM public.agent_tools WHERE agent_id = fx.id('agent_b')),
          ARRAY[1, 2, 3], 'duplicate priorities left by old data become 1..n on the next change');

-- The RPCs, as a user of tenant A --------------------------------------------------
SELECT fx.act_as('a1');
SELECT is((SELECT priority FROM public.attach_tool(fx.id('agent_a'), fx.id('tool_code'), '{"depth": 2}', true, 1)), 1,
          'attach_tool puts the tool at the priority asked for');
SELECT is(fx.order_of('agent_a'), 'fx-code:1 fx-email:2 fx-calc:3 fx-search:4', 'and the others follow');
SELECT throws_ok($$SELECT public.attach_tool(fx.id('agent_a'), fx.id('tool_code'))$$, '23505',
                 'tool ' || fx.id('tool_code') || ' is already attached to agent ' || fx.id('agent_a'),
                 'attaching a tool twice is a conflict');
SELECT throws_ok($$SELECT public.attach_tool(fx.id('agent_a_spare'), fx.id('tool_code'), '[1]')$$, '22023',
                 'config must be a JSON object, got array', 'a config that is no object is refused');
SELECT throws_ok($$SELECT public.attach_tool(fx.id('agent_a_spare'), fx.id('nope'))$$, 'PT404',
                 'tool ' || fx.id('nope') || ' not found', 'an unknown tool is not found');
SELECT throws_ok($$SELECT public.attach_tool(NULL, fx.id('tool_code'))$$, '22023',
                 'agent_id and tool_id are required', 'agent_id is required');
SELECT is((SELECT array_agg(tool_id ORDER BY priority) FROM public.move_tool(fx.id('agent_a'), fx.id('tool_search'), 1)),
          ARRAY[fx.id('tool_search'), fx.id('tool_code'), fx.id('tool_email'), fx.id('tool_calc')],
          'move_tool returns the agent''s tools in their new order');
SELECT is((SELECT array_agg(priority ORDER BY priority) FROM public.move_tool(fx.id('agent_a'), fx.id('tool_search'), 40)),
          ARRAY[1, 2, 3, 4], 'move_tool beyond the end puts the tool last, priorities stay 1..n');
SELECT is(fx.order_of('agent_a'), 'fx-code:1 fx-email:2 fx-calc:3 fx-search:4', 'moved last');
SELECT throws_ok($$SELECT public.move_tool(fx.id('agent_a'), fx.id('tool_search'), 0)$$, '22023',
                 'priority must be 1 or more (1 is first), got 0', 'priority 0 is refused by move_tool');
SELECT is((SELECT enabled FROM public.set_tool_enabled(fx.id('agent_a'), fx.id('tool_email'), true)), true,
          'set_tool_enabled enables a disabled tool');
SELECT throws_ok($$SELECT public.set_tool_enabled(fx.id('agent_a'), fx.id('tool_email'), NULL)$$, '22023',
                 'enabled must be true or false', 'enabled null is refused');
SELECT is((SELECT config FROM public.configure_tool(fx.id('agent_a'), fx.id('tool_code'), '{"depth": null, "lang": "py"}', true)),
          '{"lang": "py"}'::jsonb, 'configure_tool with merge applies an RFC 7396 patch (null removes)');
SELECT is((SELECT config FROM public.configure_tool(fx.id('agent_a'), fx.id('tool_code'), '{"x": {"y": 1}}')),
          '{"x": {"y": 1}}'::jsonb, 'configure_tool without merge replaces the config');
SELECT throws_ok($$SELECT public.configure_tool(fx.id('agent_a'), fx.id('tool_code'), NULL)$$, '22023',
                 'config is required', 'configure_tool needs a config');
SELECT is((SELECT tool_id FROM public.detach_tool(fx.id('agent_a'), fx.id('tool_code'))), fx.id('tool_code'),
          'detach_tool returns the removed attachment');
SELECT is(fx.order_of('agent_a'), 'fx-email:1 fx-calc:2 fx-search:3', 'and the others close up');
SELECT throws_ok($$SELECT public.detach_tool(fx.id('agent_a'), fx.id('tool_code'))$$, 'PT404',
                 'tool ' || fx.id('tool_code') || ' is not attached to agent ' || fx.id('agent_a'),
                 'detaching a tool that is not attached is not found');

-- Validation notes: what the server checks before COMMIT ----------------------------
SELECT is((SELECT count(*)::int FROM agentbase.take_unchecked_tool_configs()), 0,
          'the notes of a config whose attachment is gone again lead to nothing');
SELECT public.configure_tool(fx.id('agent_a'), fx.id('tool_search'), '{"engine": "web"}');
SELECT is((SELECT count(*)::int FROM agentbase.take_unchecked_tool_configs()), 1, 'a config written through the API is noted');
SELECT is((SELECT count(*)::int FROM agentbase.take_unchecked_tool_configs()), 0, 'taking the notes clears them');
SELECT lives_ok($$SET CONSTRAINTS agent_tools_config_validated IMMEDIATE$$,
                'with the notes taken, the commit-time check passes');
SET CONSTRAINTS agent_tools_config_validated DEFERRED;
SELECT public.configure_tool(fx.id('agent_a'), fx.id('tool_calc'), '{"precision": 4}');
SELECT throws_ok($$SET CONSTRAINTS agent_tools_config_validated IMMEDIATE$$, '23514',
                 'a tool configuration was written without validation against its tool''s JSON Schema',
                 'a config nobody validated cannot be committed');
SET CONSTRAINTS agent_tools_config_validated DEFERRED;
SELECT results_eq($$SELECT tool_slug, effective_config, schema_changed FROM agentbase.take_unchecked_tool_configs()$$,
                  $$VALUES ('fx-calc'::text, '{"precision": 4}'::jsonb, false)$$,
                  'the note carries the tool and the effective config');
SELECT fx.act_as('postgres');
UPDATE public.agent_tools SET config = '{"owner": true}' WHERE id = fx.id('at_a_on');
SELECT is((SELECT count(*)::int FROM agentbase.take_unchecked_tool_configs()), 0,
          'the database owner''s own session (no API claims) is trusted and noted nothing');
SELECT fx.act_as('service_role');
INSERT INTO public.tool_schemas (tool_id, config_schema, default_config)
VALUES (fx.id('tool_calc'), '{"type": "object", "required": ["precision"]}', '{"rounding": "half-even", "precision": 2}');
SELECT set_eq(
  $$SELECT agent_tool_id IS NULL, tool_slug, effective_config, schema_changed FROM agentbase.take_unchecked_tool_configs()$$,
  $$VALUES (true, 'fx-calc'::text, NULL::jsonb, true),
           (false, 'fx-calc', '{"precision": 4, "rounding": "half-even"}'::jsonb, false),
           (false, 'fx-calc', '{"precision": 2, "rounding": "half-even"}'::jsonb, false)$$,
  'a changed schema brings itself and every config of its tool (agent A''s and B''s), merged over the default config');

-- effective_tools ------------------------------------------------------------------
SELECT fx.act_as('postgres');
UPDATE public.tools SET input_schema = '{"type": "object", "properties": {"q": {"type": "string"}}}' WHERE id = fx.id('tool_search');
SELECT fx.act_as('a1');
SELECT is((SELECT jsonb_agg(e ->> 'slug') FROM jsonb_array_elements(public.effective_tools(fx.id('agent_a'))) e),
          '["fx-email", "fx-calc", "fx-search"]'::jsonb, 'effective_tools lists the enabled tools in priority order');
SELECT public.set_tool_enabled(fx.id('agent_a'), fx.id('tool_email'), false);
SELECT is((SELECT jsonb_agg(e ->> 'slug') FROM jsonb_array_elements(public.effective_tools(fx.id('agent_a'))) e),
          '["fx-calc", "fx-search"]'::jsonb, 'a disabled tool is left out');
SELECT is((SELECT e -> 'config' FROM jsonb_array_elements(public.effective_tools(fx.id('agent_a'))) e WHERE e ->> 'slug' = 'fx-calc'),
          '{"precision": 4, "rounding": "half-even"}'::jsonb, 'each with its config merged over the tool''s default config');
SELECT is((SELECT e -> 'input_schema' -> 'properties' FROM jsonb_array_elements(public.effective_tools(fx.id('agent_a'))) e
            WHERE e ->> 'slug' = 'fx-search'),
          '{"q": {"type": "string"}}'::jsonb, 'and its input schema (from tools.input_schema when tool_schemas has none)');
SELECT is((SELECT (e ->> 'priority')::int FROM jsonb_array_elements(public.effective_tools(fx.id('agent_a'))) e
            WHERE e ->> 'slug' = 'fx-search'), 3, 'with its priority');
SELECT throws_ok($$SELECT public.effective_tools(fx.id('agent_b'))$$, 'PT404', 'agent ' || fx.id('agent_b') || ' not found',
                 'a1 cannot list tenant B''s agent''s tools');

-- Other tenants and anon -----------------------------------------------------------
SELECT fx.act_as('b1');
SELECT throws_ok($$SELECT public.attach_tool(fx.id('agent_a'), fx.id('tool_code'))$$, 'PT404',
                 'agent ' || fx.id('agent_a') || ' not found', 'b1 cannot attach a tool to tenant A''s agent');
SELECT throws_ok($$SELECT public.configure_tool(fx.id('agent_a'), fx.id('tool_calc'), '{}')$$, 'PT404',
                 'agent ' || fx.id('agent_a') || ' not found', 'b1 cannot configure tenant A''s agent''s tool');
SELECT throws_ok($$SELECT public.move_tool(fx.id('agent_a'), fx.id('tool_calc'), 1)$$, 'PT404',
                 'agent ' || fx.id('agent_a') || ' not found', 'b1 cannot reorder tenant A''s agent''s tools');
SELECT throws_ok($$SELECT public.detach_tool(fx.id('agent_a'), fx.id('tool_calc'))$$, 'PT404',
                 'agent ' || fx.id('agent_a') || ' not found', 'b1 cannot detach tenant A''s agent''s tool');
SELECT throws_ok($$SELECT public.effective_tools(fx.id('agent_a'))$$, 'PT404',
                 'agent ' || fx.id('agent_a') || ' not found', 'b1 cannot read tenant A''s agent''s effective tools');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.attach_tool(fx.id('agent_a'), fx.id('tool_code'))$$, '42501',
                 'sign in to manage agents'' tools', 'anon manages no tools');
SELECT throws_ok($$SELECT public.effective_tools(fx.id('agent_a'))$$, 'PT404',
                 'agent ' || fx.id('agent_a') || ' not found', 'anon reads no effective tools');
SELECT is((SELECT count(*)::int FROM public.tool_schemas), 1, 'anon reads the tool schemas catalog');
SELECT throws_ok($$INSERT INTO public.tool_schemas (tool_id) VALUES (fx.id('tool_code'))$$, '42501', NULL,
                 'anon cannot write tool schemas');
SELECT fx.act_as('a1');
SELECT throws_ok($$UPDATE public.tool_schemas SET default_config = '{"evil": 1}'$$, '42501', NULL,
                 'a tenant''s user cannot change a tool''s schemas');
SELECT fx.act_as('postgres');
SELECT is(fx.order_of('agent_a'), 'fx-email:1 fx-calc:2 fx-search:3', 'tenant A''s order survived B''s attempts');

-- Tool calls -------------------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT is((SELECT tenant_id FROM public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'success', 7, fx.id('conv_a1'),
                                                        fx.id('msg_a1_assistant'))),
          fx.id('tenant_a'), 'a1 records a call in their own conversation; the tenant comes from the agent');
SELECT is((SELECT conversation_id FROM public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'error', 12,
                                                               message_id => fx.id('msg_a1_user'), error => 'boom')),
          fx.id('conv_a1'), 'a message names its conversation');
SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'success', d) FROM (VALUES (1), (2), (3), (5), (100)) AS v(d);
SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_search'), 'timeout', NULL);
SELECT throws_ok($$SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'success', 1, fx.id('conv_a2'))$$,
                 '42501', NULL, 'a1 cannot record a call in a2''s conversation');
SELECT throws_ok($$SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'success', 1, fx.id('conv_b1'))$$,
                 'PT404', 'conversation ' || fx.id('conv_b1') || ' not found', 'nor in tenant B''s conversation');
SELECT throws_ok($$SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'success', 1, fx.id('conv_a1'), fx.id('msg_a2_user'))$$,
                 'PT404', 'message ' || fx.id('msg_a2_user') || ' not found in the conversation',
                 'a message must be in the conversation named');
SELECT throws_ok($$SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'fine')$$, '22023',
                 'status must be success, error, timeout, cancelled or invalid, got fine', 'an unknown status is refused');
SELECT throws_ok($$SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'), 'success', -1)$$, '22023',
                 'duration_ms must be 0..86400000 (a day), got -1', 'a negative duration is refused');
SELECT throws_ok($$UPDATE public.tool_calls SET status = 'success'$$, '42501', NULL, 'records are history: a1 cannot change them');
SELECT throws_ok($$DELETE FROM public.tool_calls$$, '42501', NULL, 'nor delete them');
SELECT results_eq(
  $$SELECT slug, calls, errors, error_rate, p50_ms, p95_ms, dry_runs FROM public.tool_usage(fx.id('agent_a'))$$,
  $$VALUES ('fx-calc'::text, 7::bigint, 1::bigint, 1::float8 / 7, 5, 103, 0::bigint),
           ('fx-search', 1, 1, 1::float8, NULL::integer, NULL::integer, 0)$$,
  'tool_usage: calls, errors (error, timeout), error rate and p50/p95 (exact below 12 ms, 100 ms read as 103) per tool');
SELECT throws_ok($$SELECT public.test_tool_call(fx.id('agent_a'), fx.id('tool_search'), '{"q": 1}')$$, '0A000',
                 'test_tool_call needs agentbase serve''s JSON Schema validator', 'a test call needs the server''s validator');
SELECT is(public.test_tool_call(fx.id('agent_a'), fx.id('tool_search'), '{"q": 1}',
                                '{"valid": false, "errors": [{"path": "/q", "keyword": "type", "message": "x"}]}') -> 'valid',
          'false'::jsonb, 'with the server''s outcome, a test call is recorded');
SELECT results_eq($$SELECT status, dry_run FROM public.tool_calls WHERE arguments = '{"q": 1}'$$,
                  $$VALUES ('invalid'::text, true)$$, 'as an invalid dry run');
SELECT results_eq($$SELECT calls, dry_runs FROM public.tool_usage(fx.id('agent_a')) WHERE slug = 'fx-search'$$,
                  $$VALUES (1::bigint, 1::bigint)$$, 'which counts as a dry run, not as a call');
SELECT throws_ok($$SELECT public.tool_usage(fx.id('agent_a'), now(), now() - interval '1 day')$$, '22023',
                 'since must be before until', 'an empty window is refused');
SELECT throws_ok($$SELECT public.prune_tool_calls()$$, '42501', 'only the service key prunes tool call records',
                 'a user cannot prune');

SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.tool_calls), 0, 'b1 sees none of tenant A''s tool calls');
SELECT is((SELECT count(*)::int FROM public.tool_usage_rollups), 0, 'nor its rollups');
SELECT throws_ok($$SELECT * FROM public.tool_usage(fx.id('agent_a'))$$, 'PT404', 'agent ' || fx.id('agent_a') || ' not found',
                 'nor its usage');
SELECT throws_ok($$SELECT public.record_tool_call(fx.id('agent_a'), fx.id('tool_calc'))$$, 'PT404',
                 'agent ' || fx.id('agent_a') || ' not found', 'b1 cannot record calls for tenant A''s agent');
SELECT throws_ok($$INSERT INTO public.tool_calls (agent_id, tool_id) VALUES (fx.id('agent_a'), fx.id('tool_calc'))$$, '42501', NULL,
                 'not even by inserting the row directly');

SELECT fx.act_as('service_role');
SELECT lives_ok($$SELECT public.record_tool_call(fx.id('agent_b'), fx.id('tool_calc'), 'success', 3, fx.id('conv_b1'),
                                                 called_at => now() - interval '40 days')$$,
                'the service key records calls for any tenant''s agent');
SELECT throws_ok($$SELECT public.record_tool_call(fx.id('agent_b'), fx.id('tool_calc'), 'success', 3, fx.id('conv_a1'))$$,
                 'PT404', 'conversation ' || fx.id('conv_a1') || ' not found',
                 'but never linking a conversation of another tenant');
SELECT is(public.prune_tool_calls('30 days'), 1::bigint, 'prune_tool_calls drops raw records older than the window');
SELECT is((SELECT sum(calls)::int FROM public.tool_usage_rollups WHERE agent_id = fx.id('agent_b') AND period = 'day'), 1,
          'and leaves their rollups');

-- A batch a call, oldest first (agentbase.settings 'tool_call_prune_batch').
RESET ROLE;
INSERT INTO agentbase.settings VALUES ('tool_call_prune_batch', '2');
SELECT fx.act_as('service_role');
SELECT public.record_tool_call(fx.id('agent_b'), fx.id('tool_calc'), 'success', 3, called_at => now() - interval '1 day' * d)
FROM generate_series(41, 45) d;
SELECT is(public.prune_tool_calls('30 days'), 2::bigint, 'a prune deletes one batch at most');
SELECT is((SELECT min(called_at) >= now() - interval '43 days' FROM public.tool_calls WHERE agent_id = fx.id('agent_b')), true,
          'the oldest first');
SELECT is(ARRAY[public.prune_tool_calls('30 days'), public.prune_tool_calls('30 days'), public.prune_tool_calls('30 days')],
          ARRAY[2, 1, 0]::bigint[], 'and the next calls the rest, until none is left');
RESET ROLE;
UPDATE agentbase.settings SET value = 'lots' WHERE name = 'tool_call_prune_batch';
SELECT is(agentbase.tool_call_prune_batch(), 50000, 'a batch setting that is no positive integer falls back to 50,000');
DELETE FROM agentbase.settings WHERE name = 'tool_call_prune_batch';

SELECT * FROM finish();
ROLLBACK;
