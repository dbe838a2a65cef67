#!/usr/bin/env bash
# Chat in the database at scale (issue 10's targets): `seed --scale` fills a
# new database on a throwaway test cluster (a million messages in 100,000
# conversations over ten tenants), then pgbench calls each chat RPC as one
# signed-in user of one tenant would (role authenticated, their JWT claims,
# row level security on), and reports each RPC statement's mean latency in
# the database (pgbench -r: the statement alone, not the transaction around
# it). EXPLAIN shows the plans of the queries the RPCs run.
#
#   bench/chat/run.sh                 # a million messages, 10 s per RPC
#   MESSAGES=100000 DURATION=5 bench/chat/run.sh
#
# BENCH_OUT keeps the pgbench scripts and logs.
set -euo pipefail
MESSAGES=${MESSAGES:-1000000}
DURATION=${DURATION:-10}
# shellcheck source=../lib/database.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/database.sh"
bench_database chat
"$BIN" seed --scale "$MESSAGES" --db-url "$url"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
q() { psql "$url" -Atq -c "$1"; }
# One user of the first scale tenant, their most recent conversation, a
# cursor in the middle of the tenant's list, and a rare word (a ticket
# number of the generated texts) and a common one.
tenant=$(q "SELECT id FROM public.tenants WHERE slug = 'scale-01'")
read -r user conversation < <(q "SELECT user_id, id FROM public.conversations WHERE tenant_id = '$tenant'
                                ORDER BY last_message_at DESC LIMIT 1" | tr '|' ' ')
# Words from the tenant's own texts: an account number (A-NNNNN, in a few
# messages: a rare word), the most frequent word (about one message in five),
# and the word nearest to one message in 33, where search's two ways cost
# about the same at this scale (see chat_search_page in 60_chat.sql).
rare=$(q "SELECT substring(content FROM 'A-[0-9]+') FROM public.messages
          WHERE tenant_id = '$tenant' AND content ~ 'A-[0-9]+' LIMIT 1")
words="SELECT word, ndoc FROM ts_stat(\$\$SELECT to_tsvector('english', content) FROM public.messages
       WHERE tenant_id = '$tenant' LIMIT 20000\$\$) WHERE word ~ '^[a-z]+$'"
common=$(q "SELECT word FROM ($words) w ORDER BY ndoc DESC LIMIT 1")
middle=$(q "SELECT word FROM ($words) w ORDER BY abs(ndoc - 600), word LIMIT 1")
claims="{\"sub\":\"$user\",\"role\":\"authenticated\"}"
as_user="SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '$claims', true);"
deep=$(psql "$url" -Atq -c "BEGIN; $as_user" \
  -c "SELECT cursor FROM public.list_conversations(page_size => 200) OFFSET 199 LIMIT 1" -c "COMMIT" | tail -1)
before=$(psql "$url" -Atq -c "BEGIN; $as_user" \
  -c "SELECT cursor FROM public.list_messages('$conversation', page_size => 5) LIMIT 1" -c "COMMIT" | tail -1)

declare -A calls=(
  [conversation_page]="SELECT count(*) FROM public.list_conversations(page_size => 50);"
  [conversation_page_deep]="SELECT count(*) FROM public.list_conversations(page_size => 50, after => '$deep');"
  [conversation_page_archived]="SELECT count(*) FROM public.list_conversations(status => 'archived', page_size => 50);"
  [message_page_latest]="SELECT count(*) FROM public.list_messages('$conversation', page_size => 50);"
  [message_page_before]="SELECT count(*) FROM public.list_messages('$conversation', page_size => 50, before => '$before');"
  [search_rare_word]="SELECT count(*) FROM public.search_messages('$rare');"
  [search_common_word]="SELECT count(*) FROM public.search_messages('$common');"
  [search_middle_word]="SELECT count(*) FROM public.search_messages('$middle');"
  [append]="SELECT (public.append_message('$conversation', 'a new message from the benchmark')).id;"
)
echo "search words: rare '$rare', common '$common', middle '$middle'"
echo
echo "plans (the statements the RPCs run, as that user):"
explain() {
  echo "-- $1"
  psql "$url" -Atq -c "BEGIN; $3" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) $2" -c "ROLLBACK" |
    grep -v '^SET$\|^$\|^{' | sed 's/^/   /'
}
explain "conversation page (as the user)" "SELECT c.id FROM public.conversations c WHERE c.status <> 'deleted'
  ORDER BY c.last_message_at DESC, c.id DESC LIMIT 50" "$as_user"
