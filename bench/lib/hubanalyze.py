#!/usr/bin/env python3
"""Turns the trials of bench/hub-failover into one JSON summary line per method.

Per trial (TRIAL = OUT/METHOD-N) it reads:
  TRIAL.jsonl              loadclient.py's attempts (a new connection every 10 ms) and the kill;
  TRIAL.established.jsonl  established.py's long-lived connections;
  TRIAL.meta.json          which hub held the VIPs (failed) and which did not (other);
  TRIAL.syn-HUB.log        `tcpdump -tt` of each hub's public interface: the client's SYNs to port 80;
  TRIAL.addr-HUB.log       `ip -ts monitor address` of each hub: when the VIPs left and arrived.

A new connection went THROUGH the hub that got its first SYN (by client port, from 0.3 s before
the attempt started to 0.3 s after it ended; a retransmitted SYN may reach the other hub).

  failover time   = completion of the first answer through the other hub, minus the end of the kill
                    command; in a trial where nothing went through the other hub (the VIPs stayed),
                    the first answer to an attempt started after the kill (through either hub);
  window          = attempts started from PRE s before the kill to POST s after that first answer
                    through the other hub (or the last attempt);
  failed, failed_connect, failed_in_flight, failed_before_kill, connect times: as analyze.py;
  max_gap         = the longest stretch in the window with no answer completing;
  site_changed    = an answer after the kill (new connection or established) from another site than
                    the one answering the attempts started before the kill;
  established     = connections that had no failed request and answered a last request sent after
                    the load stopped (survived), of all opened; stall = their longest request;
  vip_moved       = the VIPs appearing on the other hub's public interface, after the kill.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import re
import sys

# Shares analyze.py's helpers; writes no __pycache__ into the repository.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import failure_totals, load, percentile, r, window_failures  # noqa: E402

# tcpdump -tt: "1795689880.785372 IP 203.0.113.100.56528 > 203.0.113.80.80: Flags [S], …"
SYN = re.compile(r"^(\d+\.\d+) IP6? \S+?\.(\d+) > ")
ADDR = re.compile(r"^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\] (Deleted )?\d+: \S+\s+inet6? (\S+)/")
JOIN_SLACK_S = 0.3


def syn_events(path):
    """Client port -> wall-clock times of the SYNs from it that reached the hub."""
    events = collections.defaultdict(list)
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if m := SYN.match(line):
                    events[int(m.group(2))].append(float(m.group(1)))
    return events


def addr_events(path, address):
    """(wall-clock time, added?) of ADDRESS on the hub's interfaces."""
    found = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if (m := ADDR.match(line)) and m.group(3) == address:
                    # ip -ts prints local time; this machine's time zone applies.
                    at = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
                    found.append((at, m.group(2) is None))
    return found


def load_established(path):
    requests, conns = [], []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if rec["type"] == "request":
                    requests.append(rec)
                elif rec["type"] == "connection":
                    conns.append(rec)
    return requests, conns


def hub_of(attempt, wall_offset, events_by_hub):
    """The hub that got this attempt's first SYN, or None (no port, or no SYN seen)."""
    if attempt["port"] is None:
        return None
    start = attempt["start"] + wall_offset
    end = start + (attempt["total_s"] or attempt["connect_s"] or 0)
    seen = []
    for hub, events in events_by_hub.items():
        times = [t for t in events.get(attempt["port"], []) if start - JOIN_SLACK_S <= t <= end + JOIN_SLACK_S]
        if times:
            seen.append((min(times), hub))
    return min(seen)[1] if seen else None


def trial_summary(base, pre, post, vip):
    kill, attempts = load(base + ".jsonl")
    with open(base + ".meta.json") as f:
        meta = json.load(f)
    failed_hub, other_hub = meta["failed"], meta["other"]
    kill_at = kill["end"]
    wall_offset = kill["wall_end"] - kill["end"]
    events = {hub: syn_events(f"{base}.syn-{hub}.log") for hub in (failed_hub, other_hub)}
    for a in attempts:
        a["hub"] = hub_of(a, wall_offset, events)
        a["done"] = a["start"] + (a["total_s"] or 0)

    answered = [a for a in attempts if a["site"] is not None]
    through_other = [a["done"] for a in answered if a["hub"] == other_hub and a["done"] >= kill["start"]]
    first_other = min(through_other) if through_other else None
    after_kill = [a["done"] for a in answered if a["start"] >= kill_at]
    first_any = min(after_kill) if after_kill else None
    first = first_other if first_other is not None else first_any

    window_end = (first_other if first_other is not None else max(a["start"] for a in attempts)) + post
    window = [a for a in attempts if kill_at - pre <= a["start"] <= window_end]
    done = sorted(a["done"] for a in window if a["site"] is not None)
    gaps = [b - a for a, b in zip([kill_at - pre] + done, done + [window_end])]

    # The site that served before the fault: attempts started before it (on a loaded machine none may have
    # finished before the kill began, which would make every later answer look like a change of site).
    before = [a["site"] for a in answered if a["start"] < kill["start"]]
    old_site = collections.Counter(before).most_common(1)[0][0] if before else None
    requests, conns = load_established(base + ".established.jsonl")
    sites_after = collections.Counter(a["site"] for a in answered if a["done"] >= kill["start"])
    sites_after.update(q["site"] for q in requests if q["site"] is not None and q["start"] + q["total_s"] >= kill["start"])
    changed = {s: n for s, n in sites_after.items() if s != old_site}

    moved = [at - kill["wall_end"] for at, added in addr_events(f"{base}.addr-{other_hub}.log", vip) if added and at >= kill["wall_start"] - 0.5]
    left = [at - kill["wall_end"] for at, added in addr_events(f"{base}.addr-{failed_hub}.log", vip) if not added and at >= kill["wall_start"] - 0.5]
    survivors = [c for c in conns if c["survived"]]
    return {
        "file": base + ".jsonl",
        "failed_hub": failed_hub,
        "failover_s": None if first is None else first - kill_at,
        "through_other_hub": first_other is not None,
        "first_answer_s": None if first_any is None else first_any - kill_at,
        "vip_moved_s": min(moved) if moved else None,
        "vip_left_s": min(left) if left else None,
        "max_gap_s": max(gaps) if gaps else None,
        **window_failures(window, kill_at),
        "unattributed": sum(1 for a in window if a["site"] is not None and a["hub"] is None),
        "by_hub": collections.Counter(a["hub"] or "unknown" for a in window if a["site"] is not None),
        "old_site": old_site,
        "site_changed": bool(changed),
        "changed_to": changed,
        "established_total": len(conns),
        "established_survived": len(survivors),
        "established_errors": collections.Counter(c["error"] for c in conns if c["error"]),
        "established_stall": [c["max_request_s"] for c in survivors],
        "kill_cmd_s": kill["end"] - kill["start"],
        "sites": collections.Counter(a["site"] for a in window if a["site"] is not None),
    }


