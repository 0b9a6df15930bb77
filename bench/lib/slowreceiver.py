#!/usr/bin/env python3
"""A webhook receiver that holds every request for --delay seconds before answering 204.

bench/failover --slow-receiver runs it on the loopback of the hub's namespace and points the hub's
notify: at it, to show that a slow receiver does not slow a failover. Each request is logged as one
JSON line (arrival time, path, body length) on stdout.
"""
import argparse
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--delay", type=float, default=30.0)
    args = p.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(min(length, 1 << 20))
            print(json.dumps({"t": time.time(), "path": self.path, "bytes": len(body)}), flush=True)
            time.sleep(args.delay)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_):
            pass

    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
