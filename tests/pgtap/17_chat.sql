-- Chat (database/schema/60_chat.sql, 61_chat_messages.sql): starting
-- conversations, appending messages with tool calls and results, the
-- message-tenant tie, titles, status changes, the conversation and message
-- lists with their cursors, and full-text search; across tenants and roles.
BEGIN;
SELECT plan(183);
\ir fixtures.psql

-- Schema ------------------------------------------------------------------------
SELECT has_column('public', 'messages', 'tool_call_id', 'messages.tool_call_id exists');
SELECT has_trigger('public', 'messages', 'messages_check_message', 'messages has the check trigger');
SELECT has_trigger('public', 'messages', 'messages_fill_conversation_title', 'messages has the title trigger');
SELECT ok(EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c = 'search_path=""'),
          format('%s.%s() has an empty search_path', n.nspname, p.proname))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE (n.nspname = 'public' AND p.proname IN ('start_conversation', 'append_message', 'set_conversation_status',
                                                'list_conversations', 'list_messages', 'search_messages'))
   OR (n.nspname = 'agentbase' AND (p.proname LIKE 'chat\_%' OR p.proname IN ('check_message', 'title_conversation_from_message', 'html_escape')))
ORDER BY n.nspname, p.proname;
SELECT is(array_agg(p.proname::text ORDER BY p.proname),
          ARRAY['chat_index_message_words', 'chat_search_page', 'check_message', 'title_conversation_from_message'],
          'the only SECURITY DEFINER functions of chat are the search step and the three triggers')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prosecdef AND ((n.nspname = 'public' AND p.proname IN ('start_conversation', 'append_message', 'set_conversation_status',
                                                'list_conversations', 'list_messages', 'search_messages'))
   OR (n.nspname = 'agentbase' AND (p.proname LIKE 'chat\_%' OR p.proname IN ('check_message', 'title_conversation_from_message', 'html_escape'))));
SELECT ok(NOT p.prosecdef, format('public.%s is SECURITY INVOKER', p.proname))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public'
  AND p.proname IN ('start_conversation', 'append_message', 'set_conversation_status', 'list_conversations',
                    'list_messages', 'search_messages')
ORDER BY p.proname;

-- start_conversation ---------------------------------------------------------------
SELECT fx.act_as('a1');
SELECT (c).id AS started, (c).title AS started_title, (c).tenant_id AS started_tenant,
       (c).user_id AS started_user, (c).agent_id AS started_agent
FROM (SELECT public.start_conversation(agent_id => fx.id('agent_a'),
        first_message => '  How do I   deploy the service to staging?  ') AS c) s \gset
SELECT is(:'started_tenant'::uuid, fx.id('tenant_a'), 'start_conversation: the conversation is in the caller''s tenant');
SELECT is(:'started_user'::uuid, fx.id('user_a1'), 'start_conversation: owned by the caller');
SELECT is(:'started_agent'::uuid, fx.id('agent_a'), 'start_conversation: with the agent given');
SELECT is(:'started_title'::text, 'How do I deploy the service to staging?',
          'start_conversation: the empty title is filled from the first message, whitespace collapsed');
SELECT results_eq(
  format($$SELECT role, content, tenant_id FROM public.messages WHERE conversation_id = %L$$, :'started'),
  $$VALUES ('user'::text, '  How do I   deploy the service to staging?  '::text, fx.id('tenant_a'))$$,
  'start_conversation: the first message is stored as a user message of the conversation');

SELECT (public.start_conversation(title => 'Quarterly plan', first_message => 'first words')).title AS kept_title \gset
SELECT is(:'kept_title'::text, 'Quarterly plan', 'start_conversation: a given title is kept');

SELECT (c).id AS untitled, (c).title AS untitled_title, (c).agent_id IS NULL AS untitled_no_agent
FROM (SELECT public.start_conversation() AS c) s \gset
SELECT is(:'untitled_title'::text, 'New conversation', 'start_conversation: without a message the default title stays');
SELECT ok(:'untitled_no_agent'::boolean, 'start_conversation: without an agent');
SELECT lives_ok(format($$SELECT public.append_message(%L, repeat('long words ', 20))$$, :'untitled'),
                'a user message appended later to an untitled conversation ...');
SELECT is((SELECT title FROM public.conversations WHERE id = :'untitled'),
          rtrim(left(btrim(repeat('long words ', 20)), 79)) || '…', '... names it, cut to 80 characters');
SELECT lives_ok(format($$SELECT public.append_message(%L, 'second message')$$, :'untitled'), 'a second user message');
SELECT is((SELECT title FROM public.conversations WHERE id = :'untitled'),
          rtrim(left(btrim(repeat('long words ', 20)), 79)) || '…', 'a later message does not rename it');

