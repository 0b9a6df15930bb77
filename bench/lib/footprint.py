"""What a process costs while nothing happens: CPU over a window, memory, open files, threads.

CPU is read from /proc/PID/stat: utime + stime is the process itself (all threads); cutime + cstime
is what its children that it has waited for used (the hub runs nft, wg, ip every reconcile pass).
"""

import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """(own, children) CPU seconds of a process so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is field 3 (state)
    own = int(fields[11]) + int(fields[12])        # utime, stime (fields 14, 15)
    children = int(fields[13]) + int(fields[14])   # cutime, cstime (fields 16, 17)
    return own / TICKS, children / TICKS


def status(pid):
    """VmRSS and VmHWM in MiB, and the thread count, from /proc/PID/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
        elif key == "Threads":
            values[key] = int(rest.strip())
    return values


def open_files(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def idle_window(pid, seconds, during=None):
    """Measures pid over `seconds` of wall time. `during(deadline)` may sample other things meanwhile."""
    own0, children0 = cpu_seconds(pid)
    start = time.monotonic()
    deadline = start + seconds
    if during is not None:
        during(deadline)
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
    own1, children1 = cpu_seconds(pid)
    wall = time.monotonic() - start
    memory = status(pid)
    return {
        "wall_s": round(wall, 3),
        "cpu_percent": round(100 * (own1 - own0) / wall, 3),
        "children_cpu_percent": round(100 * (children1 - children0) / wall, 3),
        "rss_mib": round(memory["VmRSS"], 1),
        "hwm_mib": round(memory["VmHWM"], 1),
        "threads": memory["Threads"],
        "fds": open_files(pid),
    }


def machine():
    """The machine the numbers come from, for RESULTS.md."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": os.uname().release,
        "load_avg": Path("/proc/loadavg").read_text().split()[:3],
    }
