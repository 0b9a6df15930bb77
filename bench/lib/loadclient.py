#!/usr/bin/env python3
"""Load client for the failover benchmarks.

Opens a NEW TCP connection to HOST:PORT every INTERVAL seconds, without waiting for earlier
attempts (each attempt is its own task), sends `GET / HTTP/1.0`, reads the answer
(`site=NAME client=...`) and logs one JSON line per attempt. After PRE seconds it runs the
kill command itself, so the kill and the attempts share one clock (time.monotonic() is
CLOCK_MONOTONIC, the same in every network namespace). It stops starting attempts POST seconds
after the first answer from the new site has completed (or MAX_WAIT seconds after the kill if
the new site never answers), then waits for the attempts still running. Without --new-site, the
same stop counts from the moment UNTIL_FILE appears (a caller watching for something else, e.g.
the VIPs reaching the other hub of a pair).

Output (JSON lines): one {"type": "kill", ...} record, one {"type": "attempt", ...} per attempt,
one {"type": "end", ...}. Times are CLOCK_MONOTONIC seconds.

An attempt whose connect() fails is "connect:ERRNO" when the kernel received nothing but the
failure (a refused or unanswered SYN), and "handshake_reset:ERRNO" when it had received the
server's SYN-ACK before the reset (tcpi_segs_in > 0; a refused SYN leaves it at 0, the SYN-ACK
makes it 1 and the reset 2): a connection the old site's kernel
accepted and then reset, which only looks like a connect failure because the reset arrived
before the event loop saw the connect complete. analyze.py counts the first as failed_connect
and the second as failed_in_flight.
"""

import argparse
import asyncio
import errno
import json
import os
import resource
import socket
import struct
import sys
import time

# struct tcp_info (linux/tcp.h): tcpi_segs_in, the segments received, is the u32 at this offset (Linux 4.2+).
TCPI_SEGS_IN_OFFSET = 140
TCP_INFO_SIZE = 232


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--interval", type=float, default=0.01, help="seconds between connection starts")
    p.add_argument("--connect-timeout", type=float, default=5.0)
    p.add_argument("--read-timeout", type=float, default=5.0)
    p.add_argument("--pre", type=float, default=1.0, help="seconds of load before the kill")
    p.add_argument("--kill-cmd", required=True, help="shell command that causes the fault")
    p.add_argument("--new-site", help="name of the site expected to take over")
    p.add_argument("--until-file", help="without --new-site: stop POST seconds after this file appears (looked for once the kill has run)")
    p.add_argument("--post", type=float, default=5.0, help="seconds of load after the new site first answered (or UNTIL_FILE appeared)")
    p.add_argument("--max-wait", type=float, default=20.0, help="give up waiting for the new site this long after the kill")
    p.add_argument("--new-site-file", help="write the time of the new site's first answer here as soon as it is known (lets the caller restore early)")
    p.add_argument("--idle-before-kill", action="store_true",
                   help="start no attempt before the kill command has finished (the service was idle when the fault hit); "
                        "the attempts then start at the same rate from the end of the kill")
    p.add_argument("--out", required=True)
    return p.parse_args()


def error_name(e):
    return errno.errorcode.get(e.errno, type(e).__name__) if e.errno else type(e).__name__


class ConnectFailed(Exception):
    def __init__(self, error, handshake_done):
        super().__init__(error)
        self.error = error
        self.handshake_done = handshake_done


def segments_received(sock):
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, TCP_INFO_SIZE)
    return struct.unpack_from("<I", info, TCPI_SEGS_IN_OFFSET)[0] if len(info) >= TCPI_SEGS_IN_OFFSET + 4 else 0


async def open_connection(host, port):
    """asyncio.open_connection, except that a failed connect says whether the server had completed the handshake."""
    loop = asyncio.get_running_loop()
    family, kind, proto, _, address = (await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))[0]
    sock = socket.socket(family, kind, proto)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, address)
    except OSError as e:
        handshake_done = segments_received(sock) > 0
        sock.close()
        raise ConnectFailed(error_name(e), handshake_done) from e
    except BaseException:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock)


