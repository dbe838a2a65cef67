#!/usr/bin/env python3
"""Checks for bench/rest/run.sh; each exits non-zero with a message on failure.

  check.py list-response FILE TENANT_ID ROWS
      FILE holds a list response body: a JSON array of ROWS rows, all of the
      tenant TENANT_ID (row level security at work: other tenants have more
      recent conversations too).
  check.py junction-response FILE EXPECTED
      FILE holds the junction embed's answer: a JSON array of objects with
      exactly id, title and tags (an array of {"name": ...}); EXPECTED is the
      same list as the database has it for the user's tenant (tag names
      sorted). Same rows in the same order, the same titles, the same tags.
  check.py function-response FILE EXPECTED ROWS
      FILE holds the RETURNS TABLE call's answer: a JSON array of ROWS rows
      with exactly message_number, role and content, equal (in
      message_number order) to EXPECTED, the rows as the database has them.
  check.py wrk STDOUT [--expect-bytes N] [--inserted ROWS --connections C]
      wrk's result line: no socket errors, no timeouts, no status >= 400, at
      least one request, and one recorded latency per request (wrk.lua's
      undoing of wrk's coordinated-omission correction adds up). With --expect-bytes, the mean response size must be
      within 2 % of N (every answer was the full list, not an error). With
      --inserted, the table grew by at least one row per counted response and
      at most C more (requests still in flight when wrk stopped).
  check.py pgbench STDOUT [--inserted ROWS --connections C]
      pgbench's summary: transactions processed, none failed; with
      --inserted, the same row count check as for wrk.
"""
import argparse
import json
import re
import sys


def fail(message):
    sys.exit("check.py: FAIL: " + message)


def wrk_result(path):
    with open(path) as f:
        for line in f:
            if line.startswith("WRKJSON "):
                return json.loads(line[len("WRKJSON "):])
    fail("no WRKJSON line in %s (did wrk fail?)" % path)


def pgbench_result(path):
    text = open(path).read()
    processed = re.search(r"^number of transactions actually processed: (\d+)", text, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", text, re.M)
    if not (processed and failed and tps):
        fail("cannot read pgbench's summary in %s" % path)
    return {"processed": int(processed.group(1)), "failed": int(failed.group(1)), "tps": float(tps.group(1))}


def check_inserted(count, inserted, connections, what):
    if inserted is None:
        return
    if not count <= inserted <= count + connections:
        fail("%s: %d transactions counted but %d rows inserted (expected %d..%d)"
             % (what, count, inserted, count, count + connections))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("list-response")
    p.add_argument("file")
    p.add_argument("tenant")
    p.add_argument("rows", type=int)
    p = sub.add_parser("junction-response")
    p.add_argument("file")
    p.add_argument("expected")
    p = sub.add_parser("function-response")
    p.add_argument("file")
    p.add_argument("expected")
    p.add_argument("rows", type=int)
    p = sub.add_parser("wrk")
    p.add_argument("stdout")
    p.add_argument("--expect-bytes", type=int)
    p.add_argument("--inserted", type=int)
    p.add_argument("--connections", type=int, default=0)
    p = sub.add_parser("pgbench")
    p.add_argument("stdout")
    p.add_argument("--inserted", type=int)
    p.add_argument("--connections", type=int, default=0)
    args = parser.parse_args()

    if args.what == "list-response":
        rows = json.load(open(args.file))
        if not isinstance(rows, list) or len(rows) != args.rows:
            fail("expected a JSON array of %d rows in %s" % (args.rows, args.file))
        tenants = {row.get("tenant_id") for row in rows}
        if tenants != {args.tenant}:
            fail("rows of other tenants in the list: %s" % sorted(tenants))
    elif args.what == "junction-response":
        rows = json.load(open(args.file))
        expected = json.load(open(args.expected))
        if not isinstance(rows, list) or not expected or len(rows) != len(expected):
            fail("expected a JSON array of %d rows in %s" % (len(expected or []), args.file))
        for row, want in zip(rows, expected):
            if not isinstance(row, dict) or set(row) != {"id", "title", "tags"}:
                fail("a row without exactly id, title and tags in %s: %r" % (args.file, row))
            if not isinstance(row["tags"], list) or any(not isinstance(t, dict) or set(t) != {"name"}
                                                        for t in row["tags"]):
                fail("tags is not an array of {name} objects in %s: %r" % (args.file, row))
            got = {"id": row["id"], "title": row["title"], "tags": sorted(t["name"] for t in row["tags"])}
            if got != want:
                fail("junction embed row differs from the database: %r, expected %r" % (got, want))
    elif args.what == "function-response":
        rows = json.load(open(args.file))
        expected = json.load(open(args.expected))
        if not isinstance(rows, list) or len(rows) != args.rows or len(expected or []) != args.rows:
            fail("expected a JSON array of %d rows in %s (the database has %d)"
                 % (args.rows, args.file, len(expected or [])))
        if any(not isinstance(r, dict) or set(r) != {"message_number", "role", "content"} for r in rows):
            fail("a row without exactly message_number, role and content in %s" % args.file)
        if sorted(rows, key=lambda r: r["message_number"]) != expected:
            fail("function rows differ from the database:\n%r\n%r" % (rows, expected))
    elif args.what == "wrk":
        r = wrk_result(args.stdout)
        errors = {k: r[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts") if r[k]}
        if errors:
            fail("wrk socket errors in %s: %s" % (args.stdout, errors))
        if r["status_errors"]:
            fail("%d responses with status >= 400 in %s" % (r["status_errors"], args.stdout))
        if r["requests"] <= 0:
            fail("no requests completed in %s" % args.stdout)
        if r["latency_samples"] != r["requests"]:
            fail("undoing wrk's latency correction recovered %d samples for %d requests (%s)"
                 % (r["latency_samples"], r["requests"], args.stdout))
        if args.expect_bytes:
            mean = r["bytes"] / r["requests"]
            if abs(mean - args.expect_bytes) > 0.02 * args.expect_bytes:
                fail("mean response size %.0f bytes, expected about %d (%s)" % (mean, args.expect_bytes, args.stdout))
        check_inserted(r["requests"], args.inserted, args.connections, args.stdout)
    else:
        r = pgbench_result(args.stdout)
        if r["failed"] or r["processed"] <= 0:
            fail("pgbench: %d processed, %d failed (%s)" % (r["processed"], r["failed"], args.stdout))
        check_inserted(r["processed"], args.inserted, args.connections, args.stdout)


if __name__ == "__main__":
    main()