SELECT throws_ok($$SELECT public.start_conversation(agent_id => fx.id('agent_b'))$$,
                 'PT404', NULL, 'a1 cannot start a conversation with tenant B''s agent');
SELECT throws_ok($$SELECT public.start_conversation(user_id => fx.id('user_a2'))$$,
                 '42501', NULL, 'a1 cannot start a conversation for a2');
SELECT throws_ok($$SELECT public.start_conversation(first_message => '   ')$$,
                 '22023', 'first_message is empty', 'an empty first message is refused');
SELECT throws_ok($$SELECT public.start_conversation(metadata => '[1]')$$,
                 '22023', 'metadata must be a JSON object', 'metadata must be an object');
SELECT throws_ok($$SELECT public.start_conversation(title => repeat('x', 501))$$,
                 '22023', 'title is longer than 500 characters', 'titles are bounded');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.start_conversation()$$, '42501', NULL, 'anon cannot start a conversation');
SELECT fx.act_as('nobody');
SELECT throws_ok($$SELECT public.start_conversation()$$, '42501', 'user has no profile with a tenant',
                 'a user without a tenant cannot start a conversation');

SELECT fx.act_as('service_role');
SELECT throws_ok($$SELECT public.start_conversation()$$, '22023', NULL,
                 'the service key must name the user a conversation belongs to');
SELECT is((SELECT (public.start_conversation(user_id => fx.id('user_b1'), agent_id => fx.id('agent_b'))).tenant_id),
          fx.id('tenant_b'), 'the service key starts a conversation in the named user''s tenant');
SELECT throws_ok($$SELECT public.start_conversation(user_id => fx.id('user_b1'), agent_id => fx.id('agent_a'))$$,
                 'PT404', NULL, 'the service key cannot pair a user with another tenant''s agent');

-- append_message ----------------------------------------------------------------
SELECT fx.act_as('postgres');
UPDATE public.conversations SET last_message_at = now() - interval '1 day' WHERE id = fx.id('conv_a1');
SELECT fx.act_as('a1');
SELECT (m).id AS appended, (m).tenant_id AS appended_tenant, (m).role AS appended_role
FROM (SELECT public.append_message(fx.id('conv_a1'), 'deploy it please') AS m) s \gset
SELECT is(:'appended_tenant'::uuid, fx.id('tenant_a'), 'append_message: the message takes the conversation''s tenant');
SELECT is(:'appended_role'::text, 'user', 'append_message: role defaults to user');
SELECT ok((SELECT last_message_at > now() - interval '1 minute' FROM public.conversations WHERE id = fx.id('conv_a1')),
          'append_message: last_message_at moves');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'I am the agent', 'assistant')$$,
                 '42501', 'users append only user messages, not assistant messages',
                 'a user cannot append an assistant message');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'x', 'tool', tool_call_id => 'call_1')$$,
                 '42501', NULL, 'a user cannot append a tool message');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a2'), 'into a2''s')$$,
                 '42501', NULL, 'a1 cannot append to a2''s conversation (same tenant)');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1_in_b'), 'hello')$$,
                 'PT404', NULL, 'a1 cannot append to a conversation of theirs outside their tenant');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'x', 'bot')$$,
                 '22023', NULL, 'an unknown role is refused');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), '  ')$$,
                 '22023', 'content is empty', 'empty content is refused');
SELECT throws_ok($$SELECT public.append_message(NULL, 'x')$$, '22023', NULL, 'conversation_id is required');
SELECT throws_ok($$SELECT public.append_message(fx.id('nope'), 'x')$$, 'PT404', NULL, 'an unknown conversation');
SELECT fx.act_as('b1');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'b1 was here')$$,
                 'PT404', NULL, 'b1 cannot append to tenant A''s conversation (not even told it exists)');
SELECT fx.act_as('anon');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'anon')$$, '42501', NULL, 'anon cannot append');

-- Tool calls and results (service key)
SELECT fx.act_as('service_role');
SELECT lives_ok($$SELECT public.append_message(fx.id('conv_a1'), '', 'assistant',
  tool_calls => '[{"id": "call_w1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\": \"Oslo\"}"}},
                  {"id": "call_w2", "type": "function", "function": {"name": "weather", "arguments": {"city": "Rome"}}}]')$$,
  'the service key appends an assistant message with two tool calls and no text');
SELECT lives_ok($$SELECT public.append_message(fx.id('conv_a1'), '{"temp": 3}', 'tool', tool_call_id => 'call_w1')$$,
                'the service key appends the result of call_w1');
