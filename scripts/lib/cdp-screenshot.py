#!/usr/bin/env python3
"""Screenshot of a live page by headless chromium, taken once the page says it is ready.

chromium's own --screenshot cannot wait for a page that draws from a server-sent event stream: with
--virtual-time-budget the open stream stops virtual time for good (it hung), and without it the picture
is taken at the load event, before the first event has arrived. So this drives chromium over the
DevTools protocol on a pipe (--remote-debugging-pipe: file descriptors 3 and 4, NUL-terminated JSON),
with nothing but the standard library: open the page, wait until a JavaScript condition holds, capture.

    cdp-screenshot.py URL OUT.png [--ready JS] [--width W] [--height H] [--timeout S] [--chromium PATH]
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import time


class Browser:
    def __init__(self, chromium, width, height):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The child finds the pipe at descriptors 3 (it reads) and 4 (it writes); copies first, so that
        # moving one end onto 3 or 4 cannot close the other.
        def wire():
            read_end, write_end = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--remote-debugging-pipe",
             f"--window-size={width},{height}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0

    def call(self, method, params=None, session=None, deadline=None):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def _read(self, deadline):
        while b"\0" not in self._buffer:
            if deadline and time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its pipe")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(line)

    def close(self):
        # Browser.close lets chromium end its own helper processes; killing it would orphan them.
        try:
            self.call("Browser.close", deadline=time.monotonic() + 10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("out")
    p.add_argument("--ready", default="document.readyState === 'complete'", help="JavaScript that is true when the page is ready")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=860)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--settle", type=float, default=0.5, help="seconds to wait after ready, for the last drawing")
    p.add_argument("--chromium", default="chromium")
    args = p.parse_args()

    deadline = time.monotonic() + args.timeout
    browser = Browser(args.chromium, args.width, args.height)
    try:
        target = browser.call("Target.createTarget", {"url": args.url}, deadline=deadline)["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True}, deadline=deadline)["sessionId"]
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False}, session, deadline)
        while True:
            result = browser.call("Runtime.evaluate", {"expression": f"Boolean({args.ready})", "returnByValue": True}, session, deadline)
            if result.get("result", {}).get("value") is True:
                break
            if time.monotonic() > deadline:
                print(f"the page was not ready ({args.ready}) within {args.timeout} s", file=sys.stderr)
                return 1
            time.sleep(0.2)
        time.sleep(args.settle)
        shot = browser.call("Page.captureScreenshot", {"format": "png"}, session, deadline)
        with open(args.out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return 0
    finally:
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
