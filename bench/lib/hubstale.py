#!/usr/bin/env python3
"""Were the connections a hub failover reset ones whose 4-tuple the takeover hub still tracked?

    bench/lib/hubstale.py OUT_DIR

The load client opens ~100 connections a second from one address, so its ports come round again
within minutes. A port counts as STALE on a hub when an earlier connection from it reached that
hub (its SYN is in OUT/syn-HUB.log, the whole run's capture) within WINDOW seconds (default 120:
nf_conntrack_tcp_timeout_time_wait) before this connection started: the hub may still hold that
flow's conntrack entry (TIME_WAIT), and a packet of the new connection then meets an entry whose
sequence numbers it does not fit. For every established connection (OUT/METHOD-N.established.jsonl)
and every failed new connection, prints whether it survived and whether its port was stale on the
hub that took over, as counts per method.
"""

import argparse
import bisect
import collections
import glob
import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import load  # noqa: E402
from hubanalyze import load_established, syn_events  # noqa: E402


def stale(events, port, at, window):
    """Whether a SYN from PORT reached the hub in [AT - WINDOW, AT - 0.5) (an earlier connection)."""
    times = sorted(events.get(port, []))
    i = bisect.bisect_left(times, at - window)
    return i < len(times) and times[i] < at - 0.5


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--window", type=float, default=120.0)
    p.add_argument("out")
    args = p.parse_args()
    hubs = {hub: syn_events(os.path.join(args.out, f"syn-{hub}.log")) for hub in ("hub1", "hub2")}
    counts = collections.Counter()
    for meta_path in sorted(glob.glob(os.path.join(args.out, "*-*.meta.json"))):
        base = meta_path[:-len(".meta.json")]
        method = os.path.basename(base).rsplit("-", 1)[0]
        with open(meta_path) as f:
            events = hubs[json.load(f)["other"]]
        kill, attempts = load(base + ".jsonl")
        offset = kill["wall_end"] - kill["end"]
        _, conns = load_established(base + ".established.jsonl")
        for c in conns:
            if c["opened"] is not None:
                state = "survived" if c["survived"] else "reset" if c["error"] and "Reset" in c["error"] else "lost"
                counts[(method, "established", state, stale(events, c["port"], c["opened"] + offset, args.window))] += 1
        for a in attempts:
            if a["error"] is not None and a["port"] is not None and a["start"] >= kill["end"] - 1:
                counts[(method, "new", a["error"], stale(events, a["port"], a["start"] + offset, args.window))] += 1
    for (method, kind, state, is_stale), n in sorted(counts.items()):
        print(f"{method:<8} {kind:<12} {state:<18} {'stale port' if is_stale else 'fresh port'}: {n}")


if __name__ == "__main__":
    main()