SELECT is((SELECT tenant_id FROM public.messages WHERE tool_call_id = 'call_w1'), fx.id('tenant_a'),
          'the tool result is in the conversation''s tenant');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'again', 'tool', tool_call_id => 'call_w1')$$,
                 '23505', NULL, 'a second result for the same call is refused');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'tool', tool_call_id => 'call_unknown')$$,
                 '23503', NULL, 'a result for a call nobody made is refused');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a2'), 'r', 'tool', tool_call_id => 'call_w2')$$,
                 '23503', NULL, 'a result for a call made in another conversation is refused');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'tool')$$,
                 '22023', 'a tool message needs the tool_call_id of the call it answers', 'a tool message needs a call id');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'user', tool_call_id => 'call_w2')$$,
                 '22023', NULL, 'only tool messages carry tool_call_id');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'user',
                   tool_calls => '[{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]')$$,
                 '22023', 'only assistant messages carry tool_calls, not user messages', 'only assistant messages make tool calls');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'assistant', tool_calls => '[{"id": "c", "type": "function"}]')$$,
                 '22023', NULL, 'a tool call without a function is refused');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'assistant', tool_calls => '{"id": "c"}')$$,
                 '22023', 'tool_calls must be a non-empty array', 'tool_calls must be an array');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'assistant',
                   tool_calls => '[{"id": "call_w2", "type": "function", "function": {"name": "f", "arguments": "{}"}}]')$$,
                 '23505', NULL, 'a call id already used in the conversation is refused');
SELECT throws_ok($$SELECT public.append_message(fx.id('conv_a1'), 'r', 'assistant',
                   tool_calls => '[{"id": "d", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                                   {"id": "d", "type": "function", "function": {"name": "g", "arguments": "{}"}}]')$$,
                 '22023', NULL, 'a call id twice in one message is refused');
SELECT lives_ok($$INSERT INTO public.messages (conversation_id, role, content, tool_calls, tool_call_id) VALUES
  (fx.id('conv_a2'), 'assistant', '', '[{"id": "call_x", "type": "function", "function": {"name": "f", "arguments": "{}"}}]', NULL),
  (fx.id('conv_a2'), 'tool', 'ok', NULL, 'call_x')$$,
  'a call and its result inserted in one statement are linked');

-- The tenant tie for writers that bypass RLS
SELECT throws_ok($$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
                   VALUES (fx.id('tenant_b'), fx.id('conv_a1'), 'assistant', 'wrong tenant')$$,
                 '42501', format('message tenant_id %s differs from the tenant %s of its conversation %s',
                                 fx.id('tenant_b'), fx.id('tenant_a'), fx.id('conv_a1')),
                 'service_role cannot write a message whose tenant differs from its conversation''s');
SELECT throws_ok($$UPDATE public.messages SET conversation_id = fx.id('conv_b1') WHERE id = fx.id('msg_a1_assistant')$$,
                 '42501', NULL, 'service_role cannot move a message into another tenant''s conversation');
SELECT lives_ok($$UPDATE public.messages SET metadata = '{"redacted": true}' WHERE id = fx.id('msg_a_in_conv_b1')$$,
                'a row from before the tenant tie can still be edited when its links stay as they are');
SELECT fx.act_as('postgres');
SET LOCAL session_replication_role = replica;
INSERT INTO public.messages (id, tenant_id, conversation_id, role, content)
VALUES (fx.id('msg_legacy_tool'), fx.id('tenant_b'), fx.id('conv_b2'), 'tool', 'unlinked result from before');
SET LOCAL session_replication_role = origin;
SELECT fx.act_as('service_role');
SELECT lives_ok($$UPDATE public.messages SET content = 'redacted' WHERE id = fx.id('msg_legacy_tool')$$,
                'an unlinked tool message from before the rules can still be edited');
SELECT throws_ok($$UPDATE public.messages SET tool_call_id = 'call_none' WHERE id = fx.id('msg_legacy_tool')$$,
                 '23503', NULL, 'but linking it to a call nobody made is refused');
INSERT INTO public.messages (id, conversation_id, role, content)
VALUES (fx.id('msg_no_tenant'), fx.id('conv_b2'), 'assistant', 'tenant filled in');
SELECT is((SELECT tenant_id FROM public.messages WHERE id = fx.id('msg_no_tenant')), fx.id('tenant_b'),
          'a message written without tenant_id takes its conversation''s');
SELECT fx.act_as('b1');
SELECT throws_ok($$INSERT INTO public.messages (tenant_id, conversation_id, role, content)
                   VALUES (fx.id('tenant_b'), fx.id('conv_a1'), 'user', 'b1 labels it B')$$,
                 '42501', 'new row violates row-level security policy for table "messages"',
                 'b1 writing into tenant A''s conversation gets RLS''s refusal, nothing about the conversation');
SELECT fx.act_as('a1');
SELECT lives_ok($$INSERT INTO public.messages (conversation_id, role, content) VALUES (fx.id('conv_a1'), 'user', 'no tenant given')$$,
                'a user''s insert through the table may leave tenant_id out');

