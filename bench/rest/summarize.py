#!/usr/bin/env python3
"""Results of bench/rest/run.sh.

  summarize.py memory PID LABEL OUT_DIR
      Appends a snapshot of the process's memory to OUT_DIR/memory.jsonl
      (VmRSS, VmHWM, anonymous vs file-backed resident memory from
      smaps_rollup) and writes OUT_DIR/pmap-LABEL.txt (pmap -x, if present).
  summarize.py report OUT_DIR
      Prints the markdown summary of every run under OUT_DIR/runs.
  summarize.py instructions CALLGRIND_DIR COUNT MACHINE_TXT REQUEST...
      Prints the instructions a request (MEASURE=instructions): for each
      REQUEST, callgrind's files in CALLGRIND_DIR/REQUEST and
      CALLGRIND_DIR/REQUEST-base (agentbase.PID, postgres.PID: one a
      process, written at its exit), sessions that differ by COUNT requests.
"""
import glob
import json
import math
import os
import re
import statistics
import subprocess
import sys

# The targets for the list and the insert; the junction embed and the
# RETURNS TABLE call (issue 9) are measured the same way, without a target.
TARGETS = {"list": 0.90, "insert": 0.85}
TITLES = {"list": "List 20 conversations (GET)", "insert": "Insert a message (POST)",
          "junction": "Conversations with tags through a junction (GET, embed)",
          "function": "RETURNS TABLE function with a filter (GET /rpc)"}
ORDER = ("list", "insert", "junction", "function")


def kb(pid, path, keys):
    out = {}
    with open("/proc/%d/%s" % (pid, path)) as f:
        for line in f:
            key = line.split(":")[0]
            if key in keys:
                out[key] = int(line.split()[1])
    return out


def memory(pid, label, out_dir):
    pid = int(pid)
    status = kb(pid, "status", {"VmRSS", "VmHWM", "VmSize", "RssAnon", "RssFile", "Threads"})
    # Threads is a count, not kB; kb() reads the first number either way.
    rollup = kb(pid, "smaps_rollup", {"Rss", "Anonymous", "Pss", "Shared_Clean", "Private_Clean", "Private_Dirty"})
    snapshot = {"label": label, "status": status, "smaps_rollup": rollup}
    try:
        pmap = subprocess.run(["pmap", "-x", str(pid)], capture_output=True, text=True, check=True).stdout
        with open(os.path.join(out_dir, "pmap-%s.txt" % label), "w") as f:
            f.write(pmap)
        # Resident kB per mapped file (or [anon]/[heap]/[stack]), largest first.
        per = {}
        for line in pmap.splitlines():
            parts = line.split()
            if len(parts) >= 6 and re.fullmatch(r"[0-9a-f]{16}", parts[0]):
                name = " ".join(parts[5:])  # a file name, or [ anon ] / [ stack ]
                per[name] = per.get(name, 0) + int(parts[2])
        snapshot["rss_by_mapping_kb"] = dict(sorted(per.items(), key=lambda kv: -kv[1])[:12])
    except (OSError, subprocess.CalledProcessError):
        pass
    with open(os.path.join(out_dir, "memory.jsonl"), "a") as f:
        f.write(json.dumps(snapshot) + "\n")


# --- report ---------------------------------------------------------------------

