#!/usr/bin/env python3
"""The offline checker of bench/chaos: reads a history (JSON lines) and checks the five invariants of issue 14.

    python3 bench/lib/chaoscheck.py HISTORY.jsonl      # one JSON line per invariant, then the summary line

Pure: nothing but the history is read; bench/lib/test_chaoscheck.py drives it with hand-made histories.
The bounds come from the history's "run" record (the driver writes the ones in BOUNDS below, which
bench/README.md derives); a hand-made history may leave them out.

Records (field "k"):
  run     {t0, seed, minutes, bounds}            the run's start (epoch seconds) and settings
  fault   {id, kind, target, actual, start, end}  one fault with its interval (epoch seconds); actual: the node it hit
  req     {p, t0, t1, ok, site, err, port}        one new connection (tcp4/tcp6/udp4/udp6, or dl4/dl6: a download's start)
  dl      {p, t0, t1, ok, site, hub, bytes, err, port}  one long-lived download that got its first answer
  sample  {t, hubs: {HUB: {vips, map: {SERVICE: SITE}}}}   the hubs' VIPs and kernel maps
  status  {t, hub, ok, services: {SERVICE: SITE}, health: {SITE: STATE}}   a hub's `keepwire status --json`
  proc    {t, hub, pid, started, rss_kib, fds,     a hub daemon's footprint; the managed heap, what the collector
           heap_mib, committed_mib, allocated_mib,  committed for it, all it allocated and its collections per
           collections}                             generation, from its status (null when status failed)
  leaks   {phase: start|end, tables, namespaces, processes, conntrack_vip, conntrack_vip_entries (up to 20 a hub), children}
  event   {hub, ...}                              a decision from `keepwire events --json` (kept for reading)
  end     {t}                                     the load stopped; the run is over
"""

import json
import re
import sys

# Seconds. See bench/README.md ("bench/chaos: the bounds") for where each comes from.
BOUNDS = {
    # A failure up to this long after a disruptive fault ended is still the fault's.
    "detection_s": 5.0,
    # Two sites serving one service through two hubs that both hold the VIPs, at most this long.
    "split_brain_s": 1.0,
    # From the last fault healing to the lab being converged (and staying so).
    "convergence_s": 60.0,
    # Hub daemon RSS at its end against its RSS once warmed up (WARMUP_S after it started).
    "rss_growth": 0.10,
}

# A hub daemon's RSS grows fastest in its first minutes under this load: the runtime jits and tiers up the code each
# kind of fault runs for the first time and the GC grows its generations' budgets. Measured (4f5c493): about 100 MiB
# one minute after a start, 110-115 MiB at five. So a daemon's RSS is judged against its RSS WARMUP_S after it
# started, and only for a daemon that ran JUDGED_AFTER_S after that: every such daemon of the run, not only the last
# (hub kills leave few daemons that live to the end).
WARMUP_S = 300.0
# Open files are judged by their floor over this long once warmed up and before the end (twelve 10 s samples).
FDS_FLOOR_S = 120.0
JUDGED_AFTER_S = 300.0

DISRUPTIVE = {"site_link", "web_stop", "site_kill", "hub_kill", "hub_link", "partition", "loss", "nat_rebind"}
HUB_LEVEL = {"hub_kill", "hub_link", "partition"}
SITE_NAMES = ("alpha", "bravo", "charlie")
INVARIANTS = ("failures_outside_faults", "split_brain", "convergence", "downloads", "leaks")


class Violations:
    """Count and first example of one invariant's violations."""

    def __init__(self, name):
        self.name = name
        self.count = 0
        self.first = None

    def add(self, example):
        self.count += 1
        if self.first is None:
            self.first = example

    def line(self, **extra):
        return {"invariant": self.name, "violations": self.count, "first": self.first, **extra}


def read(path):
    """The history's records, requests streamed separately: (records without req/dl, iterator over req/dl)."""
    records = []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("k") not in ("req", "dl"):
                records.append(r)
    return records, _stream(path)


def _stream(path):
    with open(path) as f:
        for line in f:
            if '"k": "req"' in line or '"k": "dl"' in line or '"k":"req"' in line or '"k":"dl"' in line:
                yield json.loads(line)


