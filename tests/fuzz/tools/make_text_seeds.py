#!/usr/bin/env python3
"""Writes the raw seed inputs of the text-based fuzz targets from the
repository's own tests and schema, into a directory of raw seeds per target
(by default build-fuzz/raw-seeds/<target>). The checked-in corpus under
tests/fuzz/corpus is these seeds after `libFuzzer -merge=1` kept only those
that add coverage (docs/fuzzing.md has the command).

Sources: the query strings of tests/unit/rest/query_parser_test.cpp, the
Prefer values of tests/unit/rest/prefer_test.cpp, requests the supabase-js
tests (tests/js/supabase.test.js) make, real HTTP requests, and
database/schema/*.sql split into its statements."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build-fuzz" / "raw-seeds"


def c_string(literal):
    """The value of a C++ string literal's body (only the escapes the tests use)."""
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", "\\": "\\", '"': '"'}.get(m.group(1), m.group(1)), literal)


def write(target, name, text):
    directory = OUT / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(text.encode() if isinstance(text, str) else text)


# ---- fuzz_query_params: "METHOD[ rpc]\nquery\nprefer..." ----
parser_tests = (ROOT / "tests/unit/rest/query_parser_test.cpp").read_text()
queries = []
for call, literal, rpc in re.findall(r'(MustParse|MustFail|SelectOf|SingleFilter)\("((?:[^"\\]|\\.)*)"(, true)?', parser_tests):
    queries.append((c_string(literal), bool(rpc)))
for function, literal in re.findall(r'(ParseSelect|ParseOrder)\("((?:[^"\\]|\\.)*)"', parser_tests):
    queries.append((("select=" if function == "ParseSelect" else "order=") + c_string(literal), False))
for op, literal in re.findall(r'ParseLogicTree\("([a-z.]+)", "((?:[^"\\]|\\.)*)"', parser_tests):
    queries.append((op + "=" + c_string(literal), False))
prefer_tests = (ROOT / "tests/unit/rest/prefer_test.cpp").read_text()
prefers = [[c_string(v) for v in re.findall(r'"((?:[^"\\]|\\.)*)"', group)]
           for group in re.findall(r'Parse(?:Preferences|PreferHeaders)\(\{([^}]*)\}', prefer_tests)]
methods = ["GET", "HEAD", "POST", "PATCH", "DELETE", "PUT"]
for i, (query, rpc) in enumerate(dict.fromkeys(queries)):
    method = "GET" if rpc else methods[i % len(methods)]
    write("fuzz_query_params", f"test_{i:03}", f"{method}{' rpc' if rpc else ''}\n{query}\n")
for i, values in enumerate(prefers):
    write("fuzz_query_params", f"prefer_{i:02}", "POST\nselect=id\n" + "\n".join(values))

# ---- fuzz_rest_planner: "METHOD resource\nquery\nprefer\naccept\nbody" ----
# What supabase-js sends for the calls of tests/js/supabase.test.js, and
# calls of the planner's functions.
requests = [
    ("POST conversations", "select=*", "return=representation", "application/vnd.pgrst.object+json",
     '{"tenant_id":"7b6e3f8a-0c1d-4e2f-9a3b-5c6d7e8f9a0b","user_id":"8d0f7e2a-1f5e-4c1d-9a61-3f9b1c2d4e5f","title":"first"}'),
    ("GET conversations", "select=id%2Ctitle&order=created_at.desc&offset=0&limit=2", "count=exact", "", ""),
    ("HEAD conversations", "select=*", "count=exact", "", ""),
    ("PATCH conversations", "id=eq.7b6e3f8a-0c1d-4e2f-9a3b-5c6d7e8f9a0b&select=status", "return=representation",
     "application/vnd.pgrst.object+json", '{"status":"archived"}'),
    ("GET conversations", "select=title%2C+agent_id&title=eq.second", "", "application/vnd.pgrst.array+json;nulls=stripped", ""),
    ("GET conversations", "select=title%2C+status&title=eq.second", "", "text/csv", ""),
    ("DELETE conversations", "title=eq.third", "", "", ""),
    ("GET conversations", "select=title%2C+last_message_at%2C+messages%21conversation_id%28role%2C+content%29&id=eq.1&messages.order=created_at.asc",
     "", "application/vnd.pgrst.object+json", ""),
    ("GET conversations", "select=title%2C+messages%21messages_conversation_id_fkey%28count%29&id=eq.1", "", "application/vnd.pgrst.object+json", ""),
    ("GET conversations", "select=count&id=eq.1", "", "", ""),
    ("GET messages", "select=content%2C+...conversations%21conversation_id%21inner%28chat%3Atitle%29&conversations.id=eq.1"
     "&order=conversations%28title%29.asc%2Ccreated_at.asc", "", "", ""),
    ("GET messages", "select=*,conversations!messages_forked_from_fkey(title),reply:messages(content)", "", "", ""),
    ("POST user_memory", "on_conflict=user_id%2Ckey&select=*", "resolution=merge-duplicates,return=representation", "",
     '{"user_id":"u","key":"favourite_language","value":{"name":"C++"},"importance":0.9}'),
    ("POST user_memory", "columns=user_id,key,value", "resolution=ignore-duplicates, missing=default", "",
     '[{"user_id":"u","key":"a","value":1},{"user_id":"u","key":"b"}]'),
    ("GET agent_tools", "select=priority%2C+agents%28name%29%2C+tools%28name%29&id=eq.1", "", "", ""),
    ("PATCH agent_tools", "id=eq.1", "handling=strict, max-affected=1", "", '{"enabled":false}'),
    ("PUT agent_tools", "id=eq.1", "", "", '{"id":"1","agent_id":"a","tool_id":"t","priority":1,"enabled":true,"config":{}}'),
    ("GET conversations", "tags=cs.%7BSQL%7D&or=(title.ilike.*chat*,and(status.eq.open,metadata->>kind.eq.x))", "", "", ""),
    ("GET conversations", "title=fts(english).hello&metadata->a->>b=neq.1&limit=10&offset=5", "tx=rollback", "", ""),
    ("GET conversation_summaries", "select=*&message_count=gt.3", "", "", ""),
    ("POST rpc/search_conversations", "select=id,title&limit=5", "count=exact", "", '{"query":"hello","max_results":3}'),
    ("GET rpc/search_conversations", "query=hello&select=title&order=title", "", "", ""),
    ("POST rpc/add_numbers", "", "", "", '{"a":1,"b":2}'),
    ("POST rpc/echo", "", "", "", '{"value":"x"}'),
    ("POST rpc/touch_conversation", "", "tx=rollback", "", '{"conversation_id":"1"}'),
    ("GET rpc/current_tenant", "", "", "", ""),
    ("POST rpc/match_user_memory", "", "", "", '{"query_embedding":[0.1,0.2],"match_count":3}'),
    ("POST rpc/unnamed_argument", "", "", "", '{"a":[1,{"b":null}]}'),
    ("GET rpc/latest_conversation", "select=title,messages(content)", "", "application/vnd.pgrst.object+json", ""),
]
for i, (line, query, prefer, accept, body) in enumerate(requests):
    write("fuzz_rest_planner", f"request_{i:02}", "\n".join([line, query, prefer, accept, body]))

