#!/usr/bin/env bash
# make test-systemd: `systemd-analyze verify` on deploy/systemd/semadjust.service (syntax, known
# directives and values, dependencies, an executable ExecStart), in a scratch root that holds the
# host's systemd units and the real release binary at /opt/semadjust/bin/semadjust, so nothing
# is installed on the host; then `systemd-analyze security --offline` must rate the sandbox's
# exposure at 2.0 or lower ("OK" is below 4.0 on systemd's scale of 0 to 10).
# What this cannot show without systemd as PID 1: the sandboxed process actually running.
# Knobs: SCRATCH (build folder, default .build-deploy), BINARY (skip the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { echo "test-systemd: $*"; }
fail() { echo "test-systemd: FAIL: $*" >&2; exit 1; }
started=$SECONDS

command -v systemd-analyze >/dev/null || { log "installing systemd"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null; }
SCRATCH=${SCRATCH:-.build-deploy}
if [ -z "${BINARY:-}" ]; then
    nice -n 10 swift build -c release --static-swift-stdlib --product semadjust --scratch-path "$SCRATCH"
    BINARY="$SCRATCH/release/semadjust"
fi
[ -x "$BINARY" ] || fail "no binary at $BINARY"

root=$(mktemp -d /tmp/semadjust-systemd.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system" "$root/opt/semadjust/bin"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$BINARY" "$root/opt/semadjust/bin/semadjust"
cp deploy/systemd/semadjust.service "$root/etc/systemd/system/"

out=$(systemd-analyze verify --root="$root" /etc/systemd/system/semadjust.service 2>&1) || { echo "$out"; fail "systemd-analyze verify failed"; }
# verify exits 0 on some warnings (e.g. an unknown directive): treat any output as a failure.
[ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify warned"; }
log "ok: systemd-analyze verify $(systemd-analyze --version | head -n 1 | cut -d' ' -f1-2) passes with no warnings"
# Self-check: a misspelt directive must make verify speak, or the check above proves nothing.
sed 's/^NoNewPrivileges=yes$/NoNewPrivilege=yes/' deploy/systemd/semadjust.service >"$root/etc/systemd/system/semadjust-typo.service"
typo=$(systemd-analyze verify --root="$root" /etc/systemd/system/semadjust-typo.service 2>&1 || true)
grep -q "Unknown key 'NoNewPrivilege'" <<<"$typo" || { echo "$typo"; fail "verify did not report a misspelt directive"; }
rm "$root/etc/systemd/system/semadjust-typo.service"
log "ok: self-check: verify reports a misspelt directive"

report=$(systemd-analyze security --root="$root" --offline=yes --threshold=20 /etc/systemd/system/semadjust.service 2>&1) \
    || { echo "$report" | grep -v '✓'; fail "sandbox exposure above 2.0"; }
log "ok: $(echo "$report" | grep -o 'Overall exposure level.*')"
log "PASS in $((SECONDS - started)) s"