-- set_conversation_status ----------------------------------------------------------
SELECT is((SELECT (public.set_conversation_status(fx.id('conv_a1'), 'archived')).status), 'archived', 'the owner archives');
SELECT is((SELECT (public.set_conversation_status(fx.id('conv_a1'), 'active')).status), 'active', 'the owner restores');
SELECT throws_ok($$SELECT public.set_conversation_status(fx.id('conv_a1'), 'gone')$$, '22023', NULL, 'unknown status');
SELECT throws_ok($$SELECT public.set_conversation_status(fx.id('conv_a2'), 'archived')$$, '42501', NULL,
                 'a1 cannot archive a2''s conversation');
SELECT fx.act_as('b1');
SELECT throws_ok($$SELECT public.set_conversation_status(fx.id('conv_a1'), 'deleted')$$, 'PT404', NULL,
                 'b1 cannot delete tenant A''s conversation');
SELECT fx.act_as('a1');
SELECT is((SELECT (public.set_conversation_status(:'untitled', 'deleted')).status), 'deleted', 'the owner soft-deletes');
SELECT throws_ok(format($$SELECT public.append_message(%L, 'x')$$, :'untitled'), 'PT409', NULL,
                 'nobody appends to a deleted conversation');

-- list_conversations -------------------------------------------------------------------
-- Tenant A's conversations with distinct, known activity times (and one tie).
SELECT fx.act_as('postgres');
UPDATE public.conversations SET last_message_at = '2026-01-01 00:00:00+00' WHERE tenant_id = fx.id('tenant_a');
INSERT INTO public.conversations (id, tenant_id, user_id, agent_id, title, status, last_message_at)
SELECT fx.id('page_' || i), fx.id('tenant_a'), fx.id(CASE WHEN i % 2 = 0 THEN 'user_a1' ELSE 'user_a2' END),
       CASE WHEN i % 3 = 0 THEN fx.id('agent_a_spare') END, 'page ' || i,
       CASE WHEN i = 4 THEN 'archived' ELSE 'active' END,
       '2026-02-01 00:00:00+00'::timestamptz + make_interval(mins => CASE WHEN i = 7 THEN 6 ELSE i END)
FROM generate_series(1, 9) i;
SELECT fx.act_as('a1');
SELECT is((SELECT array_agg(title) FROM public.list_conversations(page_size => 4)),
          ARRAY['page 9', 'page 8', CASE WHEN fx.id('page_7') > fx.id('page_6') THEN 'page 7' ELSE 'page 6' END,
                CASE WHEN fx.id('page_7') > fx.id('page_6') THEN 'page 6' ELSE 'page 7' END],
          'list_conversations: newest activity first, ties by id');
CREATE TEMP TABLE walked ON COMMIT DROP AS SELECT 1 AS page, * FROM public.list_conversations(page_size => 5);
SELECT cursor AS c1 FROM walked ORDER BY last_message_at, id LIMIT 1 \gset
INSERT INTO walked SELECT 2, * FROM public.list_conversations(page_size => 5, after => :'c1');
SELECT cursor AS c2 FROM walked WHERE page = 2 ORDER BY last_message_at, id LIMIT 1 \gset
INSERT INTO walked SELECT 3, * FROM public.list_conversations(page_size => 5, after => :'c2');
SELECT set_eq($$SELECT id FROM walked$$,
              $$SELECT id FROM public.conversations WHERE tenant_id = fx.id('tenant_a') AND status <> 'deleted'$$,
              'following the cursors lists every visible conversation of the tenant ...');
SELECT is((SELECT count(*)::int FROM walked), (SELECT count(DISTINCT id)::int FROM walked), '... each once');
SELECT is((SELECT count(*)::int FROM public.list_conversations() WHERE status = 'deleted'), 0,
          'deleted conversations are hidden by default');
SELECT is((SELECT array_agg(id) FROM public.list_conversations(status => 'deleted')), ARRAY[:'untitled'::uuid],
          'status => deleted lists them');
SELECT is((SELECT array_agg(title) FROM public.list_conversations(status => 'archived')), ARRAY['page 4'],
          'status filters');
SELECT is((SELECT array_agg(title) FROM public.list_conversations(agent_id => fx.id('agent_a_spare'))),
          ARRAY['page 9', 'page 6', 'page 3'], 'agent_id filters');
SELECT ok((SELECT bool_and(user_id = fx.id('user_a1')) FROM public.list_conversations(mine => true, page_size => 200)),
          'mine lists only the caller''s own');
