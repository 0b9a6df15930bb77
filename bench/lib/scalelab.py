"""A namespace lab for bench/scale: one hub, N sites, a client, and a config with many services.

The fixed `keepwire lab` has three sites; this one has as many as asked (up to 200), built from the
same pieces: network namespaces on one bridge ("the internet", 203.0.113.0/24), wireguard-go on
every node, nginx on every site, nftables. The hub runs the real `keepwire hub` daemon, which
brings up its own WireGuard interface, VIP and forwarding table. The sites run no Keepwire agent:
each is a wireguard-go interface configured with `wg` and `ip` the way the agent would (tunnel
address, the hub as its only peer, replies to clients routed back into the tunnel by source
address), and one nginx answering `site=NAME` on port 80. An nftables redirect in each site sends
every service port (10000 and up) to that nginx, so a service forwarded to its own backend port
answers too. IPv4 only.

Names: namespaces PREFIX-net, PREFIX-hub, PREFIX-s01 …, PREFIX-client; WireGuard interfaces
PREFIX + "h" on the hub and PREFIX + "s01" … on the sites (unique on the machine: wireguard-go's
control sockets share /var/run/wireguard). State (keys, config, logs, nginx) in
/run/keepwire-scale/PREFIX. Teardown removes all of it, also what a killed run left.
"""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

STATE_ROOT = Path("/run/keepwire-scale")
GATEWAY = "203.0.113.254"
HUB_PUBLIC = "203.0.113.1"
CLIENT = "203.0.113.100"
VIP = "203.0.113.80"
TUNNEL_PREFIX = 16
HUB_TUNNEL = "10.78.0.1"
LISTEN_PORT = 51820
FIRST_SERVICE_PORT = 10000
WIREGUARD_SOCKETS = Path("/var/run/wireguard")
# Replies from a site's tunnel address go back into the tunnel by this table (the agent's return path).
RETURN_TABLE = 100


