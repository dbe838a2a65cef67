#!/usr/bin/env python3
"""Turn the transactions agentbase sent to PostgreSQL into pgbench scripts.

bench/rest/run.sh turns on log_statement=all, sends one request of each kind
to `agentbase serve` (the list, an insert, the junction embed and the
RETURNS TABLE call), and turns it off again. This reads those transactions
back from the PostgreSQL log (what the server really sent: every statement
and every parameter value) and writes pgbench scripts that send the same
statements with the same parameters in one pipeline:

  OUT/list.sql          set_config(...); the SELECT  (one implicit transaction)
  OUT/junction.sql      set_config(...); the SELECT embedding tags through
                        conversation_tags
  OUT/function.sql      set_config(...); the SELECT from conversation_messages(...)
  OUT/insert_<k>.sql    set_config(...); the INSERT; one per body
                        (an explicit BEGIN ... COMMIT is kept when the server sent one)
  OUT/vars.txt          name=value lines, passed to pgbench as -D name=value
  OUT/captured.json     the transactions as captured (for the record)

Statements keep the server's SQL text byte for byte; only $n becomes a pgbench
variable (:name), which pgbench sends as the n-th text parameter again: with
`-M prepared` prepared once per connection and executed by name (as the server
does with --prepared-statements, its default), with `-M extended` as an
unnamed statement (as with --no-prepared-statements).

The insert's JSON body is the only value that varies between requests. The
captured request's body must be the first line of BODIES; insert_<k>.sql binds
what the server would bind for line k (see below).

usage: make_pgbench.py POSTGRES_LOG BODIES OUT_DIR
"""
import json
import re
import sys

LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (\w+):  (.*)$")
# "execute <unnamed>: SQL", or "execute agentbase_7: SQL" for a statement the
# server prepared (pgbench then runs with -M prepared).
EXECUTE = re.compile(r"^execute (<unnamed>|[A-Za-z0-9_]+): ")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
DOLLAR = re.compile(r"\$(\d+)")


def die(message):
    sys.exit("make_pgbench.py: " + message)


def read_entries(path):
    """(pid, level, text) for each log entry; continuation lines are joined."""
    entries = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for raw in log:
            raw = raw.rstrip("\n")
            match = LINE.match(raw)
            if match:
                entries.append([int(match.group(1)), match.group(2), match.group(3)])
            elif entries and raw.startswith("\t"):
                entries[-1][2] += "\n" + raw[1:]
    return entries


SETTINGS = "SELECT pg_catalog.set_config('search_path', "


def transactions(entries):
    """Per backend: lists of [sql, params], one per transaction: from a BEGIN
    to its COMMIT, or an implicit one (the settings statement and the next)."""
    open_tx, done = {}, []
    last = {}
    implicit = set()
    for pid, level, text in entries:
        execute = EXECUTE.match(text) if level == "LOG" else None
        if execute:
            sql = text[execute.end():]
            statement = [sql, []]
            last[pid] = statement
            if sql.startswith("BEGIN"):
                open_tx[pid] = [statement]
            elif sql.startswith(SETTINGS) and pid not in open_tx:
                open_tx[pid] = [statement]
                implicit.add(pid)
            elif pid in open_tx:
                open_tx[pid].append(statement)
                if pid in implicit or sql in ("COMMIT", "ROLLBACK"):
                    implicit.discard(pid)
                    done.append(open_tx.pop(pid))
        elif level == "DETAIL" and text.startswith("parameters: ") and pid in last:
            values = []
            for index, (number, value) in enumerate(PARAM.findall(text[len("parameters: "):]), 1):
                if int(number) != index:
                    die("unexpected parameter numbering in: " + text[:200])
                values.append(None if value == "NULL" else value[1:-1].replace("''", "'"))
            last[pid][1] = values
        else:
            last.pop(pid, None)
    return done


def settings_index(tx):
    """Where the settings statement is; the request's statement follows it."""
    for index, (sql, _) in enumerate(tx):
        if sql.startswith(SETTINGS):
            return index
    return None


def find(done, predicate, what):
    def matches(tx):
        at = settings_index(tx)
        return at is not None and at + 1 < len(tx) and predicate(tx[at][0], tx[at + 1][0])
    found = [tx for tx in done if matches(tx)]
    if not found:
        die("no %s transaction in the PostgreSQL log" % what)
    tx = found[-1]
    explicit = len(tx) == 4 and tx[0][0].startswith("BEGIN") and tx[-1][0] == "COMMIT"
    if not explicit and len(tx) != 2:
        die("%s transaction is neither settings+statement nor BEGIN, settings, statement, COMMIT: %r"
            % (what, [s[0][:60] for s in tx]))
    return tx


