#!/usr/bin/env python3
"""Which site each hub serves a service from, by the hub's control socket (one JSON line each way).

    bench/lib/hubstatus.py --service web hub1=/run/keepwire-lab/kwhf/hub1.sock hub2=...

Prints `hub1=alpha hub2=alpha`; `none` for a hub that serves the service from no site, does not
answer, or answers with an error; `,peer-silent` or `,yielding` after the site of a hub of a pair
that does not hear its peer or gives the VIPs up. Faster than `keepwire status` per hub (no .NET start-up), which
matters in a loop that waits for a lab to settle.
"""

import argparse
import json
import socket


def request(path, command, timeout=2):
    """One control request; the hub's answer ({"ok": …, "result": …}). Raises OSError or ValueError when there is none."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(json.dumps({"command": command}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def serving_site(path, service):
    try:
        answer = request(path, "status")
        result = answer["result"] if answer.get("ok") else {"services": []}
        site = next((s.get("serving_site") for s in result["services"] if s["name"] == service), None) or "none"
        # In a pair, a hub that does not hear its peer, or yields the VIPs, is not settled yet.
        pair = result.get("pair")
        if pair is not None and not pair.get("peer_alive"):
            site += ",peer-silent"
        if pair is not None and pair.get("yielding"):
            site += ",yielding"
        return site
    except (OSError, ValueError, KeyError, TypeError):
        return "none"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--service", required=True)
    p.add_argument("hubs", nargs="+", help="NAME=SOCKET")
    args = p.parse_args()
    print(" ".join(f"{name}={serving_site(path, args.service)}" for name, path in (h.split("=", 1) for h in args.hubs)))


if __name__ == "__main__":
    main()