def _windows(faults, detection, predicate=lambda f: True):
    return [(f["start"], f["end"] + detection, f) for f in faults if f["kind"] in DISRUPTIVE and predicate(f)]


def _overlaps(t0, t1, windows):
    return any(t0 <= end and t1 >= start for start, end, _ in windows)


def check_failures(requests, faults, bounds):
    """1. Every failed new connection overlaps a disruptive fault's window [start, end + detection]."""
    v = Violations("failures_outside_faults")
    windows = _windows(faults, bounds["detection_s"])
    total = failed = 0
    for r in requests:
        total += 1
        if r["ok"]:
            continue
        failed += 1
        if not _overlaps(r["t0"], r["t1"], windows):
            v.add(r)
    return v.line(requests=total, failed=failed)


def check_split_brain(samples, bounds):
    """2. Both hubs holding the VIPs and forwarding one service to two different sites, longer than the window."""
    v = Violations("split_brain")
    longest = 0.0
    services = sorted({s for x in samples for h in x["hubs"].values() for s in (h.get("map") or {})})
    ordered = sorted(samples, key=lambda s: s["t"])
    for service in services:
        run_start = last = None
        for x in ordered + [None]:
            split = False
            if x is not None:
                holders = [h for h in x["hubs"].values() if h.get("vips")]
                split = len(holders) >= 2 and len({(h.get("map") or {}).get(service) for h in holders}) >= 2
            if split:
                run_start = x["t"] if run_start is None else run_start
                last = x
            elif run_start is not None:
                length = last["t"] - run_start
                longest = max(longest, length)
                if length > bounds["split_brain_s"]:
                    v.add({"service": service, "from": run_start, "to": last["t"], "seconds": round(length, 3), "sample": last})
                run_start = None
    return v.line(longest_s=round(longest, 3))


def _sample_converged(x, preferred):
    holders = [h for h in x["hubs"].values() if h.get("vips")]
    return len(holders) == 1 and all(
        (h.get("map") or {}).get(s) == preferred.get(s) for h in x["hubs"].values() for s in preferred)


def _status_converged(x, preferred):
    return (x.get("ok", False)
            and all(x.get("services", {}).get(s) == site for s, site in preferred.items())
            and all(state == "healthy" for state in x.get("health", {}).values())
            and len(x.get("health", {})) > 0)


def check_convergence(faults, samples, statuses, end, bounds, preferred=None):
    """3. From the last fault healing, within the bound: preferred site serving on both hubs' maps, one VIP holder,
    both hubs' status agreeing on it and every site healthy (its tunnel and checks up), staying so to the end."""
    preferred = preferred or {"web": "alpha", "echo": "alpha"}
    v = Violations("convergence")
    healed = max([f["end"] for f in faults], default=None)
    if healed is None or end is None:
        return v.line(healed_at=healed, converged_after_s=None)
    # A status call that failed (the CLI timed out on a loaded machine) says nothing either way; each hub needs good
    # ones after the convergence, though.
    after = sorted([("sample", x) for x in samples if x["t"] >= healed] + [("status", x) for x in statuses if x["t"] >= healed and x.get("ok")],
                   key=lambda p: p[1]["t"])
    converged_at = healed
    last_bad = None
    for kind, x in after:
        good = _sample_converged(x, preferred) if kind == "sample" else _status_converged(x, preferred)
        if not good:
            last_bad = x
            converged_at = None
        elif converged_at is None:
            converged_at = x["t"]
    hubs_with_status = {x["hub"] for k, x in after if k == "status" and converged_at is not None and x["t"] >= converged_at}
    if converged_at is None or len(hubs_with_status) < 2:
        v.add({"healed_at": healed, "never_converged": True, "last_unconverged": last_bad})
        return v.line(healed_at=healed, converged_after_s=None)
    after_s = round(converged_at - healed, 3)
    if after_s > bounds["convergence_s"]:
        v.add({"healed_at": healed, "converged_at": converged_at, "seconds": after_s, "last_unconverged": last_bad})
    return v.line(healed_at=healed, converged_after_s=after_s)