def machine():
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""
    model = next((line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines() if line.startswith("model name")), None)
    return {"cpus": os.cpu_count(), "cpu_model": model, "kernel": platform.release(), "loadavg": read("/proc/loadavg").split()[:3]}


def total(trials, key):
    """The per-trial counters under KEY, added up."""
    return dict(sum((t[key] for t in trials), collections.Counter()))


def stats(prefix, values):
    return {f"{prefix}_p50_s": r(percentile(values, 50)), f"{prefix}_max_s": r(max(values, default=None))}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--method", required=True)
    p.add_argument("--conntrackd", action="store_true")
    p.add_argument("--vip", required=True)
    p.add_argument("--pre", type=float, default=1.0)
    p.add_argument("--post", type=float, default=5.0)
    p.add_argument("--loadavg-start", help="the load average when the method's first trial started")
    p.add_argument("--commit", help="the git commit measured")
    p.add_argument("--per-trial", help="also write one JSON line per trial to this file")
    p.add_argument("trials", nargs="+", help="OUT/METHOD-N, without an extension")
    args = p.parse_args()

    trials = [trial_summary(t, args.pre, args.post, args.vip) for t in args.trials]
    times = [t["failover_s"] for t in trials if t["failover_s"] is not None]

    if args.per_trial:
        with open(args.per_trial, "w") as f:
            for i, t in enumerate(trials, 1):
                f.write(json.dumps({
                    "trial": i, "failed_hub": t["failed_hub"], "failover_s": r(t["failover_s"]), "through_other_hub": t["through_other_hub"],
                    "first_answer_s": r(t["first_answer_s"]), "vip_left_s": r(t["vip_left_s"]), "vip_moved_s": r(t["vip_moved_s"]),
                    "max_gap_s": r(t["max_gap_s"]), "failed": t["failed"], "failed_connect": t["failed_connect"],
                    "failed_in_flight": t["failed_in_flight"], "failed_before_kill": t["failed_before_kill"], "attempts": t["attempts"],
                    "p99_connect_s": r(percentile(t["connect"], 99)), "max_connect_s": r(max(t["connect"], default=None)),
                    "errors": dict(t["errors"]), "site_changed": t["site_changed"], "changed_to": t["changed_to"],
                    "established": f"{t['established_survived']}/{t['established_total']}", "established_errors": dict(t["established_errors"]),
                    "max_stall_s": r(max(t["established_stall"], default=None)), "by_hub": dict(t["by_hub"]),
                    "unattributed": t["unattributed"], "kill_cmd_s": r(t["kill_cmd_s"], 4), "file": t["file"],
                }) + "\n")

    stalls = [s for t in trials for s in t["established_stall"]]
    print(json.dumps({
        "method": args.method,
        "conntrackd": args.conntrackd,
        "trials": len(trials),
        "through_other_hub": sum(1 for t in trials if t["through_other_hub"]),
        "p50_s": r(percentile(times, 50)),
        "p99_s": r(percentile(times, 99)),
        "max_s": r(max(times, default=None)),
        "min_s": r(min(times, default=None)),
        "mean_s": r(sum(times) / len(times) if times else None),
        **failure_totals(trials),
        "site_changed": sum(1 for t in trials if t["site_changed"]),
        "established_survived": sum(t["established_survived"] for t in trials),
        "established_total": sum(t["established_total"] for t in trials),
        "established_errors": total(trials, "established_errors"),
        **stats("established_stall", stalls),
        **stats("vip_moved", [t["vip_moved_s"] for t in trials if t["vip_moved_s"] is not None]),
        "vip_moved_trials": sum(1 for t in trials if t["vip_moved_s"] is not None),
        **stats("first_answer", [t["first_answer_s"] for t in trials if t["first_answer_s"] is not None]),
        **stats("max_gap", [t["max_gap_s"] for t in trials if t["max_gap_s"] is not None]),
        "errors": total(trials, "errors"),
        "answers": total(trials, "sites"),
        "answers_by_hub": total(trials, "by_hub"),
        "failed_hubs": dict(collections.Counter(t["failed_hub"] for t in trials)),
        "kill_cmd_p50_s": r(percentile([t["kill_cmd_s"] for t in trials], 50), 4),
        "kill_cmd_max_s": r(max(t["kill_cmd_s"] for t in trials), 4),
        "machine": {**machine(), "loadavg_start": args.loadavg_start.split()[:3] if args.loadavg_start else None, "commit": args.commit},
    }))
    return 0 if len(times) == len(trials) else 1


if __name__ == "__main__":
    sys.exit(main())