SELECT throws_ok($$SELECT * FROM public.list_conversations(page_size => 0)$$, '22023', NULL, 'page_size 0 is refused');
SELECT throws_ok($$SELECT * FROM public.list_conversations(page_size => 201)$$, '22023',
                 'page_size must be between 1 and 200, got 201', 'page_size above 200 is refused');
SELECT throws_ok($$SELECT * FROM public.list_conversations(after => 'garbage')$$, '22023',
                 'invalid cursor in "after"', 'a malformed cursor is refused');
SELECT throws_ok($$SELECT * FROM public.list_conversations(after => '99999999999999999999_' || gen_random_uuid())$$,
                 '22023', NULL, 'an out-of-range cursor is refused');
SELECT throws_ok($$SELECT * FROM public.list_conversations(status => 'bogus')$$, '22023', NULL, 'unknown status filter');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.list_conversations(page_size => 200) WHERE tenant_id = fx.id('tenant_a')), 0,
          'b1 lists none of tenant A''s conversations');

-- list_messages -----------------------------------------------------------------------
SELECT fx.act_as('postgres');
INSERT INTO public.messages (id, tenant_id, conversation_id, role, content, created_at)
SELECT fx.id('pm_' || i), fx.id('tenant_a'), fx.id('page_2'), 'user', 'message ' || i,
       '2026-03-01 00:00:00+00'::timestamptz + make_interval(secs => CASE WHEN i = 5 THEN 4 ELSE i END)
FROM generate_series(1, 7) i;
SELECT fx.act_as('a2');
SELECT is((SELECT array_agg(content) FROM public.list_messages(fx.id('page_2'), page_size => 3)),
          ARRAY['message 5', 'message 6', 'message 7'], 'list_messages: the latest page, oldest first');
SELECT cursor AS first_of_latest FROM public.list_messages(fx.id('page_2'), page_size => 3) LIMIT 1 \gset
SELECT is((SELECT array_agg(content) FROM public.list_messages(fx.id('page_2'), page_size => 3, before => :'first_of_latest')),
          ARRAY['message 2', 'message 3', 'message 4'], 'before: the page just before, across a tie in created_at');
SELECT cursor AS second FROM public.list_messages(fx.id('page_2'), page_size => 7) OFFSET 1 LIMIT 1 \gset
SELECT is((SELECT array_agg(content) FROM public.list_messages(fx.id('page_2'), page_size => 2, after => :'second')),
          ARRAY['message 3', 'message 4'], 'after: the page just after');
SELECT is((SELECT array_agg(content ORDER BY created_at, id) FROM public.list_messages(fx.id('page_2'), page_size => 7)),
          (SELECT array_agg(content) FROM public.list_messages(fx.id('page_2'), page_size => 7)),
          'pages come in (created_at, id) order');
SELECT throws_ok(format($$SELECT * FROM public.list_messages(fx.id('page_2'), before => %L, after => %L)$$,
                        :'second', :'second'), '22023', 'give before or after, not both', 'before and after together');
SELECT throws_ok($$SELECT * FROM public.list_messages(fx.id('page_2'), page_size => 1000)$$, '22023', NULL,
                 'message pages are bounded too');
SELECT throws_ok($$SELECT * FROM public.list_messages(fx.id('page_2'), before => '1_not-a-uuid')$$, '22023', NULL,
                 'a malformed before cursor is refused');
SELECT fx.act_as('b1');
SELECT throws_ok($$SELECT * FROM public.list_messages(fx.id('page_2'))$$, 'PT404', NULL,
                 'b1 cannot list tenant A''s messages');

-- search_messages ------------------------------------------------------------------------
SELECT fx.act_as('service_role');
SELECT FROM public.append_message(fx.id('conv_a2'), 'We deployed <b>v2</b> & it works; deployment deploy deploying', 'assistant');
SELECT FROM public.append_message(fx.id('conv_b1'), 'tenant B deployed too', 'assistant');
SELECT FROM public.append_message(fx.id('page_5'), 'the staging deploy failed', 'assistant');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.search_messages('deploying') WHERE content LIKE 'tenant B%'), 0,
          'search: a1 never finds tenant B''s messages');
SELECT ok((SELECT count(*) >= 3 FROM public.search_messages('deploying')),
          'search: stems (deploying finds deploy, deployed)');
SELECT is((SELECT content FROM public.search_messages('deploying') LIMIT 1),
          'We deployed <b>v2</b> & it works; deployment deploy deploying', 'search: the best-ranked message first');
SELECT ok((SELECT snippet LIKE '%&lt;b&gt;v2&lt;/b&gt; &amp;%' AND snippet LIKE '%<mark>deployed</mark>%'
           FROM public.search_messages('deploying') LIMIT 1),
          'search: the snippet is HTML-escaped with the matches marked');
SELECT is((SELECT array_agg(conversation_id) FROM public.search_messages('staging', conversation_id => fx.id('page_5'))),
          ARRAY[fx.id('page_5')], 'search: conversation_id narrows it');