def run(command, *, check=True, timeout=60, input_text=None):
    """Runs a command (argument list, never a shell); returns the CompletedProcess with text output."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, input=input_text)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: {(result.stderr or result.stdout).strip()[-1500:]}")
    return result


class ScaleLayout:
    """Names and addresses of a scale lab; pure, so teardown can derive them from the prefix alone."""

    MAX_SITES = 200

    def __init__(self, prefix, sites):
        if not prefix or len(prefix) > 8 or not prefix.isalnum() or not prefix[0].isalpha():
            raise ValueError(f"prefix '{prefix}' must be 1-8 letters and digits, starting with a letter (it starts interface names)")
        if not 1 <= sites <= self.MAX_SITES:
            raise ValueError(f"sites must be between 1 and {self.MAX_SITES}")
        self.prefix = prefix
        self.site_count = sites
        self.state = STATE_ROOT / prefix

    def ns(self, host):
        return f"{self.prefix}-{host}"

    @property
    def sites(self):
        return [f"s{i:02d}" for i in range(1, self.site_count + 1)]

    @property
    def hosts(self):
        return ["hub", *self.sites, "client"]

    @property
    def namespaces(self):
        return [self.ns("net"), *(self.ns(h) for h in self.hosts)]

    @property
    def hub_interface(self):
        return self.prefix + "h"

    def site_interface(self, site):
        return self.prefix + site

    @property
    def wireguard_interfaces(self):
        return [self.hub_interface, *(self.site_interface(s) for s in self.sites)]

    def site_index(self, site):
        return int(site[1:])

    def site_public(self, site):
        index = self.site_index(site)
        # .11 … .79 and .101 … .231: clear of the hub (.1), the VIP (.80), the client (.100) and the gateway.
        return f"203.0.113.{10 + index if index <= 69 else 31 + index}"

    def site_tunnel(self, site):
        return f"10.78.0.{10 + self.site_index(site)}"

    def site_of_tunnel(self, address):
        return next((s for s in self.sites if self.site_tunnel(s) == address), None)

    @staticmethod
    def is_own_host(host):
        return host in ("net", "hub", "client") or (host[0] == "s" and host[1:].isdigit())

    def bridge_port(self, host):
        return "v" + host

    @property
    def config(self):
        return self.state / "keepwire.yaml"

    @property
    def hub_socket(self):
        return self.state / "hub.sock"

    @property
    def hub_log(self):
        return self.state / "hub.log"

    @property
    def hub_pid_file(self):
        return self.state / "hub.pid"


class ScaleLab:
    def __init__(self, layout, keepwire, log, hub_command=None):
        self.layout = layout
        self.keepwire = keepwire
        # The hub's own program when it differs from the one the sites and the checks run (a native build).
        self.hub_command = hub_command or keepwire
        self.log = log
        self.hub = None
        self.public_keys = {}

    # ------------------------------------------------------------------ building

    def exists(self):
        return self.layout.state.exists() or bool(self._own_namespaces())

    def _own_namespaces(self):
        """This prefix's namespaces, found by name pattern rather than --sites: a lab left behind may have had another size."""
        L = self.layout
        names = (line.split()[0] for line in run(["ip", "netns", "list"]).stdout.splitlines() if line.strip())
        return [ns for ns in names if ns.startswith(L.prefix + "-") and L.is_own_host(ns[len(L.prefix) + 1:])]

    def build(self):
        L = self.layout
        L.state.mkdir(parents=True, exist_ok=True)
        os.chmod(L.state, 0o755)
        self._internet()
        for host in L.hosts:
            self._host(host)
        self._keys()
        for site in L.sites:
            self._site(site)

    def _internet(self):
        L = self.layout
        net = L.ns("net")
        run(["ip", "netns", "add", net])
        run(["ip", "-n", net, "link", "set", "lo", "up"])
        run(["ip", "-n", net, "link", "add", "br0", "type", "bridge"])
        run(["ip", "-n", net, "addr", "add", f"{GATEWAY}/24", "dev", "br0"])
        run(["ip", "-n", net, "link", "set", "br0", "up"])

    def _host(self, host):
        L = self.layout
        ns, net, port = L.ns(host), L.ns("net"), L.bridge_port(host)
        address = {"hub": HUB_PUBLIC, "client": CLIENT}.get(host) or L.site_public(host)
        run(["ip", "netns", "add", ns])
        run(["ip", "-n", net, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns])
        run(["ip", "-n", net, "link", "set", port, "master", "br0", "up"])
        run(["ip", "-n", ns, "link", "set", "lo", "up"])
        run(["ip", "-n", ns, "addr", "add", f"{address}/24", "dev", "eth0"])
        run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        run(["ip", "-n", ns, "route", "add", "default", "via", GATEWAY])

    def _keys(self):
        L = self.layout
        keys = L.state / "keys"
        keys.mkdir(mode=0o700, exist_ok=True)
        for node in ["hub", *L.sites]:
            private = run(["wg", "genkey"]).stdout.strip()
            path = keys / f"{node}.key"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(private + "\n")
            self.public_keys[node] = run(["wg", "pubkey"], input_text=private + "\n").stdout.strip()

    def key_file(self, node):
        return self.layout.state / "keys" / f"{node}.key"

    def _site(self, site):
        L = self.layout
        ns, wg = L.ns(site), L.site_interface(site)
        tunnel = L.site_tunnel(site)
        run(["ip", "netns", "exec", ns, "wireguard-go", wg])
        run(["ip", "netns", "exec", ns, "wg", "set", wg, "private-key", str(self.key_file(site)),
             "peer", self.public_keys["hub"], "endpoint", f"{HUB_PUBLIC}:{LISTEN_PORT}",
             "allowed-ips", "0.0.0.0/0", "persistent-keepalive", "25"])
        run(["ip", "-n", ns, "addr", "add", f"{tunnel}/{TUNNEL_PREFIX}", "dev", wg])
        run(["ip", "-n", ns, "link", "set", wg, "up"])
        # The agent's return path: replies from the tunnel address go back into the tunnel, so clients
        # keep their own addresses end to end.
        run(["ip", "-n", ns, "rule", "add", "from", tunnel, "lookup", str(RETURN_TABLE), "priority", "100"])
        run(["ip", "-n", ns, "route", "add", "default", "dev", wg, "table", str(RETURN_TABLE)])
        # Every service port lands on the one nginx, so a service checked on its own port answers too.
        run(["ip", "netns", "exec", ns, "nft", "-f", "-"], input_text=(
            "table inet scalebench {\n"
            "  chain prerouting {\n"
            "    type nat hook prerouting priority dstnat; policy accept;\n"
            f"    iifname \"{wg}\" tcp dport {FIRST_SERVICE_PORT}-65000 redirect to :80\n"
            "  }\n"
            "}\n"))
        self._nginx(site)

    def _nginx(self, site):
        L = self.layout
        directory = L.state / "nginx" / site
        (directory / "tmp").mkdir(parents=True, exist_ok=True)
        conf = directory / "nginx.conf"
        conf.write_text(f"""daemon on;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log notice;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {directory}/tmp/body;
    proxy_temp_path {directory}/tmp/proxy;
    fastcgi_temp_path {directory}/tmp/fastcgi;
    uwsgi_temp_path {directory}/tmp/uwsgi;
    scgi_temp_path {directory}/tmp/scgi;
    keepalive_timeout 30s;
    server {{
        listen 80 backlog=4096;
        default_type text/plain;
        location / {{ return 200 "site={site} client=$remote_addr\\n"; }}
    }}
}}
""")
        run(["ip", "netns", "exec", L.ns(site), "nginx", "-c", str(conf), "-p", f"{directory}/", "-e", str(directory / "error.log")])

    def write_config(self, text):
        self.layout.config.write_text(text)

    def start_hub(self, extra_environment=None):
        L = self.layout
        environment = dict(os.environ, **(extra_environment or {}))
        log = open(L.hub_log, "ab")
        # `ip netns exec` execs the command, so the pid is the daemon's own. close_fds (the default)
        # keeps a caller's lock file descriptor (flock) out of the daemon and its children.
        self.hub = subprocess.Popen(
            ["ip", "netns", "exec", L.ns("hub"), *self.hub_command, "hub", "--config", str(L.config), "--node", "hub",
             "--state-dir", str(L.state / "hub-state"), "--socket", str(L.hub_socket)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=environment)
        log.close()
        L.hub_pid_file.write_text(f"{self.hub.pid}\n")
        return self.hub.pid

    def hub_alive(self):
        return self.hub is not None and self.hub.poll() is None

    def stop_hub(self):
        if self.hub is None or self.hub.poll() is not None:
            return
        self.hub.terminate()
        try:
            self.hub.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.hub.kill()
            self.hub.wait(timeout=15)

    # ------------------------------------------------------------------ levers

    def cut_link(self, site):
        run(["ip", "-n", self.layout.ns("net"), "link", "set", self.layout.bridge_port(site), "down"])

    def restore_link(self, site):
        run(["ip", "-n", self.layout.ns("net"), "link", "set", self.layout.bridge_port(site), "up"])

    def link_counters(self, host, interface):
        """(rx packets, tx packets) of an interface in a host's namespace."""
        info = json.loads(run(["ip", "-n", self.layout.ns(host), "-j", "-s", "link", "show", "dev", interface]).stdout)[0]
        stats = info.get("stats64") or info["stats"]
        return stats["rx"]["packets"], stats["tx"]["packets"]

    # ------------------------------------------------------------------ teardown

    def teardown(self):
        """Removes everything the lab made, in the order that leaves nothing behind; every step runs."""
        L = self.layout
        failures = []

        def step(what, action):
            try:
                action()
            except Exception as e:  # noqa: BLE001 - every step runs; failures are reported together
                failures.append(f"{what}: {e}")

        mine = self._own_namespaces()
        interfaces = {L.hub_interface, *(L.prefix + ns[len(L.prefix) + 1:] for ns in mine)}
        step("stop the hub daemon", self.stop_hub)
        # wireguard-go exits when its interface goes; a deleted namespace alone would not stop it.
        for ns in mine:
            step(f"delete WireGuard interfaces in {ns}", lambda ns=ns: self._delete_tunnels(ns, interfaces))
        for ns in mine:
            step(f"stop processes in {ns}", lambda ns=ns: self._stop_processes(ns))
        for ns in sorted(mine, key=lambda n: n == L.ns("net")):
            step(f"delete namespace {ns}", lambda ns=ns: run(["ip", "netns", "del", ns]))
        for name in sorted(interfaces | set(L.wireguard_interfaces)):
            step(f"remove stale socket of {name}", lambda name=name: (WIREGUARD_SOCKETS / f"{name}.sock").unlink(missing_ok=True))
        step(f"remove {L.state}", lambda: shutil.rmtree(L.state, ignore_errors=False) if L.state.exists() else None)
        if failures:
            raise RuntimeError("scale lab not removed completely:\n  " + "\n  ".join(failures))

    @staticmethod
    def _delete_tunnels(ns, interfaces):
        links = json.loads(run(["ip", "-n", ns, "-j", "-d", "link", "show"]).stdout or "[]")
        for link in links:
            kind = link.get("linkinfo", {}).get("info_kind")
            if link["ifname"] in interfaces or kind in ("tun", "wireguard"):
                run(["ip", "-n", ns, "link", "del", "dev", link["ifname"]], check=False)

    @staticmethod
    def _stop_processes(ns):
        # Found by namespace membership, never by name: only what runs inside this lab's namespaces.
        for signal_name, grace in (("TERM", 5.0), ("KILL", 5.0)):
            pids = run(["ip", "netns", "pids", ns]).stdout.split()
            if not pids:
                return
            run(["kill", f"-{signal_name}", *pids], check=False)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() and not _zombie(p) for p in pids):
                time.sleep(0.05)
        left = run(["ip", "netns", "pids", ns]).stdout.split()
        if left:
            raise RuntimeError(f"processes {', '.join(left)} still in {ns}")


def _zombie(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"
