#!/usr/bin/env python3
"""Turns the attempt logs of loadclient.py (one file per trial) into one JSON summary line.

Per trial:
  failover time  = completion time of the first answer from the new site (at or after the kill)
                   minus the moment the kill command had finished (the fault is in effect);
  window         = attempts STARTED from 1 s before the kill to POST s after that first answer;
  failed         = attempts in the window that got no answer (refused, reset, timeout, ...),
                   split two ways:
    by what failed: failed_connect = no connection: connect() timed out (--connect-timeout) or
                   was refused or reset before any answer to the SYN; failed_in_flight = connected
                   (also "handshake_reset": the SYN-ACK had arrived when a reset failed the connect),
                   then reset, timed out or
                   closed without a full answer: a connection the dying site had accepted (the
                   client cannot tell which site accepted a connection that never answered, but
                   the new site answers in full);
    by when it started: failed_before_kill = started before the kill command had finished;
                   failed_after_kill = the others, the new connections the failover should save;
  connect time   = time until connect() succeeded or failed; a connect timeout counts as the
                   full timeout, so hanging connects are not hidden;
  hub switch     = (with --service and a TRIAL.hub.log next to TRIAL.jsonl) the hub's log line
                   announcing the switch of that service, minus the kill (wall clock);
  disturbed      = before the kill, the service was already answered by a site other than the
                   old one (--old-site, or the one that answered first), or the hub switched it before the kill
                   command started: a false failover, not the fault, moved it. The *_clean
                   fields leave such trials out; the plain fields keep every trial.
Percentiles use linear interpolation between order statistics (numpy's default); with 20
trials p99 lies between the largest two values.
"""

import argparse
import collections
import datetime
import json
import os
import re
import sys

HUB_SWITCH = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \w+: \S+\[\d+\] (\S+): (\S+) → (\S+) \((.*)\)$")