SELECT cursor AS s1 FROM public.search_messages('deploying', page_size => 1) \gset
SELECT is((SELECT count(*)::int FROM public.search_messages('deploying', page_size => 1, after => :'s1')
           WHERE cursor = :'s1'), 0, 'search: the next page starts after the cursor');
SELECT set_eq(format($$SELECT id FROM public.search_messages('deploying', page_size => 1)
                      UNION ALL SELECT id FROM public.search_messages('deploying', page_size => 200, after => %L)$$, :'s1'),
              $$SELECT id FROM public.search_messages('deploying', page_size => 200)$$,
              'search: the pages together are the whole result');
SELECT is((SELECT count(*)::int FROM public.search_messages('the and of')), 0, 'search: stop words alone find nothing');
SELECT throws_ok($$SELECT * FROM public.search_messages('  ')$$, '22023', 'query is empty', 'search: empty query refused');
SELECT throws_ok($$SELECT * FROM public.search_messages(repeat('a', 1001))$$, '22023', NULL, 'search: long query refused');
SELECT throws_ok($$SELECT * FROM public.search_messages('x', after => '1_2_3')$$, '22023', NULL,
                 'search: malformed cursor refused');
SELECT fx.act_as('service_role');
SELECT FROM public.set_conversation_status(fx.id('page_5'), 'deleted');
-- The fixture's tenant A row in tenant B's conversation was written with the
-- triggers off, so search does not know its words until they are indexed.
SELECT fx.act_as('postgres');
SELECT cmp_ok(agentbase.chat_index_existing_messages(), '>=', 1::bigint,
              'search words: messages written with the triggers off are indexed by chat_index_existing_messages');
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.search_messages('staging') WHERE conversation_id = fx.id('page_5')), 0,
          'search: messages of deleted conversations are left out');
SELECT is((SELECT count(*)::int FROM public.search_messages('staging', conversation_id => fx.id('page_5'))), 0,
          'search: also when the deleted conversation is named');
SELECT ok(fx.id('msg_a_in_conv_b1') IN (SELECT p.id FROM agentbase.chat_search_page(
            websearch_to_tsquery('english', 'tenant conversation'), NULL, 200, NULL, NULL, NULL) p),
          'search: the SECURITY DEFINER step finds a tenant A row in tenant B''s conversation for a1');
SELECT is((SELECT count(*)::int FROM public.search_messages('tenant conversation') WHERE id = fx.id('msg_a_in_conv_b1')), 0,
          'search: but it stays hidden (RLS has the last word)');
SELECT fx.act_as('b1');
SELECT is((SELECT array_agg(content) FROM public.search_messages('deployed')), ARRAY['tenant B deployed too'],
          'search: b1 finds only tenant B''s');
SELECT is((SELECT count(*)::int FROM agentbase.chat_search_page(websearch_to_tsquery('english', 'deployed'), NULL, 200, NULL, NULL, NULL) p
           JOIN public.messages m ON m.id = p.id WHERE m.tenant_id <> fx.id('tenant_b')), 0,
          'search: the SECURITY DEFINER step, called directly, finds only the caller''s tenant''s ids');
SELECT fx.act_as('anon');
SELECT is((SELECT count(*)::int FROM public.search_messages('deployed')), 0, 'search: anon finds nothing');
SELECT is((SELECT count(*)::int FROM agentbase.chat_search_page(websearch_to_tsquery('english', 'deployed'), NULL, 200, NULL, NULL, NULL)),
          0, 'search: the SECURITY DEFINER step gives anon nothing');
SELECT fx.act_as('service_role');
SELECT ok((SELECT count(DISTINCT tenant_id) = 2 FROM public.search_messages('deployed', page_size => 200) s
           JOIN public.messages m USING (id)), 'search: the service key searches every tenant');
SELECT is((SELECT array_agg(content) FROM public.search_messages('deployed', conversation_id => fx.id('conv_b1'))),
          ARRAY['tenant B deployed too'], 'search: the service key searches any tenant''s conversation');


-- Search's words (agentbase.message_words) -----------------------------------------------
SELECT fx.act_as('postgres');
SELECT has_table('agentbase', 'message_words', 'agentbase.message_words exists');
SELECT has_trigger('public', 'messages', t, format('messages has the %s trigger', t))
FROM unnest(ARRAY['messages_index_words', 'messages_reindex_words', 'messages_unindex_words',
                  'messages_unindex_all_words']) t;