def script(tx, names):
    """pgbench script text; names[i][n-1] is the variable for $n of statement i."""
    lines = ["\\startpipeline"]
    for (sql, params), variables in zip(tx, names):
        if "\n" in sql:
            die("multi-line SQL is not expected: " + sql[:80])
        # pgbench would take any other ":word" (not "::") for a variable.
        if re.search(r"(?<!:):[A-Za-z_]", sql.replace("::", "")):
            die("SQL contains a ':name' that pgbench would substitute: " + sql[:120])
        if len(variables) != len(params) or len(set(DOLLAR.findall(sql))) != len(params):
            die("parameter count mismatch in: " + sql[:120])
        lines.append(DOLLAR.sub(lambda m: ":" + variables[int(m.group(1)) - 1], sql) + ";")
    lines.append("\\endpipeline")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 4:
        die("usage: make_pgbench.py POSTGRES_LOG BODIES OUT_DIR")
    log_path, bodies_path, out = sys.argv[1:]
    with open(bodies_path, encoding="utf-8") as f:
        bodies = [line.rstrip("\n") for line in f if line.strip()]
    done = transactions(read_entries(log_path))
    # The reads: each is told apart by the relation its statement reads.
    reads = {
        "list": lambda settings, main: "transaction_read_only" in settings
        and '"public"."conversations"' in main and '"public"."conversation_tags"' not in main,
        "junction": lambda settings, main: '"public"."conversations"' in main
        and '"public"."conversation_tags"' in main,
        "function": lambda settings, main: '"public"."conversation_messages"(' in main,
    }
    captured_txs = {name: find(done, predicate, name) for name, predicate in reads.items()}
    insert_tx = find(done, lambda settings, main: "transaction_read_only" not in settings
                     and 'INSERT INTO "public"."messages"' in main, "insert")
    captured_txs["insert"] = insert_tx

    variables = {}

    def names_for(tx, prefix, main_names):
        names = []
        at = settings_index(tx)
        for index, (sql, params) in enumerate(tx):
            if index == at:
                own = ["%s_set%d" % (prefix, n) for n in range(1, len(params) + 1)]
            elif index == at + 1:
                own = main_names
            else:
                own = []
            names.append(own)
        return names

    # Reads: every value exactly as captured.
    for name in reads:
        tx = captured_txs[name]
        main_names = ["%s_p%d" % (name, n) for n in range(1, len(tx[settings_index(tx) + 1][1]) + 1)]
        tx_names = names_for(tx, name, main_names)
        for (sql, params), names in zip(tx, tx_names):
            for variable, value in zip(names, params):
                variables[variable] = value
        with open("%s/%s.sql" % (out, name), "w", encoding="utf-8") as f:
            f.write(script(tx, tx_names))

    # Insert: the settings as captured. The statement's one parameter is the
    # request body as the server passes it on (it may re-serialize it, e.g.
    # wrap an object in an array for json_populate_recordset). The parameter
    # for body k is the captured one with body 0's differing values (the
    # conversation id) replaced by body k's, and must still say the same as
    # body k in the same shape.
    insert_at = settings_index(insert_tx)
    if len(insert_tx[insert_at + 1][1]) != 1:
        die("the insert was expected to have one parameter (the JSON body), got %d"
            % len(insert_tx[insert_at + 1][1]))
    captured = insert_tx[insert_at + 1][1][0]
    first = json.loads(bodies[0])

    def same_shape(param, body):
        value = json.loads(param)
        return value == body or value == [body]

    if not same_shape(captured, first):
        die("the captured insert parameter does not carry the first line of %s:\n%s\n%s"
            % (bodies_path, captured, bodies[0]))
    settings_names = names_for(insert_tx, "ins", [])[insert_at]
    for name, value in zip(settings_names, insert_tx[insert_at][1]):
        variables[name] = value
    for k, body in enumerate(bodies):
        other = json.loads(body)
        param = captured
        for key in first:
            if first[key] != other.get(key):
                old, new = json.dumps(first[key]), json.dumps(other[key])
                if param.count(old) != 1:
                    die("cannot find %s exactly once in the captured parameter" % old)
                param = param.replace(old, new)
        if not same_shape(param, other):
            die("parameter %d does not carry body %d: %s" % (k, k, param))
        variables["body%d" % k] = param
        names = names_for(insert_tx, "ins", ["body%d" % k])
        with open("%s/insert_%d.sql" % (out, k), "w", encoding="utf-8") as f:
            f.write(script(insert_tx, names))

    for name, value in variables.items():
        if value is None or "\n" in value:
            die("variable %s cannot be passed with -D" % name)
    with open(out + "/vars.txt", "w", encoding="utf-8") as f:
        for name, value in variables.items():
            f.write("%s=%s\n" % (name, value))
    with open(out + "/captured.json", "w", encoding="utf-8") as f:
        json.dump(captured_txs, f, indent=1)
    print("pgbench scripts: list.sql, junction.sql, function.sql, insert_0..%d.sql (%d variables)"
          % (len(bodies) - 1, len(variables)))


if __name__ == "__main__":
    main()
