#!/usr/bin/env python3
"""Summarize the hyperfine JSON exports written by bench/migrate/run.sh.

usage: summarize.py RESULTS_DIR   (prints a markdown table to stdout)
"""
import json
import math
import os
import sys

TOOL_LABEL = {"agentbase": "agentbase", "supabase": "supabase CLI", "sqitch": "sqitch"}
COLD_TARGET_S = 3.0
NOOP_TARGET_S = 0.100


def load(out, name):
    path = os.path.join(out, name + ".json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["command"]: r for r in json.load(f)["results"]}


def fmt(mean, sd):
    if mean < 1.0:
        return f"{mean * 1000:.1f} ms ± {sd * 1000:.1f} ms"
    return f"{mean:.2f} s ± {sd:.2f} s"


def fmt_range(r):
    lo, hi = r["min"], r["max"]
    if hi < 1.0:
        return f"{lo * 1000:.1f} … {hi * 1000:.1f} ms"
    return f"{lo:.2f} … {hi:.2f} s"


def ratio(r, base):
    a, sa = base["mean"], base["stddev"] or 0.0
    b, sb = r["mean"], r["stddev"] or 0.0
    q = b / a
    return q, q * math.sqrt((sa / a) ** 2 + (sb / b) ** 2)


OURS = {"agentbase", "supabase", "sqitch", "psql", "perl", "hyperfine", "initdb", "postgres", "pg_dump",
        "bash", "sh", "python3", "runuser", "process_api", "kdamond.0"}


def load_summary(out):
    """One line on what else ran: load averages and busy foreign processes seen."""
    path = os.path.join(out, "load.txt")
    if not os.path.exists(path):
        return ""
    loads, busy = [], set()
    with open(path) as f:
        for line in f:
            parts = line.split("load ", 1)[1].split("; top: ")
            loads.append(float(parts[0].split()[0]))
            for entry in parts[1].split("; "):
                bits = entry.rsplit(" ", 1)
                if len(bits) == 2 and bits[1].endswith("%"):
                    name, pct = bits[0], float(bits[1][:-1])
                    if pct >= 20 and name not in OURS:
                        busy.add(name)
    text = f"Load average (1 min) sampled before each measurement: {min(loads):.2f} … {max(loads):.2f}"
    if busy:
        text += "; other busy processes seen: " + ", ".join(sorted(busy))
    return text + "."


def main():
    out = sys.argv[1]
    rows = []  # (measurement, tool, mean±sd, range, runs, note)

    def add(measurement, tool, r, note=""):
        rows.append((measurement, tool, fmt(r["mean"], r["stddev"] or 0.0), fmt_range(r), str(len(r["times"])), note))

    sentences = []

    cold = load(out, "cold")
    for name, r in cold.items():
        ok = "met" if r["mean"] < COLD_TARGET_S else "MISSED"
        add("a. Cold start, embedded: empty data dir → push + verify", "agentbase", r, f"target < 3 s: {ok}")
    emb = load(out, "embedded_noop")
    for name, r in emb.items():
        add("Embedded, existing data dir: push (start, no-op, stop)", "agentbase", r)
    noop_ab = load(out, "noop_agentbase").get("agentbase")
    if noop_ab:
        ok = "met" if noop_ab["mean"] < NOOP_TARGET_S else "MISSED"
        add("b. No-op push, --db-url (already pushed)", "agentbase", noop_ab, f"target < 100 ms: {ok}")

    def group(measurement, results, what):
        base = results.get("agentbase")
        for tool in ("agentbase", "supabase", "sqitch"):
            r = results.get(tool)
            if not r:
                continue
            if base is None:
                add(measurement, TOOL_LABEL[tool], r)
            elif tool == "agentbase":
                add(measurement, TOOL_LABEL[tool], r, "1.00×")
            else:
                q, dq = ratio(r, base)
                add(measurement, TOOL_LABEL[tool], r, f"{q:.1f}× ± {dq:.1f}")
                sentences.append(f"{what}: {TOOL_LABEL[tool]} takes {q:.1f}× as long as agentbase.")

    group("c. First run, empty database", load(out, "first"), "First run on an empty database")
    noop = {}
    for tool in ("agentbase", "supabase", "sqitch"):
        noop.update(load(out, "noop_" + tool))
    group("c. No-op (second) run", noop, "No-op (second) run")
    group("Process start floor (`--version`)", load(out, "floor"), "Process start (`--version`)")

    print("| Measurement | Tool | Mean ± σ | Min … Max | Runs | vs agentbase / target |")
    print("|---|---|---|---|---|---|")
    last = None
    for m, tool, ms, rng, n, note in rows:
        print(f"| {m if m != last else ''} | {tool} | {ms} | {rng} | {n} | {note} |")
        last = m
    print()
    for s in sentences:
        print(f"- {s}")
    noise = load_summary(out)
    if noise:
        print()
        print(noise)


if __name__ == "__main__":
    main()
