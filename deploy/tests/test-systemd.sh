#!/usr/bin/env bash
# make test-systemd: `systemd-analyze verify` on deploy/systemd/semadjust.service (syntax, known
# directives and values, dependencies, an executable ExecStart), in a scratch root that holds the
# host's systemd units and the real release binary at /opt/semadjust/bin/semadjust, so nothing
# is installed on the host; then `systemd-analyze security --offline` must rate the sandbox's
# exposure at 2.0 or lower ("OK" is below 4.0 on systemd's scale of 0 to 10).
# Without systemd as PID 1 the unit cannot be started, so the settings most likely to break the
# service (its SystemCallFilter= lines via libseccomp, W^X memory, no new privileges, no
# capabilities, an unprivileged uid, a read-only file system with a private /tmp) are then
# applied by hand to the real binary serving a photo (sandbox-exec.py).
# Knobs: SCRATCH (build folder, default .build-deploy), BINARY (skip the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { echo "test-systemd: $*"; }
fail() { echo "test-systemd: FAIL: $*" >&2; exit 1; }
. deploy/tests/lib.sh  # the working directory is the repository root from here on
started=$SECONDS

command -v systemd-analyze >/dev/null || { log "installing systemd"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null; }
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || { log "installing python3-seccomp"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-seccomp >/dev/null; }
release_binary

# Under /var/tmp, not /tmp: the sandbox run below mounts a private tmpfs over /tmp.
root=$(mktemp -d /var/tmp/semadjust-systemd.XXXXXX)
chmod 0755 "$root"
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server"; wait "$server" 2>/dev/null || true; fi
    rm -rf "$root"
}
trap cleanup EXIT
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system" "$root/opt/semadjust/bin"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
cp "$BINARY" "$root/opt/semadjust/bin/semadjust"
# ExecReload's kill (procps, on every Debian host the unit is for): verify checks it is executable.
mkdir -p "$root/bin" && cp "$(command -v kill | grep / || echo /bin/kill)" "$root/bin/kill"
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
# --- the riskiest sandbox settings at run time ------------------------------------------------
# The unit itself needs systemd as PID 1, but what could break the service can be applied by
# hand to the real binary: MemoryDenyWriteExecute (the kernel's PR_SET_MDWE, the same rule:
# no memory both writable and executable; kernel 6.3 or later), NoNewPrivileges, an
# unprivileged uid with no capabilities (DynamicUser, CapabilityBoundingSet=), a read-only file
# system (ProtectSystem=strict) with a private /tmp (PrivateTmp), in a private mount namespace.
# Self-check: a call @privileged holds (setresuid, harmless unprivileged) must fail under the
# filter though it succeeds without it, or the run below would prove nothing.
probe='import os; os.setresuid(-1, -1, -1)'
setpriv --reuid=61234 --regid=61234 --clear-groups --no-new-privs /usr/bin/python3 -c "$probe" \
    || fail "self-check: setresuid fails even without the filter"
if setpriv --reuid=61234 --regid=61234 --clear-groups --no-new-privs \
    /usr/bin/python3 deploy/tests/sandbox-exec.py deploy/systemd/semadjust.service /usr/bin/python3 -c "$probe" 2>/dev/null; then
    fail "self-check: the unit's SystemCallFilter let setresuid through"
fi
netlink='import socket; socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)'
if setpriv --reuid=61234 --regid=61234 --clear-groups --no-new-privs \
    /usr/bin/python3 deploy/tests/sandbox-exec.py deploy/systemd/semadjust.service /usr/bin/python3 -c "$netlink" 2>/dev/null; then
    fail "self-check: RestrictAddressFamilies let an AF_NETLINK socket through"
fi
log "ok: self-check: the unit's SystemCallFilter refuses setresuid (in ~@privileged), RestrictAddressFamilies an AF_NETLINK socket"
install -d -m 0755 "$root/opt/semadjust/models"
# As deploy/README.md installs them: the shipped styles and the trunk beside them.
install -m 0644 models/*.safetensors "$root/opt/semadjust/models/"
chmod 0755 "$root/opt" "$root/opt/semadjust" "$root/opt/semadjust/bin"
serverlog="$root/service.log"
# setpriv drops to the uid first; sandbox-exec.py then loads MDWE and the unit's own
# SystemCallFilter= lines (libseccomp), right before execve, which is the order systemd uses.
unshare --mount --propagation private bash -c '
    set -e
    mount -o remount,bind,ro /
    mount -t tmpfs -o mode=1777,size=64m tmpfs /tmp
    exec setpriv --reuid=61234 --regid=61234 --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all \
        /usr/bin/python3 deploy/tests/sandbox-exec.py deploy/systemd/semadjust.service "$@"' \
    bash "$root/opt/semadjust/bin/semadjust" serve --host 127.0.0.1 --port 0 --models "$root/opt/semadjust/models" \
    --workers 1 --shutdown-grace 5 >"$serverlog" 2>&1 &
server=$!
wait_for_listening "$serverlog" "$server" 300 "the sandboxed service"
grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$server/status" || fail "NoNewPrivs is not set"
[ "$(awk '/^Uid:/ {print $2}' "/proc/$server/status")" = 61234 ] || fail "not running as uid 61234"
grep -q '^CapBnd:[[:space:]]*0000000000000000' "/proc/$server/status" || fail "capabilities left in the bounding set"
grep -q '^Seccomp:[[:space:]]*2' "/proc/$server/status" || fail "no seccomp filter on the service"
for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
    sleep 0.1
done
code=$(curl -s -o "$root/out.jpg" -w '%{http_code} %{content_type}' -F "image=@../shared/data/ecssd/images/0004.jpg" "http://127.0.0.1:$port/v1/adjust")
[ "$code" = "200 image/jpeg" ] || { tail -n 5 "$serverlog"; fail "POST /v1/adjust in the sandbox answered $code"; }
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=""
[ "$status" = 0 ] || { tail -n 5 "$serverlog"; fail "exit status $status after SIGTERM in the sandbox"; }
log "ok: $(grep -o 'sandbox-exec: .*' "$serverlog" | head -n 1 | sed 's/sandbox-exec: //')"
log "ok: under that filter, MDWE, no-new-privs, uid 61234 without capabilities, read-only / and a private /tmp: /readyz 200, POST /v1/adjust 200 image/jpeg, SIGTERM -> exit 0"
log "PASS in $((SECONDS - started)) s"