explain "message page, latest (as the user)" "SELECT m.id FROM public.messages m
  WHERE m.conversation_id = '$conversation' ORDER BY m.created_at DESC, m.id DESC LIMIT 50" "$as_user"
# search_messages finds its page in a SECURITY DEFINER step (chat_search_page)
# confined to the caller's tenant, then reads those rows as the caller. The
# step walks the tenant's newest messages (chat_search_recent) or takes its
# matches from the GIN index (chat_search_indexed), each under its function's
# settings, as chosen from the matches among the 1,000 newest: shown here with
# the walk's length that choice gives the common word.
echo "search's choice: the tenant has about $(q "SELECT round(agentbase.chat_tenant_words_estimate('$tenant'))")" \
  "messages (estimated); matches among its 1,000 newest:"
for word in "$rare" "$middle" "$common"; do
  hits=$(q "SELECT count(*) FROM agentbase.chat_search_recent(websearch_to_tsquery('english', '$word'), '$tenant', 1000)")
  echo "  '$word': $hits"
done
walk=$((hits >= 500 ? 1000 : 1000000 / (hits > 0 ? hits : 1)))
explain "search, the walk (chat_search_recent's query, the common word, walking at most $walk)" "
  SELECT r.message_id FROM (SELECT w.message_id, w.created_at, w.words, w.conversation_id
                            FROM agentbase.message_words w WHERE w.tenant_id = '$tenant'
                            ORDER BY w.created_at DESC LIMIT $walk) r
  WHERE r.words @@ websearch_to_tsquery('english', '$common')
    AND r.conversation_id NOT IN (SELECT c.id FROM public.conversations c
                                  WHERE c.tenant_id = '$tenant' AND c.status = 'deleted')
  ORDER BY r.created_at DESC LIMIT 500" "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;"
for word in "$rare" "$middle"; do
  explain "search, the index (chat_search_indexed's query, '$word')" "
  SELECT w.message_id FROM agentbase.message_words w
  WHERE w.tenant_id = '$tenant' AND w.words @@ websearch_to_tsquery('english', '$word')
    AND w.conversation_id NOT IN (SELECT c.id FROM public.conversations c
                                  WHERE c.tenant_id = '$tenant' AND c.status = 'deleted')
  ORDER BY w.created_at DESC LIMIT 500" "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off;"
done

printf '\n%-28s %12s %10s\n' "rpc (as one tenant's user)" "mean ms" "calls"
for name in conversation_page conversation_page_deep conversation_page_archived message_page_latest \
            message_page_before search_rare_word search_common_word search_middle_word append; do
  script="$OUT/$name.sql"
  printf 'BEGIN;\n%s\n%s\nCOMMIT;\n' "$as_user" "${calls[$name]}" >"$script"
  pgbench -n -r -T "$DURATION" -c 1 -f "$script" "$url" >"$OUT/$name.log" 2>&1 ||
    { cat "$OUT/$name.log" >&2; exit 1; }
  # pgbench -r prints one latency per statement; the RPC is the fourth.
  latency=$(awk '/statement latencies/ {on = 1; next} on && NF {n++; if (n == 4) {print $1; exit}}' "$OUT/$name.log")
  count=$(awk '/number of transactions actually processed/ {print $NF}' "$OUT/$name.log")
  printf '%-28s %12s %10s\n' "$name" "$latency" "$count"
done

[ -n "${BENCH_OUT:-}" ] || rm -rf "$OUT"
