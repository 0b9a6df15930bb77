#!/usr/bin/env python3
"""Connect + request + close latency: one new TCP connection per HTTP request, sequentially.

Run inside the client namespace by bench/datapath. Each sample times connect(), sending
`GET / HTTP/1.1` with `Connection: close`, and reading until the server closes, so it includes the
TCP handshake (the first packet of every connection is the one DNAT has to look up). Prints one
JSON object: {"requests", "duration_s", "p50_us", "p99_us", "failures"}.
"""
import json
import socket
import sys
import time

host, seconds = sys.argv[1], float(sys.argv[2])
port = int(sys.argv[3]) if len(sys.argv) > 3 else 80
request = f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()

samples = []
failures = 0
start = time.monotonic()
deadline = start + seconds
while time.monotonic() < deadline:
    began = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=2) as connection:
            connection.sendall(request)
            response = b""
            while chunk := connection.recv(4096):
                response += chunk
    except OSError:
        failures += 1
        continue
    elapsed = time.perf_counter() - began
    if response.startswith(b"HTTP/1.1 200"):
        samples.append(elapsed)
    else:
        failures += 1
duration = time.monotonic() - start

samples.sort()


def percentile(p):
    if not samples:
        return None
    # Nearest rank: the smallest sample with at least p% of the samples at or below it.
    rank = max(1, -(-len(samples) * p // 100))
    return round(samples[int(rank) - 1] * 1e6)


print(json.dumps({
    "requests": len(samples),
    "duration_s": round(duration, 3),
    "p50_us": percentile(50),
    "p99_us": percentile(99),
    "failures": failures,
}))
