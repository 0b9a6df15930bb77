"""Where the hub's kernel forwards each service port, as the kernel says, with a timestamp per change.

`nft monitor` in the hub's namespace prints every element the forwarding map gains or loses, one
line each, as the kernel commits them, and "# new generation N" after each transaction. A reader
thread stamps every line with time.monotonic() on arrival and keeps the map's current state
(VIP port -> backend address), so "when was the last of these services repointed" is read from the
kernel's own notifications instead of from the daemon's log.
"""

import json
import re
import subprocess
import threading
import time

ELEMENT = re.compile(r"^(add|delete) element inet keepwire fwd4 \{ (\S+) \. tcp \. (\d+) : (\S+) \. (\d+) \}")
GENERATION = re.compile(r"^# new generation")
TABLE_GONE = re.compile(r"^delete table inet keepwire")


class Watch:
    """Waits for a set of ports to satisfy `wanted(address or None)`; notes when the last one did."""

    def __init__(self, ports, wanted, state):
        self.wanted = wanted
        self.pending = {p for p in ports if not wanted(state.get(p))}
        self.ports = set(ports)
        self.first_at = None
        self.done_at = None if self.pending else time.monotonic()
        self.generations = 0
        self.done = threading.Event()
        if self.done_at is not None:
            self.done.set()

    def update(self, port, address, at):
        if port not in self.ports or self.done_at is not None:
            return
        if self.wanted(address):
            if port in self.pending and self.first_at is None:
                self.first_at = at
            self.pending.discard(port)
        else:
            self.pending.add(port)
        if not self.pending:
            self.done_at = at
            self.done.set()


class MapWatcher:
    def __init__(self, namespace, log):
        self.namespace = namespace
        self.log = log
        self.state = {}
        self.lock = threading.Lock()
        self.watch = None
        self.generations = []
        self.process = None
        self.reader = None

    def start(self):
        # stdbuf: nft's stdout is a pipe here, and a block-buffered line would arrive late.
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, "stdbuf", "-oL", "nft", "monitor"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        time.sleep(0.3)  # let it subscribe before the first snapshot
        self.reload()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def reload(self):
        """Replaces the state with a full listing (call when nothing changes)."""
        listing = listing_of(self.namespace)
        with self.lock:
            self.state = listing

    def snapshot(self):
        with self.lock:
            return dict(self.state)

    def begin(self, ports, wanted):
        with self.lock:
            self.watch = Watch(ports, wanted, self.state)
            return self.watch

    def generations_between(self, start, end):
        """
        Transactions from `start` until the one that made the change seen at `end`: nft prints "# new generation"
        after a transaction's elements, so that last one's line comes just after `end` and counts too.
        """
        with self.lock:
            closing = 1 if any(t > end for t in self.generations) else 0
            return sum(1 for t in self.generations if start <= t <= end) + closing

    def _read(self):
        for line in self.process.stdout:
            at = time.monotonic()
            with self.lock:
                if GENERATION.match(line):
                    self.generations.append(at)
                    continue
                if TABLE_GONE.match(line):
                    self.state.clear()
                    continue
                match = ELEMENT.match(line)
                if not match:
                    continue
                kind, _vip, port, address, _backend = match.groups()
                port = int(port)
                if kind == "add":
                    self.state[port] = address
                elif self.state.get(port) == address:
                    del self.state[port]
                if self.watch is not None:
                    self.watch.update(port, self.state.get(port), at)


def listing_of(namespace):
    """VIP port -> backend address of the hub's IPv4 map, from `nft -j list map`; empty without the table."""
    result = subprocess.run(["ip", "netns", "exec", namespace, "nft", "-j", "list", "map", "inet", "keepwire", "fwd4"],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return {}
    state = {}
    for item in json.loads(result.stdout)["nftables"]:
        for key, value in (item.get("map", {}).get("elem") or []):
            _vip, _proto, port = key["concat"]
            state[int(port)] = value["concat"][0]
    return state
