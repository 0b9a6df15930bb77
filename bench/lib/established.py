#!/usr/bin/env python3
"""Long-lived connections for the hub failover benchmark: do established connections survive?

Opens COUNT keep-alive HTTP/1.1 connections to HOST:PORT and, on each, sends `GET /` every
INTERVAL seconds and reads the whole answer (`site=NAME client=...`) before sending the next, so
a stall shows as one long request. Once every connection has been answered, writes READY_FILE
(the caller then causes the fault). When STOP_FILE appears, every connection finishes the request
it is waiting for, sends one last request and must have its answer within FINAL_TIMEOUT seconds
of the stop: a connection SURVIVED when none of its requests failed (reset, closed, timed out,
no full answer) and that last one was answered. A request waits up to READ_TIMEOUT seconds, long
enough for TCP's retransmission backoff to cross an outage of a few seconds.

Output (JSON lines, CLOCK_MONOTONIC seconds, the same clock as loadclient.py): one
{"type": "request", ...} per request, one {"type": "connection", ...} per connection, one
{"type": "end", ...}.
"""

import argparse
import asyncio
import collections
import json
import os
import sys
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--count", type=int, default=8)
    p.add_argument("--interval", type=float, default=0.1, help="seconds between request starts on one connection")
    p.add_argument("--connect-timeout", type=float, default=5.0)
    p.add_argument("--read-timeout", type=float, default=30.0)
    p.add_argument("--final-timeout", type=float, default=10.0, help="after the stop, how long the last answer may take")
    p.add_argument("--ready-file", required=True)
    p.add_argument("--stop-file", required=True)
    p.add_argument("--out", required=True)
    return p.parse_args()


async def read_answer(reader):
    """One HTTP/1.1 answer with Content-Length (what the lab's nginx sends): the body's text."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = None
    for line in head.decode("ascii", "replace").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("no Content-Length")
    return (await reader.readexactly(length)).decode("ascii", "replace")


def site_of(body):
    for token in body.split():
        if token.startswith("site="):
            return token[5:]
    return None


async def connection(args, number, records, ready, stopping):
    conn = {"type": "connection", "id": number, "port": None, "opened": None, "requests": 0, "answered": 0,
            "error": None, "error_at": None, "sites": collections.Counter(), "max_request_s": 0.0,
            "final_answered": False, "survived": False}
    writer = None
    try:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(args.host, args.port), args.connect_timeout)
        except (OSError, asyncio.TimeoutError) as e:
            conn["error"] = "connect:" + type(e).__name__
            return conn
        conn["opened"] = time.monotonic()
        conn["port"] = writer.get_extra_info("sockname")[1]
        next_at = time.monotonic()
        final = False
        while True:
            if stopping.is_set():
                final = True
            start = time.monotonic()
            rec = {"type": "request", "conn": number, "start": start, "total_s": None, "site": None, "error": None, "final": final}
            conn["requests"] += 1
            try:
                writer.write(REQUEST)
                body = await answer_within(asyncio.ensure_future(read_answer(reader)), start, args, stopping)
                rec["site"] = site_of(body)
                if rec["site"] is None:
                    rec["error"] = "bad_answer"
            except asyncio.TimeoutError:
                rec["error"] = "read_timeout"
            except asyncio.IncompleteReadError:
                rec["error"] = "closed"
            except OSError as e:
                rec["error"] = "read:" + type(e).__name__
            except ValueError:
                rec["error"] = "bad_answer"
            rec["total_s"] = time.monotonic() - start
            records.append(rec)
            conn["max_request_s"] = max(conn["max_request_s"], rec["total_s"])
            if rec["error"] is not None:
                conn["error"], conn["error_at"] = rec["error"], start
                return conn
            conn["answered"] += 1
            conn["sites"][rec["site"]] += 1
            if conn["answered"] == 1:
                ready.release()
            if final:
                conn["final_answered"] = True
                conn["survived"] = True
                return conn
            next_at += args.interval
            delay = next_at - time.monotonic()
            if delay > 0:
                # Wake early when the stop comes: the last request goes out at once.
                try:
                    await asyncio.wait_for(stopping.wait(), delay)
                except asyncio.TimeoutError:
                    pass
            else:
                next_at = time.monotonic()
    finally:
        if writer is not None:
            writer.close()


async def answer_within(task, start, args, stopping):
    """The answer, if it comes within READ_TIMEOUT of START and, once the stop has come, by its deadline."""
    while True:
        limit = start + args.read_timeout
        if stopping.is_set():
            limit = min(limit, stopping.deadline)
        remaining = limit - time.monotonic()
        if remaining <= 0:
            task.cancel()
            raise asyncio.TimeoutError
        # Returns as soon as the answer is there; the slice only bounds how late the stop is noticed.
        done, _ = await asyncio.wait({task}, timeout=min(remaining, 0.1))
        if done:
            return task.result()


class Stop(asyncio.Event):
    deadline = None


async def watch_stop(args, stopping):
    while not os.path.exists(args.stop_file):
        await asyncio.sleep(0.05)
    stopping.deadline = time.monotonic() + args.final_timeout
    stopping.set()


async def main():
    args = parse_args()
    records = []
    ready = asyncio.Semaphore(0)
    stopping = Stop()
    tasks = [asyncio.create_task(connection(args, n, records, ready, stopping)) for n in range(args.count)]
    watcher = asyncio.create_task(watch_stop(args, stopping))

    async def all_answered():
        for _ in range(args.count):
            await ready.acquire()

    waiting = asyncio.create_task(all_answered())
    done, _ = await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
    if waiting in done:
        with open(args.ready_file, "w") as f:
            f.write(f"{time.monotonic()}\n")
    else:
        # A connection ended before every one was answered: nothing to measure; stop the rest.
        waiting.cancel()
        if stopping.deadline is None:
            stopping.deadline = time.monotonic()
        stopping.set()
    conns = await asyncio.gather(*tasks)
    watcher.cancel()
    with open(args.out, "w") as f:
        for r in sorted(records, key=lambda r: r["start"]):
            f.write(json.dumps(r) + "\n")
        for c in conns:
            c["sites"] = dict(c["sites"])
            f.write(json.dumps(c) + "\n")
        stop = stopping.deadline - args.final_timeout if waiting in done and stopping.deadline is not None else None
        f.write(json.dumps({"type": "end", "ready": waiting in done, "stop": stop, "end": time.monotonic()}) + "\n")
    return 0 if waiting in done else 2


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
