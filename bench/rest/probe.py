#!/usr/bin/env python3
"""Run one load generator and record what the run cost (bench/rest/run.sh).

  probe.py --out RUN.json --stdout RUN.out --pg-data DIR [--server-pid PID]
           [--label key=value ...] -- COMMAND [ARGS...]

Runs COMMAND with its standard output to RUN.out (standard error is passed
through) and writes RUN.json with:

  wall_s          the command's wall time
  exit_code       its exit status
  client_cpu_s    user+system CPU of the command (wrk or pgbench) and its children
  pg_cpu_s        user+system CPU of the whole PostgreSQL cluster during the run:
                  every live postgres process plus the postmaster's reaped
                  children (pgbench's backends exit before the run ends)
  server_cpu_s    user+system CPU of the agentbase process (with --server-pid)
  machine_busy_s  busy CPU of the whole machine (all processes, /proc/stat)
  machine_total_s all CPU time that passed (busy + idle), so the machine's
                  capacity (nproc x wall)
  machine_irq_s   interrupt + softirq time of the whole machine (the loopback
                  network stack runs there, charged to no process)
  server_rss_max_kb / server_hwm_kb
                  the agentbase process's VmRSS sampled every 100 ms during the
                  run (maximum) and its VmHWM (peak since start) at the end
  loadavg_before  /proc/loadavg before the run
  labels          the --label pairs
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    """(ppid, utime+stime, cutime+cstime) in ticks, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is state (field 3); utime is field 14 -> index 11.
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def cluster_ticks(pg_data):
    with open(os.path.join(pg_data, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    own = proc_stat(postmaster)
    if own is None:
        raise SystemExit("probe.py: the postmaster (pid %d) is not running" % postmaster)
    total = own[1] + own[2]
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = proc_stat(int(name))
        if stat and stat[0] == postmaster:
            total += stat[1]
    return total


def machine_ticks():
    """(busy, total, irq+softirq) ticks of all CPUs."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest is inside user)
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total, values[5] + values[6]


def status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--stdout", required=True)
    parser.add_argument("--pg-data", required=True)
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--label", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    labels = dict(item.split("=", 1) for item in args.label)

    with open("/proc/loadavg") as f:
        loadavg = f.read().split()[:3]
    rss_max = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            rss = status_kb(args.server_pid, "VmRSS")
            if rss:
                rss_max[0] = max(rss_max[0], rss)
            stop.wait(0.1)

    sampler = None
    if args.server_pid:
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    server_before = proc_stat(args.server_pid)[1] if args.server_pid else 0
    pg_before = cluster_ticks(args.pg_data)
    busy_before, total_before, irq_before = machine_ticks()
    started = time.monotonic()
    with open(args.stdout, "w") as out:
        child = subprocess.Popen(command, stdout=out)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    busy_after, total_after, irq_after = machine_ticks()
    # pgbench's backends exit after pgbench does; give the postmaster a moment
    # to reap them, so that their CPU shows up in its children's total.
    time.sleep(0.3)
    pg_after = cluster_ticks(args.pg_data)
    result = {
        "labels": labels,
        "command": command,
        "exit_code": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 3),
        "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "pg_cpu_s": (pg_after - pg_before) / TICK,
        "machine_busy_s": (busy_after - busy_before) / TICK,
        "machine_total_s": (total_after - total_before) / TICK,
        "machine_irq_s": (irq_after - irq_before) / TICK,
        "loadavg_before": loadavg,
    }
    if args.server_pid:
        stop.set()
        sampler.join()
        result["server_cpu_s"] = (proc_stat(args.server_pid)[1] - server_before) / TICK
        result["server_rss_max_kb"] = rss_max[0]
        result["server_hwm_kb"] = status_kb(args.server_pid, "VmHWM")
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    sys.exit(0 if result["exit_code"] == 0 else 1)


if __name__ == "__main__":
    main()