def _holder_at(samples, t):
    """The hub holding the VIPs at the last sample at or before T (None if none or both)."""
    holder = None
    for x in samples:
        if x["t"] > t:
            break
        held = [name for name, h in x["hubs"].items() if h.get("vips")]
        holder = held[0] if len(held) == 1 else None
    return holder


def _touches(fault, site, hub):
    if fault["kind"] in HUB_LEVEL or (fault["kind"] == "loss" and fault["target"] not in SITE_NAMES):
        hit = fault.get("actual") or fault["target"]
        # Unknown hub (none or both held the VIPs at the start) or a partition: every hub fault counts.
        return hub is None or fault["kind"] == "partition" or hit in (hub, "hubs", "active")
    return fault.get("target") == site


def check_downloads(downloads, faults, samples, bounds):
    """4. A long-lived download survives every fault that touches neither its site nor the hub it went through
    (the one holding the VIPs when it started)."""
    v = Violations("downloads")
    samples = sorted(samples, key=lambda s: s["t"])
    total = ok = 0
    for d in downloads:
        total += 1
        if d["ok"]:
            ok += 1
            continue
        hub = d.get("hub") or _holder_at(samples, d["t0"])
        windows = _windows(faults, bounds["detection_s"], lambda f: _touches(f, d.get("site"), hub))
        if not _overlaps(d["t0"], d["t1"], windows):
            v.add({**d, "hub": hub})
    return v.line(downloads=total, survived=ok)


LONG_LIVED = {"dotnet", "keepwire", "wireguard-go", "nginx", "keepalived", "perl", "socat", "conntrackd"}


_SPORT = re.compile(r"\bsport=(\d+)")


def _request_of_entry(entry, requests, before):
    """The last request before `before` whose client port is the entry's (the load records each TCP connection's)."""
    m = _SPORT.search(entry)
    if m is None:
        return None
    port = int(m.group(1))
    found = [r for r in requests if r.get("port") == port and (before is None or r["t0"] <= before)]
    return max(found, key=lambda r: r["t0"]) if found else None


def check_leaks(leaks, procs, bounds, requests=()):
    """5. Nothing left behind: the same nft tables, namespaces and long-lived processes as at the start, no
    established conntrack entries towards the VIPs once the load stopped, no child process of the driver; each hub
    daemon's RSS at its end within the bound of its RSS once warmed up (WARMUP_S), for every daemon that ran long enough
    after that (the floor of open files over FDS_FLOOR_S, likewise, + 16)."""
    v = Violations("leaks")
    start = next((x for x in leaks if x.get("phase") == "start"), None)
    end = next((x for x in leaks if x.get("phase") == "end"), None)
    if start is None or end is None:
        v.add({"missing": "start" if start is None else "end"})
        return v.line()
    for what in ("tables", "namespaces"):
        if start.get(what) != end.get(what):
            v.add({"what": what, "start": start.get(what), "end": end.get(what)})
    for ns in sorted(set(start.get("processes", {})) | set(end.get("processes", {}))):
        a = {k: n for k, n in start.get("processes", {}).get(ns, {}).items() if k in LONG_LIVED}
        b = {k: n for k, n in end.get("processes", {}).get(ns, {}).items() if k in LONG_LIVED}
        if a != b:
            v.add({"what": "processes", "namespace": ns, "start": a, "end": b})
    for hub, n in sorted(end.get("conntrack_vip", {}).items()):
        if n:
            entries = end.get("conntrack_vip_entries", {}).get(hub, [])[:3]
            v.add({"what": "conntrack_vip", "hub": hub, "established": n,
                   "entries": [{"entry": e, "request": _request_of_entry(e, requests, end.get("t"))} for e in entries]})
    if end.get("children"):
        v.add({"what": "children", "count": end["children"]})
    rss = {}
    by_pid = {}
    for p in sorted(procs, key=lambda p: p["t"]):
        by_pid.setdefault((p["hub"], p["pid"]), []).append(p)
    for hub in sorted({h for h, _ in by_pid}):
        judged = []
        for (owner, pid), series in sorted(by_pid.items(), key=lambda kv: kv[1][0]["t"]):
            if owner != hub:
                continue
            ref = next((p for p in series if p["t"] >= p["started"] + WARMUP_S), None)
            final = series[-1]
            if ref is None or final["t"] - ref["t"] < JUDGED_AFTER_S:
                continue
            # Open files come and go with probes, control connections and nft/conntrack runs in flight (a native
            # hub idles at ~25 and samples 23-111 under load): a leak raises the floor, so floors are compared.
            fds_warm = min(p["fds"] for p in series if ref["t"] <= p["t"] <= ref["t"] + FDS_FLOOR_S)
            fds_end = min(p["fds"] for p in series if p["t"] >= final["t"] - FDS_FLOOR_S)
            daemon = {"pid": pid, "ran_s": round(final["t"] - final["started"]), "rss_kib_warm": ref["rss_kib"],
                      "rss_kib_end": final["rss_kib"], "rss_kib_max": max(p["rss_kib"] for p in series),
                      "fds_floor_warm": fds_warm, "fds_floor_end": fds_end,
                      "heap_mib_warm": ref.get("heap_mib"), "heap_mib_end": final.get("heap_mib"),
                      "committed_mib_warm": ref.get("committed_mib"), "committed_mib_end": final.get("committed_mib")}
            judged.append(daemon)
            if final["rss_kib"] > ref["rss_kib"] * (1 + bounds["rss_growth"]):
                v.add({"what": "rss", "hub": hub, **daemon})
            if fds_end > fds_warm * (1 + bounds["rss_growth"]) + 16:
                v.add({"what": "fds", "hub": hub, **daemon})
        rss[hub] = {"daemons": len({k for k in by_pid if k[0] == hub}), "judged": judged}
    return v.line(hubs=rss)