def wrk_result(path):
    for line in open(path):
        if line.startswith("WRKJSON "):
            return json.loads(line[8:])
    raise SystemExit("summarize.py: no WRKJSON line in " + path)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    # nearest rank
    index = min(len(sorted_values) - 1, max(0, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[index]


def pgbench_result(path, log_prefix):
    text = open(path).read()
    processed = int(re.search(r"^number of transactions actually processed: (\d+)", text, re.M).group(1))
    tps = float(re.search(r"^tps = ([\d.]+) \(without initial connection time\)", text, re.M).group(1))
    latencies = []
    for log in glob.glob(log_prefix + ".*"):
        for line in open(log):
            fields = line.split()
            if len(fields) >= 6 and fields[2].isdigit():
                latencies.append(int(fields[2]))
    latencies.sort()
    return {"requests": processed, "rate": tps, "p50_us": percentile(latencies, 50),
            "p99_us": percentile(latencies, 99), "max_us": latencies[-1] if latencies else float("nan"),
            "logged": len(latencies)}


def load_runs(out_dir):
    runs = []
    for path in sorted(glob.glob(os.path.join(out_dir, "runs", "*.json"))):
        probe = json.load(open(path))
        labels = probe["labels"]
        stdout = path[:-5] + ".out"
        if labels["side"] == "server":
            r = wrk_result(stdout)
            result = {"requests": r["requests"], "rate": r["requests"] / (r["duration_us"] / 1e6),
                      "p50_us": r["p50_us"], "p99_us": r["p99_us"], "max_us": r["max_us"]}
        else:
            result = pgbench_result(stdout, path[:-5] + "-txlog")
        result.update(probe=probe, workload=labels["workload"], side=labels["side"],
                      clients=int(labels["clients"]), rep=int(labels["rep"]), name=os.path.basename(path[:-5]))
        if labels.get("stress"):
            result["stress"] = True
        runs.append(result)
    return runs


SIDES = ("server", "pgbench", "pgbench-batch")
SIDE_NAMES = {"server": "agentbase (wrk)", "pgbench": "pgbench", "pgbench-batch": "pgbench under SCHED_BATCH"}


def ms(us):
    return "%.2f" % (us / 1000.0)


def fmt_rate(x):
    return "%.0f" % x


def report(out_dir):
    runs = load_runs(out_dir)
    meta = json.load(open(os.path.join(out_dir, "settings.json")))
    pool = meta["pool_size"]
    main_runs = [r for r in runs if not r.get("stress")]
    workloads = [w for w in ORDER if any(r["workload"] == w for r in main_runs)]
    lines = []
    emit = lines.append

    def pick(workload, side, clients):
        return sorted((r for r in main_runs if r["workload"] == workload and r["side"] == side
                       and r["clients"] == clients), key=lambda r: r["rep"])

    def compare(workload, server_clients, pg_side, pg_clients):
        """The two sides' runs and the per-round ratios, or None when a side is missing."""
        server = pick(workload, "server", server_clients)
        pg = pick(workload, pg_side, pg_clients)
        if not server or not pg:
            return None
        pg_by_rep = {r["rep"]: r for r in pg}
        ratios = [x["rate"] / pg_by_rep[x["rep"]]["rate"] for x in server if x["rep"] in pg_by_rep]
        cells = (" / ".join(fmt_rate(r["rate"]) for r in server), " / ".join(fmt_rate(r["rate"]) for r in pg),
                 " / ".join("%.2f" % x for x in ratios))
        return ratios, cells

    low, high = meta["low_clients"], meta["high_clients"]
    # (agentbase's HTTP clients, pgbench's clients, what is matched). agentbase
    # always has `pool` database connections; pgbench has one per client.
    comparisons = [
        (low, low, "%d vs %d clients; DB connections %d vs %d" % (low, low, pool, low)),
        (high, high, "%d vs %d clients (clients matched); DB connections %d vs %d" % (high, high, pool, high)),
        (high, pool, "%d vs %d clients; DB connections %d vs %d (connections matched)" % (high, pool, pool, pool)),
    ]
    verdicts = []

    emit("### Throughput: agentbase vs pgbench, same transaction\n")
    emit("Rates are each run's requests (wrk) or transactions (pgbench) per second; the ratio is "
         "agentbase / pgbench for the runs of the same round, and the verdict uses the median ratio.\n")
    emit("| Request | Comparison | agentbase req/s (runs) | pgbench tps (runs) | Ratio per round | Median ratio | Target | Met |")
    emit("|---|---|---|---|---|---|---|---|")
    for workload in workloads:
        for server_clients, pg_clients, title in comparisons:
            compared = compare(workload, server_clients, "pgbench", pg_clients)
            if not compared:
                continue
            ratios, cells = compared
            med = statistics.median(ratios)
            target = TARGETS.get(workload)
            if target is None:
                verdicts.append((workload, title, med, None, None))
                emit("| %s | %s | %s | %s | %s | **%.2f** | – | – |" % ((TITLES[workload], title) + cells + (med,)))
                continue
            met = med >= target
            verdicts.append((workload, title, med, target, met))
            emit("| %s | %s | %s | %s | %s | **%.2f** | ≥ %.2f | %s |" % (
                (TITLES[workload], title) + cells + (med, target, "yes" if met else "**no**")))
    emit("")

    # The server runs its event loop under SCHED_BATCH (serve --sched-batch,
    # its default); pgbench above runs as shipped. The same policy helps
    # pgbench too, so this shows the comparison with it on both sides.
    if any(r["side"] == "pgbench-batch" for r in main_runs):
        emit("### Same scheduling policy on both sides: agentbase vs pgbench under SCHED_BATCH\n")
        emit("`agentbase serve` runs its event loop under Linux's SCHED_BATCH policy by default "
             "(`--sched-batch`). pgbench above runs as shipped (SCHED_OTHER). Here pgbench runs under "
             "SCHED_BATCH too (`chrt -b 0`), in the same rounds; no target applies, it shows how much of "
             "the ratio the policy accounts for.\n")
        emit("| Request | Clients | agentbase req/s (runs) | pgbench (SCHED_BATCH) tps (runs) | Ratio per round | Median ratio |")
        emit("|---|---|---|---|---|---|")
        for workload in workloads:
            for clients in (low, high):
                compared = compare(workload, clients, "pgbench-batch", clients)
                if not compared:
                    continue
                ratios, cells = compared
                emit("| %s | %d vs %d | %s | %s | %s | **%.2f** |" % (
                    (TITLES[workload], clients, clients) + cells + (statistics.median(ratios),)))
        emit("")

    emit("### Latency (per request / per transaction, median of the runs' percentiles)\n")
    emit("Recorded latencies on both sides: pgbench's per-transaction log, and wrk's histogram with wrk's "
         "coordinated-omission correction undone (wrk.lua), so that the two are alike.\n")
    emit("| Request | Side | Clients | DB connections | p50 ms | p99 ms | max ms (worst run) |")
    emit("|---|---|---|---|---|---|---|")
    for workload in workloads:
        for side in SIDES:
            for clients in sorted({r["clients"] for r in main_runs if r["workload"] == workload and r["side"] == side}):
                rs = pick(workload, side, clients)
                emit("| %s | %s | %d | %d | %s | %s | %s |" % (
                    TITLES[workload], SIDE_NAMES[side], clients,
                    pool if side == "server" else clients,
                    ms(statistics.median(r["p50_us"] for r in rs)), ms(statistics.median(r["p99_us"] for r in rs)),
                    ms(max(r["max_us"] for r in rs))))
    emit("")

    emit("### Where the CPU went (µs of CPU per request/transaction, median of the runs)\n")
    emit("`irq` is the kernel's interrupt and softirq time (mostly the loopback network stack, which is "
         "not charged to any process); `others` is everything else the machine ran meanwhile (other users' "
         "builds and tests, this script's probes); `machine busy` is the share of all cores in use.\n")
    emit("| Request | Side | Clients | PostgreSQL | client (wrk/pgbench) | agentbase | irq | others | total | machine busy | load avg before |")
    emit("|---|---|---|---|---|---|---|---|---|---|---|")
    for workload in workloads:
        for side in SIDES:
            for clients in sorted({r["clients"] for r in main_runs if r["workload"] == workload and r["side"] == side}):
                rs = pick(workload, side, clients)

                def per(key, r):
                    return r["probe"].get(key, 0.0) * 1e6 / max(1, r["requests"])

                def others(r):
                    p = r["probe"]
                    return (p["machine_busy_s"] - p["machine_irq_s"] - p["pg_cpu_s"] - p["client_cpu_s"]
                            - p.get("server_cpu_s", 0.0)) * 1e6 / max(1, r["requests"])

                pg_us = statistics.median(per("pg_cpu_s", r) for r in rs)
                cl_us = statistics.median(per("client_cpu_s", r) for r in rs)
                ab_us = statistics.median(per("server_cpu_s", r) for r in rs) if side == "server" else 0.0
                irq_us = statistics.median(per("machine_irq_s", r) for r in rs)
                ot_us = statistics.median(others(r) for r in rs)
                busy = statistics.median(r["probe"]["machine_busy_s"] / r["probe"]["machine_total_s"] for r in rs)
                emit("| %s | %s | %d | %.0f | %.0f | %s | %.0f | %.0f | %.0f | %.0f %% | %s |" % (
                    TITLES[workload], SIDE_NAMES[side], clients,
                    pg_us, cl_us, "%.0f" % ab_us if side == "server" else "–", irq_us, ot_us,
                    pg_us + cl_us + ab_us + irq_us + ot_us, 100 * busy,
                    ", ".join(r["probe"]["loadavg_before"][0] for r in rs)))
    emit("")

    emit("### Memory of the agentbase process\n")
    snapshots = [json.loads(line) for line in open(os.path.join(out_dir, "memory.jsonl"))]
    emit("| When | VmRSS | VmHWM (peak so far) | anonymous (heap, stacks) | file-backed (binary, libraries) | Target | Met |")
    emit("|---|---|---|---|---|---|---|")
    # Targets in decimal MB (10^6 bytes, the stricter reading), compared in kB (KiB).
    targets = {"idle": ("idle < 20 MB", 20e6 / 1024, "VmRSS"), "after-load": ("load < 64 MB", 64e6 / 1024, "VmHWM"),
               "after-stress": ("load < 64 MB", 64e6 / 1024, "VmHWM")}
    names = {"idle": "idle, after start-up", "after-load": "after the benchmark runs (%d–%d clients)" % (low, high),
             "after-stress": "after %d clients for %d s" % (meta["stress_clients"], meta["stress_duration"])}
    for s in snapshots:
        st, ro = s["status"], s["smaps_rollup"]
        t = targets.get(s["label"])
        value = st[t[2]] if t else None
        emit("| %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %s | %s |" % (
            names.get(s["label"], s["label"]), st["VmRSS"] / 1024, st["VmHWM"] / 1024, ro.get("Anonymous", 0) / 1024,
            (ro.get("Rss", 0) - ro.get("Anonymous", 0)) / 1024, t[0] if t else "",
            ("yes" if value < t[1] else "**no**") if t else ""))
    for r in runs:
        if r.get("stress"):
            emit("\nThe %d-client burst: %.0f req/s, p50 %s ms, p99 %s ms, max %s ms, no errors.\n" % (
                r["clients"], r["rate"], ms(r["p50_us"]), ms(r["p99_us"]), ms(r["max_us"])))
    sampled = max((r["probe"].get("server_rss_max_kb", 0) for r in runs if r["side"] == "server"), default=0)
    emit("\nHighest VmRSS sampled during any run (every 100 ms): %.1f MiB.\n" % (sampled / 1024))
    idle = next((s for s in snapshots if s["label"] == "idle"), None)
    if idle and idle.get("rss_by_mapping_kb"):
        emit("Idle resident memory by mapping (pmap -x, kB): " + ", ".join(
            "%s %d" % (name, size) for name, size in idle["rss_by_mapping_kb"].items()) + ".\n")

    emit("### Verdict\n")
    for workload, title, med, target, met in verdicts:
        if target is None:
            emit("- %s, %s: %.0f %% of pgbench (no target)" % (TITLES[workload], title, 100 * med))
            continue
        emit("- %s, %s: %.0f %% of pgbench (target ≥ %.0f %%): %s" % (
            TITLES[workload], title, 100 * med, 100 * target, "met" if met else "NOT met"))
    print("\n".join(lines))


def callgrind_totals(directory):
    """{"agentbase": [Ir of each process], "postgres": [...]}: the files callgrind wrote at their exits."""
    totals = {}
    for path in glob.glob(os.path.join(directory, "*.*")):
        kind = os.path.basename(path).split(".")[0]
        with open(path, errors="replace") as file:
            total = next((int(line.split()[1]) for line in file if line.startswith(("summary:", "totals:"))), None)
        if total is None:
            sys.exit(f"summarize.py: no total in {path}")
        totals.setdefault(kind, []).append(total)
    return totals


def instructions(directory, count, machine_path, requests):
    count = int(count)
    with open(machine_path) as file:
        agentbase = next((l[len("agentbase: "):].strip() for l in file if l.startswith("agentbase: ")), "?")
    print(f"Instructions a request (callgrind; {count} more requests in one session of the server than in the"
          f" other): {agentbase}")
    print()
    print("| Request | Server | PostgreSQL (its backends) | Total |")
    print("|---|---:|---:|---:|")
    for request in requests:
        longer = callgrind_totals(os.path.join(directory, request))
        shorter = callgrind_totals(os.path.join(directory, request + "-base"))
        per = {kind: (sum(longer.get(kind, [])) - sum(shorter.get(kind, []))) / count
               for kind in ("agentbase", "postgres")}
        print(f"| {TITLES.get(request, request)} | {per['agentbase']:,.0f} | {per['postgres']:,.0f} | "
              f"{per['agentbase'] + per['postgres']:,.0f} |")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "memory":
        memory(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    elif len(sys.argv) >= 6 and sys.argv[1] == "instructions":
        instructions(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
