"""The fault schedule of bench/chaos: from a seed, which faults start when, on what, for how long.

Pure: the same seed, minutes and bounds give the same list on every machine (random.Random(seed) only, no
clock). The driver turns each entry into lab commands; the checker reads the entries back from the history.

Rules that keep the lab inside the failure model it promises to survive, while faults still overlap freely:
- one fault at a time per target (a site, a hub-level fault, the config file, one pin per service, one drain per
  site); faults on different targets overlap;
- at most one hub-level fault at a time (a pair survives one hub failing, not both): hub daemon kill, active hub
  link cut, hub-to-hub partition share the target "hubs";
- nothing starts in the last --quiet seconds, so the run ends with a healed lab that must converge.
"""

import random

SITES = ("alpha", "bravo", "charlie")
HUBS = ("hub1", "hub2")
SERVICES = ("web", "echo")

# kind: (weight, min duration s, max duration s). Duration 0: an instant action (a reload, a rebinding).
KINDS = {
    "site_link": (3, 3, 20),
    "web_stop": (2, 3, 20),
    "site_kill": (2, 3, 15),
    "hub_kill": (2, 2, 15),
    "hub_link": (2, 3, 15),
    "partition": (2, 3, 20),
    "loss": (3, 5, 20),
    "nat_rebind": (2, 5, 30),
    "reload_good": (1, 0, 0),
    "reload_bad": (1, 0, 0),
    "drain": (2, 5, 20),
    "pin": (2, 5, 20),
}

# Faults that break something: a failed new connection or a lost download is excused inside their windows.
# Drains, pins and reloads are planned operations: nothing may fail because of them.
DISRUPTIVE = {"site_link", "web_stop", "site_kill", "hub_kill", "hub_link", "partition", "loss", "nat_rebind"}

# Faults on a hub or between the hubs, as opposed to faults on one site.
HUB_LEVEL = {"hub_kill", "hub_link", "partition"}


def _target(kind, rng):
    """(what the fault acts on, the exclusivity key that no other fault may hold meanwhile, parameters)."""
    if kind in ("site_link", "web_stop", "site_kill"):
        site = rng.choice(SITES)
        return site, "site:" + site, {}
    if kind == "hub_kill":
        hub = rng.choice(HUBS)
        return hub, "hubs", {}
    if kind == "hub_link":
        # Resolved when it runs: whichever hub holds the VIPs then.
        return "active", "hubs", {}
    if kind == "partition":
        return "hubs", "hubs", {}
    if kind == "loss":
        node = rng.choice(SITES + HUBS)
        key = "hubs" if node in HUBS else "site:" + node
        return node, key, {"percent": rng.randint(5, 30)}
    if kind == "nat_rebind":
        return "charlie", "nat", {}
    if kind in ("reload_good", "reload_bad"):
        return "hubs", "config", {}
    if kind == "drain":
        site = rng.choice(SITES)
        return site, "drain:" + site, {}
    if kind == "pin":
        service = rng.choice(SERVICES)
        # Pinned away from the preferred site: a real move.
        return service, "pin:" + service, {"to": rng.choice(SITES[1:])}
    raise ValueError("unknown fault kind " + kind)


def build(seed, minutes, warmup_s=10.0, quiet_s=75.0, mean_gap_s=5.0, without=()):
    """The schedule: a list of dicts {id, kind, target, start, duration, params}, start relative to the run's start.

    Faults arrive at exponential gaps (mean MEAN_GAP_S) from WARMUP_S until QUIET_S before the end; a fault whose
    target (or exclusivity key) is busy at its time is skipped, which keeps the draw sequence, and so the
    schedule, a function of the seed alone. Kinds in WITHOUT are drawn and dropped the same way: the schedule is the
    seed's own with those faults left out (a leak soak leaves out hub_kill, so one hub daemon lives through the run).
    """
    rng = random.Random(seed)
    total = minutes * 60.0
    last_start = total - quiet_s
    kinds = sorted(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    busy_until = {}
    faults = []
    t = warmup_s
    while True:
        t += rng.expovariate(1.0 / mean_gap_s)
        kind = rng.choices(kinds, weights)[0]
        target, key, params = _target(kind, rng)
        _, low, high = KINDS[kind]
        duration = round(rng.uniform(low, high), 1) if high > 0 else 0.0
        if t >= last_start:
            break
        # A fault must heal before the quiet part starts.
        duration = min(duration, max(0.0, round(last_start - t, 1)))
        if busy_until.get(key, -1.0) > t or kind in without:
            continue
        # An instant action still occupies its key for a few seconds: two reloads at once would race on the file.
        busy_until[key] = t + max(duration, 3.0)
        faults.append({"id": len(faults) + 1, "kind": kind, "target": target, "start": round(t, 2),
                       "duration": duration, "params": params, "key": key})
    return faults


def describe(fault):
    """One line for the printed schedule."""
    params = " ".join(f"{k}={v}" for k, v in sorted(fault["params"].items()))
    length = f"{fault['duration']:5.1f}s" if fault["duration"] else "instant"
    return f"#{fault['id']:<3} +{fault['start']:7.2f}s {length:>7} {fault['kind']:<11} {fault['target']} {params}".rstrip()