async def attempt(args, start_at, records, state):
    rec = {"type": "attempt", "start": start_at, "connect_s": None, "total_s": None, "site": None, "error": None, "port": None}
    writer = None
    try:
        try:
            reader, writer = await asyncio.wait_for(open_connection(args.host, args.port), args.connect_timeout)
        except asyncio.TimeoutError:
            rec["connect_s"] = time.monotonic() - start_at
            rec["error"] = "connect_timeout"
            return
        except ConnectFailed as e:
            rec["connect_s"] = time.monotonic() - start_at
            rec["error"] = ("handshake_reset:" if e.handshake_done else "connect:") + e.error
            return
        except OSError as e:
            rec["connect_s"] = time.monotonic() - start_at
            rec["error"] = "connect:" + error_name(e)
            return
        rec["connect_s"] = time.monotonic() - start_at
        # The local port names this connection in the hubs' conntrack events (which hub carried it).
        rec["port"] = writer.get_extra_info("sockname")[1]
        try:
            writer.write(b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n")
            body = await asyncio.wait_for(reader.read(-1), args.read_timeout)
        except asyncio.TimeoutError:
            rec["error"] = "read_timeout"
            return
        except OSError as e:
            rec["error"] = "read:" + error_name(e)
            return
        finally:
            rec["total_s"] = time.monotonic() - start_at
        text = body.decode("ascii", "replace")
        site = None
        for token in text.split():
            if token.startswith("site="):
                site = token[5:]
        if site is None:
            rec["error"] = "bad_answer" if text else "empty_answer"
        else:
            rec["site"] = site
            kill = state["kill"]
            finished = start_at + rec["total_s"]
            if args.new_site is not None and site == args.new_site and kill is not None and finished >= kill["start"]:
                if state["new_site_done"] is None:
                    state["new_site_done"] = finished
                    if args.new_site_file:
                        with open(args.new_site_file, "w") as f:
                            f.write(f"{finished}\n")
                elif finished < state["new_site_done"]:
                    state["new_site_done"] = finished
    finally:
        if writer is not None:
            writer.close()
        records.append(rec)


async def main():
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    records = []
    state = {"kill": None, "new_site_done": None}
    tasks = set()

    def on_done(task):
        tasks.discard(task)

    async def killer(at):
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        # Wall-clock times too, to line the kill up with daemon logs.
        k = {"type": "kill", "cmd": args.kill_cmd, "start": time.monotonic(), "end": None, "wall_start": time.time()}
        state["kill"] = k
        proc = await asyncio.create_subprocess_shell(args.kill_cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, err = await proc.communicate()
        k["end"] = time.monotonic()
        k["wall_end"] = time.time()
        k["rc"] = proc.returncode
        k["stderr"] = err.decode(errors="replace")[-500:]

    t0 = time.monotonic()
    kill_task = asyncio.create_task(killer(t0 + args.pre))
    i = 0
    base = t0
    if args.idle_before_kill:
        while state["kill"] is None or state["kill"]["end"] is None:
            await asyncio.sleep(0.001)
        base = state["kill"]["end"]
    while True:
        now = time.monotonic()
        kill = state["kill"]
        if kill is not None:
            if args.until_file and kill["end"] is not None and state["new_site_done"] is None and os.path.exists(args.until_file):
                state["new_site_done"] = now
            if state["new_site_done"] is not None and now >= state["new_site_done"] + args.post:
                break
            if kill["end"] is not None and now >= kill["end"] + args.max_wait:
                break
        start_at = base + i * args.interval
        if start_at > now:
            await asyncio.sleep(start_at - now)
            continue
        # Behind schedule (a busy machine): start the attempt anyway, with its real start time.
        task = asyncio.create_task(attempt(args, time.monotonic(), records, state))
        tasks.add(task)
        task.add_done_callback(on_done)
        i += 1
    await kill_task
    if tasks:
        await asyncio.gather(*list(tasks))
    with open(args.out, "w") as f:
        f.write(json.dumps(state["kill"]) + "\n")
        for r in sorted(records, key=lambda r: r["start"]):
            f.write(json.dumps(r) + "\n")
        f.write(json.dumps({"type": "end", "t0": t0, "attempts": len(records), "scheduled": i, "end": time.monotonic()}) + "\n")
    if state["kill"]["rc"] != 0:
        print(f"kill command failed (rc {state['kill']['rc']}): {state['kill']['stderr']}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