# ---- fuzz_http_request: raw requests ----
http = [
    "GET /rest/v1/conversations?select=id,title&order=created_at.desc HTTP/1.1\r\nHost: 127.0.0.1:54321\r\n"
    "apikey: x\r\nAuthorization: Bearer x.y.z\r\nAccept: application/json\r\nPrefer: count=exact\r\n"
    "Accept-Profile: public\r\nX-Client-Info: supabase-js-node/2.0.0\r\n\r\n",
    "POST /rest/v1/messages HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 17\r\n"
    "Prefer: return=representation\r\nCookie: a=b\r\nPrefer: count=exact\r\n\r\n{\"content\":\"hi\"}\n",
    "POST /auth/v1/token?grant_type=password HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    "a\r\n{\"email\":1\r\n3;ext=1\r\n2}\n\r\n0\r\nTrailer: x\r\n\r\n",
    "OPTIONS /rest/v1/conversations HTTP/1.1\r\nHost: h\r\nOrigin: http://localhost:3000\r\n"
    "Access-Control-Request-Method: PATCH\r\nAccess-Control-Request-Headers: authorization, x-client-info, apikey, content-type\r\n\r\n",
    "GET http://example.com:54321/rest/v1/a%20b?x=%zz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    "PATCH /rest/v1/%C3%A9t%C3%A9?id=eq.1 HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
    "X-Folded: a\r\n b\r\nUser-Agent: caf\xe9\r\n\r\n{}",
]
for i, request in enumerate(http):
    write("fuzz_http_request", f"request_{i:02}", request.encode("latin-1"))

# ---- fuzz_migration_sql: the schema's statements, with their directives ----
for path in sorted((ROOT / "database/schema").glob("*.sql")):
    text = path.read_text()
    directives = [line for line in text.splitlines() if line.startswith("-- agentbase:mode") or line.startswith("-- agentbase:requires")]
    # Statements end with ';' at a line's end outside dollar quotes.
    statement, in_dollar, index = [], False, 0
    for line in text.splitlines():
        if line.startswith("-- agentbase:mode") or line.startswith("-- agentbase:requires"):
            continue
        statement.append(line)
        if line.count("$$") % 2 == 1:
            in_dollar = not in_dollar
        if not in_dollar and line.rstrip().endswith(";"):
            chunk = "\n".join(statement).strip()
            header = "\n".join(directives[:2])
            write("fuzz_migration_sql", f"{path.stem}_{index:02}", (header + "\n" if header else "") + chunk + "\n")
            statement, index = [], index + 1
write("fuzz_migration_sql", "conditional_sections",
      "-- agentbase:mode ensure\n-- agentbase:if vector\nCREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA {{vector_schema}};\n"
      "-- agentbase:else\nCREATE TABLE public.t (e real[]);\n-- agentbase:end\n"
      "-- agentbase:if !vector\nALTER TABLE public.t ADD COLUMN v vector({{embedding_dimensions}});\n-- agentbase:end\n")
print(f"raw seeds written under {OUT}")
