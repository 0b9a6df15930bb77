#!/usr/bin/env python3
"""bench/chaos's client load, run inside the lab's client namespace until --until (epoch seconds).

- new TCP connections to the VIP's port 80, IPv4 and IPv6 in turn, one every --tcp-interval: connect, GET /,
  read to EOF (5 s connect timeout, 5 s read timeout); the answer names the site (site=NAME client=...);
- a UDP stream to the VIP's port 7, IPv4 and IPv6 in turn, one datagram every --udp-interval, each from a new
  socket (a new flow each time), answered within 5 s;
- --downloads long-lived downloads at a time, IPv4 and IPv6 in turn: one keep-alive connection asks GET / (which
  site) and then GET /big for --download-bytes, read at --download-rate bytes/s; a stall of 30 s loses it.

One JSON line per request on --out as it ends ({"k": "req"|"dl", ...}, epoch seconds): nothing is kept in memory.
A download that fails before its first answer is a failed new connection ("req", p dl4/dl6).
"""

import argparse
import asyncio
import json
import re
import socket
import time

SITE = re.compile(rb"site=([a-z0-9-]+)")


class Out:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)

    def write(self, record):
        self.f.write(json.dumps(record) + "\n")


async def tcp_request(host, out, family):
    t0 = time.time()
    rec = {"k": "req", "p": "tcp" + family, "t0": t0, "ok": False, "site": None, "err": None}
    writer = None
    try:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, 80), 5)
        except asyncio.TimeoutError:
            rec["err"] = "connect_timeout"
            return
        except OSError as e:
            rec["err"] = "connect:" + (e.strerror or type(e).__name__)
            return
        # The local port names this connection in the hubs' conntrack tables (the checker's leak report).
        rec["port"] = writer.get_extra_info("sockname")[1]
        writer.write(b"GET / HTTP/1.1\r\nHost: chaos\r\nConnection: close\r\n\r\n")
        try:
            body = await asyncio.wait_for(reader.read(), 5)
        except asyncio.TimeoutError:
            rec["err"] = "read_timeout"
            return
        except OSError as e:
            rec["err"] = "read:" + (e.strerror or type(e).__name__)
            return
        m = SITE.search(body)
        if body.startswith(b"HTTP/1.1 200") and m:
            rec.update(ok=True, site=m.group(1).decode())
        else:
            rec["err"] = "bad_answer" if body else "empty_answer"
    finally:
        if writer is not None:
            writer.close()
        rec["t1"] = time.time()
        out.write(rec)


UDP_RETRY_S = 1.0
UDP_TIMEOUT_S = 5.0


async def udp_request(host, out, family):
    """One datagram from a new socket (a new flow), sent again once after 1 s without an answer, as a TCP client's
    kernel retransmits its SYN after 1 s (and a DNS resolver retries): one datagram lost on the way is not a failed
    request here, as one lost SYN is not a failed connection. `retried` says the first went unanswered."""
    loop = asyncio.get_running_loop()
    t0 = time.time()
    rec = {"k": "req", "p": "udp" + family, "t0": t0, "ok": False, "site": None, "err": None}
    sock = socket.socket(socket.AF_INET6 if family == "6" else socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    try:
        await loop.sock_connect(sock, (host, 7))
        await loop.sock_sendall(sock, b"ping")
        answer = asyncio.ensure_future(loop.sock_recv(sock, 512))
        done, _ = await asyncio.wait({answer}, timeout=UDP_RETRY_S)
        if not done:
            rec["retried"] = True
            await loop.sock_sendall(sock, b"ping")
        data = await asyncio.wait_for(answer, UDP_TIMEOUT_S - (time.time() - t0))
        m = SITE.search(data)
        if m:
            rec.update(ok=True, site=m.group(1).decode())
        else:
            rec["err"] = "bad_answer"
    except asyncio.TimeoutError:
        rec["err"] = "timeout"
    except OSError as e:
        rec["err"] = "udp:" + (e.strerror or type(e).__name__)
    finally:
        sock.close()
        rec["t1"] = time.time()
        out.write(rec)


async def read_headers(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    return head, length


async def download(host, out, family, size, rate):
    t0 = time.time()
    rec = {"k": "req", "p": "dl" + family, "t0": t0, "ok": False, "site": None, "err": None}
    writer = None
    got = 0
    try:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, 80), 5)
            rec["port"] = writer.get_extra_info("sockname")[1]
            writer.write(b"GET / HTTP/1.1\r\nHost: chaos\r\n\r\n")
            _, length = await asyncio.wait_for(read_headers(reader), 5)
            m = SITE.search(await asyncio.wait_for(reader.readexactly(length), 5))
            rec["site"] = m.group(1).decode() if m else None
        except asyncio.TimeoutError:
            rec["err"] = "first_answer_timeout"
            return
        except (OSError, asyncio.IncompleteReadError, AttributeError) as e:
            rec["err"] = "first_answer:" + type(e).__name__
            return
        # It got its first answer: from here on it is a long-lived download.
        rec["k"] = "dl"
        started = time.time()
        try:
            writer.write(b"GET /big HTTP/1.1\r\nHost: chaos\r\nRange: bytes=0-%d\r\n\r\n" % (size - 1))
            head, length = await asyncio.wait_for(read_headers(reader), 30)
            if not head.startswith(b"HTTP/1.1 206"):
                rec["err"] = "status:" + head.split(b"\r\n", 1)[0].decode(errors="replace")
                return
            while got < length:
                chunk = await asyncio.wait_for(reader.read(min(65536, length - got)), 30)
                if not chunk:
                    rec["err"] = "closed"
                    return
                got += len(chunk)
                # Read at RATE: sleep until this many bytes are due.
                ahead = got / rate - (time.time() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            rec["ok"] = True
        except asyncio.TimeoutError:
            rec["err"] = "stalled_30s"
        except (OSError, asyncio.IncompleteReadError, AttributeError) as e:
            rec["err"] = "read:" + type(e).__name__
    finally:
        if writer is not None:
            writer.close()
        rec["t1"] = time.time()
        rec["bytes"] = got
        out.write(rec)


async def every(interval, until, make):
    """Starts MAKE(i) every INTERVAL seconds until UNTIL, each as its own task, and waits for all of them."""
    tasks = set()
    i = 0
    next_at = time.time()
    while next_at < until:
        task = asyncio.create_task(make(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        i += 1
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.time()))
    if tasks:
        await asyncio.wait(tasks)


async def downloads(args, out, slot):
    i = slot
    while time.time() < args.until:
        await download(args.vip6 if i % 2 else args.vip4, out, "6" if i % 2 else "4", args.download_bytes, args.download_rate)
        i += 1


async def main(args):
    out = Out(args.out)
    await asyncio.gather(
        every(args.tcp_interval, args.until, lambda i: tcp_request(args.vip6 if i % 2 else args.vip4, out, "6" if i % 2 else "4")),
        every(args.udp_interval, args.until, lambda i: udp_request(args.vip6 if i % 2 else args.vip4, out, "6" if i % 2 else "4")),
        *(downloads(args, out, slot) for slot in range(args.downloads)),
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vip4", required=True)
    p.add_argument("--vip6", required=True)
    p.add_argument("--until", type=float, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--tcp-interval", type=float, default=0.05)
    p.add_argument("--udp-interval", type=float, default=0.2)
    p.add_argument("--downloads", type=int, default=3)
    p.add_argument("--download-bytes", type=int, default=16 << 20)
    p.add_argument("--download-rate", type=float, default=1 << 20)
    asyncio.run(main(p.parse_args()))