def percentile(values, q):
    if not values:
        return None
    v = sorted(values)
    if len(v) == 1:
        return v[0]
    pos = (len(v) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def is_connect_failure(attempt):
    """loadclient.py names errors of connect() "connect_timeout" or "connect:ERRNO" ("handshake_reset:ERRNO" when the
    server had answered the SYN: in flight); later ones otherwise."""
    return attempt["error"].startswith("connect")


def r(x, digits=3):
    return None if x is None else round(x, digits)


def load(path):
    kill, attempts = None, []
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            if rec["type"] == "kill":
                kill = rec
            elif rec["type"] == "attempt":
                attempts.append(rec)
    return kill, attempts


def window_failures(window, kill_at):
    """What failed among a trial's window of attempts, and their connect times (see the module doc)."""
    failed = [a for a in window if a["error"] is not None]
    failed_connect = sum(1 for a in failed if is_connect_failure(a))
    return {
        "attempts": len(window),
        "failed": len(failed),
        "failed_connect": failed_connect,
        "failed_in_flight": len(failed) - failed_connect,
        "failed_before_kill": sum(1 for a in failed if a["start"] < kill_at),
        "errors": collections.Counter(a["error"][:40] for a in failed),
        "connect": [a["connect_s"] for a in window if a["connect_s"] is not None],
    }


def failure_totals(trials):
    """The failures and connect times of all trials, as the summary line reports them."""
    connects = [c for t in trials for c in t["connect"]]
    return {
        "failed": sum(t["failed"] for t in trials),
        "failed_connect": sum(t["failed_connect"] for t in trials),
        "failed_in_flight": sum(t["failed_in_flight"] for t in trials),
        "failed_before_kill": sum(t["failed_before_kill"] for t in trials),
        "failed_after_kill": sum(t["failed"] - t["failed_before_kill"] for t in trials),
        "attempts": sum(t["attempts"] for t in trials),
        "p50_connect_s": r(percentile(connects, 50), 4),
        "p99_connect_s": r(percentile(connects, 99), 4),
        "max_connect_s": r(max(connects, default=None), 4),
    }


def hub_switches(path, service, kill):
    """Switch lines of SERVICE in the trial's hub log: (seconds after the kill, from, to, reason)."""
    log = path[:-len(".jsonl")] + ".hub.log"
    if service is None or not os.path.exists(log):
        return []
    found = []
    with open(log) as f:
        for line in f:
            m = HUB_SWITCH.match(line.rstrip("\n"))
            if m and m.group(2) == service:
                # The daemons log local time; this machine's local time zone applies.
                at = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
                found.append((at - kill["wall_end"], m.group(3), m.group(4), m.group(5)))
    return found


def trial_summary(path, new_site, pre, post, service=None, old_site=None):
    kill, attempts = load(path)
    kill_at = kill["end"]
    answers = [a["start"] + a["total_s"] for a in attempts if a["site"] == new_site and a["start"] + a["total_s"] >= kill["start"]]
    first_new = min(answers) if answers else None
    window_end = (first_new if first_new is not None else max(a["start"] for a in attempts)) + post
    window = [a for a in attempts if kill_at - pre <= a["start"] <= window_end]
    switches = hub_switches(path, service, kill) if "wall_end" in kill else []
    kill_cmd = kill["end"] - kill["start"]
    to_new = [s for s in switches if s[2] == new_site and s[0] > -1]
    before = [a for a in attempts if a["start"] + (a["total_s"] or 0) < kill["start"] and a["site"] is not None]
    old_site = old_site or (before[0]["site"] if before else None)
    disturbed = []
    if any(a["site"] != old_site for a in before):
        disturbed.append("answered by " + ",".join(sorted({a["site"] for a in before if a["site"] != old_site})) + " before the kill")
    disturbed += [f"hub switched {frm}→{to} {-at:.3f} s before the kill" for at, frm, to, _ in switches if at < -kill_cmd]
    return {
        "disturbed": "; ".join(disturbed) or None,
        "hub_switch_s": to_new[0][0] if to_new else None,
        "hub_switch_reason": to_new[0][3] if to_new else None,
        **window_failures(window, kill_at),
        "file": path,
        "failover_s": None if first_new is None else first_new - kill_at,
        "kill_cmd_s": kill_cmd,
        "sites": collections.Counter(a["site"] for a in window if a["site"] is not None),
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--method", required=True)
    p.add_argument("--profile", required=True)
    p.add_argument("--new-site", required=True)
    p.add_argument("--old-site", help="the site that should serve before the kill (default: whichever answered first)")
    p.add_argument("--pre", type=float, default=1.0)
    p.add_argument("--post", type=float, default=5.0)
    p.add_argument("--service", help="service name to look for in TRIAL.hub.log switch lines")
    p.add_argument("--per-trial", help="also write one JSON line per trial to this file")
    p.add_argument("files", nargs="+")
    args = p.parse_args()

    trials = [trial_summary(f, args.new_site, args.pre, args.post, args.service, args.old_site) for f in args.files]
    times = [t["failover_s"] for t in trials if t["failover_s"] is not None]
    hub = [t["hub_switch_s"] for t in trials if t["hub_switch_s"] is not None]
    clean = [t["failover_s"] for t in trials if t["failover_s"] is not None and not t["disturbed"]]
    kill_cmds = [t["kill_cmd_s"] for t in trials]
    errors = collections.Counter()
    sites = collections.Counter()
    for t in trials:
        errors.update(t["errors"])
        sites.update(t["sites"])

    if args.per_trial:
        with open(args.per_trial, "w") as f:
            for i, t in enumerate(trials, 1):
                f.write(json.dumps({
                    "trial": i, "failover_s": r(t["failover_s"]), "hub_switch_s": r(t["hub_switch_s"]), "disturbed": t["disturbed"],
                    "failed": t["failed"], "failed_connect": t["failed_connect"], "failed_in_flight": t["failed_in_flight"],
                    "failed_before_kill": t["failed_before_kill"], "attempts": t["attempts"],
                    "p99_connect_s": r(percentile(t["connect"], 99)), "max_connect_s": r(max(t["connect"], default=None)),
                    "errors": dict(t["errors"]), "kill_cmd_s": r(t["kill_cmd_s"], 4),
                    "hub_switch_reason": t["hub_switch_reason"], "file": t["file"],
                }) + "\n")

    print(json.dumps({
        "method": args.method,
        "profile": args.profile,
        "trials": len(trials),
        "switched": len(times),
        "p50_s": r(percentile(times, 50)),
        "p99_s": r(percentile(times, 99)),
        "max_s": r(max(times, default=None)),
        "min_s": r(min(times, default=None)),
        "mean_s": r(sum(times) / len(times) if times else None),
        "disturbed": sum(1 for t in trials if t["disturbed"]),
        "p50_s_clean": r(percentile(clean, 50)),
        "p99_s_clean": r(percentile(clean, 99)),
        "max_s_clean": r(max(clean, default=None)),
        **failure_totals(trials),
        "errors": dict(errors),
        "kill_cmd_p50_s": r(percentile(kill_cmds, 50), 4),
        "kill_cmd_max_s": r(max(kill_cmds), 4),
        **({"hub_switch_p50_s": r(percentile(hub, 50)), "hub_switch_max_s": r(max(hub, default=None))} if hub else {}),
        "answers": dict(sites),
    }))
    return 0 if len(times) == len(trials) else 1


if __name__ == "__main__":
    sys.exit(main())