def check(records, requests_and_downloads):
    """All five invariants: (per-invariant lines, summary line)."""
    run = next((r for r in records if r["k"] == "run"), {})
    bounds = {**BOUNDS, **run.get("bounds", {})}
    faults = [r for r in records if r["k"] == "fault"]
    samples = sorted((r for r in records if r["k"] == "sample"), key=lambda r: r["t"])
    statuses = [r for r in records if r["k"] == "status"]
    end = next((r["t"] for r in records if r["k"] == "end"), None)
    requests, downloads = [], []
    for r in requests_and_downloads:
        (requests if r["k"] == "req" else downloads).append(r)
    lines = [
        check_failures(requests, faults, bounds),
        check_split_brain(samples, bounds),
        check_convergence(faults, samples, statuses, end, bounds),
        check_downloads(downloads, faults, samples, bounds),
        check_leaks([r for r in records if r["k"] == "leaks"], [r for r in records if r["k"] == "proc"], bounds,
                    requests_and_downloads),
    ]
    retried = [r for r in requests if r.get("retried")]
    windows = _windows(faults, bounds["detection_s"])
    fault_counts = {}
    for f in faults:
        fault_counts[f["kind"]] = fault_counts.get(f["kind"], 0) + 1
    summary = {
        "bench": "chaos",
        "seed": run.get("seed"),
        "minutes": run.get("minutes"),
        "native_hub": run.get("native_hub", False),
        "violations": sum(line["violations"] for line in lines),
        "per_invariant": {line["invariant"]: line["violations"] for line in lines},
        "faults": dict(sorted(fault_counts.items())),
        "fault_errors": sum(1 for f in faults if f.get("errors")),
        "faults_skipped": sum(1 for r in records if r["k"] == "fault_skipped"),
        "requests": lines[0]["requests"],
        "requests_failed": lines[0]["failed"],
        "requests_failed_outside_faults": lines[0]["violations"],
        # Not an invariant: UDP requests answered only after their one retry, i.e. a datagram lost on the way.
        "udp_retried": len(retried),
        "udp_retried_outside_faults": sum(1 for r in retried if not _overlaps(r["t0"], r["t1"], windows)),
        "downloads": lines[3]["downloads"],
        "downloads_survived": lines[3]["survived"],
        "split_brain_longest_s": lines[1]["longest_s"],
        "converged_after_s": lines[2]["converged_after_s"],
        "events": sum(1 for r in records if r["k"] == "event"),
        "samples": len(samples),
        "bounds": bounds,
    }
    return lines, summary


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    records, stream = read(argv[1])
    lines, summary = check(records, stream)
    for line in lines:
        print(json.dumps(line))
    print(json.dumps(summary))
    return 1 if summary["violations"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
