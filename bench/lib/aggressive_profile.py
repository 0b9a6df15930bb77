"""Edits a lab's keepwire.yaml for the aggressive profile: web gets a TCP check every 50 ms (timeout 50 ms,
fall 2, rise 2) and hold_down 1s instead of the lab's own checks. Used by bench/failover and bench/false-failover."""
import sys

path = sys.argv[1]
lines = open(path).read().splitlines(keepends=True)
start = lines.index("  - name: web\n")
end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), len(lines))
service = lines[start + 1:end]
# Replace the lab's own checks of web (a "checks:" key and its indented list), keep the rest.
kept, skipping = [], False
for line in service:
    if line.startswith("    checks:"):
        skipping = True
        continue
    if skipping and line.startswith("      "):
        continue
    skipping = False
    kept.append(line)
kept += [
    "    checks: [{type: tcp, port: 80, interval: 50ms, timeout: 50ms, fall: 2, rise: 2}]\n",
    "    hold_down: 1s\n",
]
lines[start + 1:end] = kept
open(path, "w").write("".join(lines))
