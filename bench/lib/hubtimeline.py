#!/usr/bin/env python3
"""What the hub did in each trial, relative to the kill: switch lines per service and the
conntrack deletions that follow unplanned switches (how many entries, how long they took).

    bench/lib/hubtimeline.py OUT_DIR/link-*.jsonl

Reads TRIAL.jsonl (the kill's wall-clock time) and TRIAL.hub.log (written by bench/failover).
One line per trial; a summary of how often a service's switch came after another service's
conntrack deletion. Hubs that ran the deletion inside the decision loop made the next switch wait
for it; hubs that run it beside the loop (and log "of SERVICE") should show no such wait.
"""

import datetime
import json
import re
import sys

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \w+: \S+\[\d+\] (.*)$")
SWITCH = re.compile(r"^(\S+): (\S+) → (\S+) \((.*)\)$")
FLUSH = re.compile(r"^deleted (\d+) conntrack entries (?:of (\S+) )?towards (\S+)")


def stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").timestamp()


def main(files):
    delayed = 0
    # Trial files only (NAME-N.jsonl), in trial order; NAME-trials.jsonl is the analysis output.
    files = sorted((p for p in files if re.search(r"-\d+\.jsonl$", p)), key=lambda p: (p.rsplit("-", 1)[0], int(p.rsplit("-", 1)[1][:-6])))
    for path in files:
        with open(path) as f:
            kill = json.loads(f.readline())
        kill_at = kill["wall_end"]
        events, last = [], None
        with open(path[:-len(".jsonl")] + ".hub.log") as f:
            for raw in f:
                m = LINE.match(raw.rstrip("\n"))
                if not m:
                    continue
                at = stamp(m.group(1)) - kill_at
                if s := SWITCH.match(m.group(2)):
                    kind = "planned" if "eligible for" in s.group(4) or "operator" in s.group(4) else "unplanned"
                    events.append(f"{s.group(1)}:{s.group(2)}→{s.group(3)}{'' if kind == 'unplanned' else '(planned)'} {at:.3f}s")
                    last = at
                elif (c := FLUSH.match(m.group(2))) and last is not None:
                    service = f"{c.group(2)} " if c.group(2) else ""
                    events.append(f"ct-flush {service}{c.group(1)} entries {at - last:.3f}s")
                    last = at
        text = "  ".join(events)
        # web switched after a flush of echo: web waited for it.
        if re.search(r"echo:alpha→\S+ .*ct-flush.*web:alpha→", text):
            delayed += 1
        print(f"{path.rsplit('/', 1)[-1]:<22} {text}")
    print(f"web switched after echo's conntrack flush in {delayed} of {len(files)} trials")


if __name__ == "__main__":
    main(sys.argv[1:])
