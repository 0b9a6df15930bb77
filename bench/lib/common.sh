# Shared helpers for the bench scripts (sourced, not run).

# Progress and diagnostics go to stderr: stdout carries only the JSON results.
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_root() { [[ $(id -u) -eq 0 ]] || die "run as root (network namespaces)"; }

# ensure_deps: every program the benches run (python3, tcpdump, wrk, keepalived, nginx, …) is
# installed by scripts/install-deps, the one list of them; it installs what is missing.
ensure_deps() {
    "$(dirname "${BASH_SOURCE[0]}")/../../scripts/install-deps" || die "scripts/install-deps failed: a program the bench needs is missing"
}

# wait_for_site NS URL SITE TIMEOUT_S: polls URL from namespace NS until the answer is site=SITE.
wait_for_site() {
    local ns=$1 url=$2 site=$3 timeout=$4 answer deadline
    deadline=$(( $(date +%s) + timeout ))
    while true; do
        answer=$(ip netns exec "$ns" curl -s -m 1 "$url" 2>/dev/null || true)
        [[ $answer == "site=$site "* ]] && return 0
        (( $(date +%s) >= deadline )) && { log "no answer from $site at $url within ${timeout}s (last: '${answer}')"; return 1; }
        sleep 0.1
    done
}

# wait_gone PID...: waits (up to 10 s) until none of the processes exists any more (zombies count as gone).
wait_gone() {
    local pid i state
    for pid in "$@"; do
        for (( i = 0; i < 200; i++ )); do
            state=$(awk '{ sub(/.*\) /, ""); print substr($0, 1, 1) }' "/proc/$pid/stat" 2>/dev/null || true)
            [[ -z $state || $state == Z || $state == X ]] && break
            sleep 0.05
        done
    done
}