SELECT ok(agentbase.chat_words_indexed(), 'search reads message_words on agentbase''s own messages table');
-- Every message's words as they are now, and no row of a message gone.
CREATE TEMPORARY VIEW unindexed_messages AS
  SELECT m.id FROM public.messages m LEFT JOIN agentbase.message_words w ON w.message_id = m.id
  WHERE w.message_id IS NULL OR w.tenant_id <> m.tenant_id OR w.conversation_id IS DISTINCT FROM m.conversation_id
     OR w.created_at <> m.created_at OR w.words <> to_tsvector('english', m.content)
  UNION ALL
  SELECT w.message_id FROM agentbase.message_words w
  WHERE NOT EXISTS (SELECT 1 FROM public.messages m WHERE m.id = w.message_id);
GRANT SELECT ON unindexed_messages TO PUBLIC;
SELECT is_empty('SELECT * FROM unindexed_messages', 'search words: every message is indexed as it is');

-- Nobody reads or writes them but the functions.
SELECT table_privs_are('agentbase', 'message_words', r, ARRAY[]::text[], format('%s has no privilege on message_words', r))
FROM unnest(ARRAY['anon', 'authenticated', 'service_role']) r;
SELECT fx.act_as('a1');
SELECT throws_ok('SELECT * FROM agentbase.message_words', '42501', NULL, 'a1 cannot read message_words');
SELECT throws_ok($$SELECT * FROM agentbase.chat_search_recent(websearch_to_tsquery('english', 'hello'), fx.id('tenant_a'), 1000)$$,
                 '42501', NULL, 'a1 cannot walk message_words through a search helper');
SELECT throws_ok($$SELECT * FROM agentbase.chat_search_indexed(websearch_to_tsquery('english', 'hello'), fx.id('tenant_b'))$$,
                 '42501', NULL, 'a1 cannot reach tenant B''s words through a search helper');
SELECT throws_ok($$SELECT agentbase.chat_tenant_words_estimate(fx.id('tenant_b'))$$, '42501', NULL,
                 'a1 cannot learn how many messages tenant B has');
SELECT throws_ok($$UPDATE agentbase.message_words SET tenant_id = fx.id('tenant_a')$$, '42501', NULL,
                 'a1 cannot change message_words');
SELECT fx.act_as('anon');
SELECT throws_ok('SELECT * FROM agentbase.message_words', '42501', NULL, 'anon cannot read message_words');
SELECT fx.act_as('service_role');
SELECT throws_ok('SELECT * FROM agentbase.message_words', '42501', NULL,
                 'service_role cannot read message_words directly either');

-- Kept in step with messages, whoever writes them.
SELECT fx.act_as('a2');
SELECT id AS m1 FROM public.append_message(fx.id('conv_a2'), 'quarterly zeppelin budget') \gset
SELECT fx.act_as('postgres');
SELECT is((SELECT w.words FROM agentbase.message_words w WHERE w.message_id = :'m1'),
          to_tsvector('english', 'quarterly zeppelin budget'), 'search words: an append is indexed');
SELECT fx.act_as('service_role');
UPDATE public.messages SET content = 'quarterly airship budget' WHERE id = :'m1';
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.search_messages('zeppelin')), 0, 'search words: edited words are gone');
SELECT is((SELECT array_agg(id) FROM public.search_messages('airship')), ARRAY[:'m1'::uuid],
          'search words: and the new ones found');
SELECT fx.act_as('service_role');
UPDATE public.messages SET conversation_id = fx.id('conv_a1'), created_at = created_at - interval '1 day' WHERE id = :'m1';
SELECT is((SELECT array_agg(conversation_id) FROM public.search_messages('airship', conversation_id => fx.id('conv_a1'))),
          ARRAY[fx.id('conv_a1')], 'search words: a message moved to another conversation is found there');
SELECT is((SELECT count(*)::int FROM public.search_messages('airship', conversation_id => fx.id('conv_a2'))), 0,
          'search words: and no longer in its old one');
-- Moved to tenant B (its tenant and conversation together).
UPDATE public.messages SET tenant_id = fx.id('tenant_b'), conversation_id = fx.id('conv_b1') WHERE id = :'m1';
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM public.search_messages('airship')), 0,
          'search words: a message moved to tenant B is no longer found by a1');
SELECT is((SELECT count(*)::int FROM agentbase.chat_search_page(websearch_to_tsquery('english', 'airship'), NULL, 200,
                                                                   NULL, NULL, NULL)), 0,
          'search words: not even by the SECURITY DEFINER step');
SELECT fx.act_as('b1');
SELECT is((SELECT array_agg(id) FROM public.search_messages('airship')), ARRAY[:'m1'::uuid],
          'search words: but by b1');
SELECT fx.act_as('service_role');
UPDATE public.messages SET id = fx.id('msg_renamed') WHERE id = :'m1';
SELECT fx.act_as('b1');
SELECT is((SELECT array_agg(id) FROM public.search_messages('airship')), ARRAY[fx.id('msg_renamed')],
          'search words: a changed id is followed');
