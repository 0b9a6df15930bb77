"""The hub as scripts/package ships it: keepwire compiled ahead of time, for `--native-hub` in bench/chaos and
bench/scale. One place, so the benches build it the way the package does and find it where the other put it."""

import os
import subprocess


def path(repo):
    """Where the native keepwire is (also for --no-build runs that reuse an earlier one)."""
    return os.path.join(repo, "artifacts", "keepwire-native", "keepwire")


def publish(repo):
    """Compiles keepwire for this machine ahead of time (PublishAot, as scripts/package does for its own architecture).
    Returns the executable's path; raises SystemExit with the build's last output when it fails."""
    rid = {"x86_64": "linux-x64", "aarch64": "linux-arm64"}[os.uname().machine]
    result = subprocess.run(["dotnet", "publish", os.path.join(repo, "src", "Keepwire.Cli"), "-c", "Release", "-r", rid, "--self-contained",
                             "-p:PublishAot=true", "-p:DebugType=none", "-o", os.path.dirname(path(repo)), "--nologo", "-v", "quiet"],
                            capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise SystemExit(f"native build of keepwire failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return path(repo)