SELECT fx.act_as('service_role');
DELETE FROM public.messages WHERE id = fx.id('msg_renamed');
SELECT fx.act_as('postgres');
SELECT is_empty($$SELECT * FROM agentbase.message_words WHERE message_id IN (fx.id('msg_renamed'), $$ || quote_literal(:'m1') || $$)$$,
                'search words: a deleted message''s words go with it');
SELECT is_empty('SELECT * FROM unindexed_messages', 'search words: still every message indexed as it is');

-- Written with the triggers off (a restore, the seed's copy): indexed by the backfill.
SET LOCAL session_replication_role = replica;
INSERT INTO public.messages (id, tenant_id, conversation_id, role, content)
VALUES (fx.id('msg_copied'), fx.id('tenant_a'), fx.id('conv_a2'), 'user', 'a copied dirigible');
SET LOCAL session_replication_role = origin;
SELECT is(agentbase.chat_index_existing_messages(), 1::bigint, 'search words: the backfill indexes what the triggers missed');
SELECT is(agentbase.chat_index_existing_messages(), 0::bigint, 'search words: and is safe to run again');
SELECT fx.act_as('a1');
SELECT is((SELECT array_agg(id) FROM public.search_messages('dirigible')), ARRAY[fx.id('msg_copied')],
          'search words: the backfilled message is found');

-- A frequent word: in every other message of the caller's tenant, so that
-- the search finds its 500 newest matches among the tenant's 1,000 newest
-- messages, walking them (another tenant's matches are newer still).
SELECT fx.act_as('postgres');
INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
SELECT fx.id('tenant_a'), fx.id('conv_a2'), 'assistant', 'status ' || g || CASE WHEN g % 2 = 0 THEN ' kraken' ELSE '' END,
       now() - interval '1 hour' + g * interval '1 second'
FROM generate_series(1, 1800) g;
INSERT INTO public.messages (tenant_id, conversation_id, role, content, created_at)
SELECT fx.id('tenant_b'), fx.id('conv_b1'), 'assistant', 'kraken ' || g, now() + g * interval '1 second'
FROM generate_series(1, 300) g;
SELECT fx.act_as('a1');
SELECT is((SELECT count(*)::int FROM agentbase.chat_search_page(websearch_to_tsquery('english', 'kraken'), NULL, 200,
                                                                   NULL, NULL, NULL)), 200,
          'search: a frequent word fills a page');
SELECT is((SELECT count(*)::int FROM public.search_messages('kraken', page_size => 200) s JOIN public.messages m USING (id)
           WHERE m.tenant_id <> fx.id('tenant_a') OR m.content NOT LIKE 'status % kraken'), 0,
          'search: a1''s frequent word finds only tenant A''s matches');
SELECT fx.act_as('postgres');
SELECT set_eq($$SELECT id FROM agentbase.chat_search_recent(websearch_to_tsquery('english', 'kraken'), fx.id('tenant_a'), 1000000)$$,
              $$SELECT id FROM agentbase.chat_search_indexed(websearch_to_tsquery('english', 'kraken'), fx.id('tenant_a'))$$,
              'search: the walk and the index find the same 500 newest matches');
SELECT is((SELECT min(created_at) FROM agentbase.chat_search_recent(websearch_to_tsquery('english', 'kraken'), fx.id('tenant_a'), 1000000)),
          (SELECT min(created_at) FROM (SELECT created_at FROM public.messages
                                        WHERE tenant_id = fx.id('tenant_a') AND content LIKE '% kraken'
                                        ORDER BY created_at DESC LIMIT 500) m),
          'search: which are the tenant''s 500 most recent');
SELECT fx.act_as('b1');
SELECT is((SELECT count(*)::int FROM public.search_messages('kraken', page_size => 200) s JOIN public.messages m USING (id)
           WHERE m.tenant_id <> fx.id('tenant_b')), 0, 'search: b1''s finds only tenant B''s');
SELECT is((SELECT count(*)::int FROM public.search_messages('kraken', conversation_id => fx.id('conv_a2'))), 0,
          'search: b1 naming tenant A''s conversation finds nothing');
SELECT is((SELECT count(*)::int FROM agentbase.chat_search_page(websearch_to_tsquery('english', 'kraken'), fx.id('conv_a2'),
                                                                   200, NULL, NULL, NULL)), 0,
          'search: not even through the SECURITY DEFINER step');

-- TRUNCATE empties them too.
SELECT fx.act_as('postgres');
TRUNCATE public.messages CASCADE;
SELECT is_empty('SELECT * FROM agentbase.message_words', 'search words: TRUNCATE of messages empties them');

SELECT * FROM finish();
ROLLBACK;
