#!/usr/bin/env bash
# make test-rootfs (part of make test-deploy): proves the Dockerfile's runtime stage without a Docker engine.
#
# Builds the release binary the way the Dockerfile's builder stage does (--static-swift-stdlib),
# makes a minimal Debian bookworm root with `debootstrap --variant=minbase` and runs
# deploy/runtime-setup.sh inside it (the very script the Dockerfile runs, with the same package
# list), lays out /opt/semadjust as the image does, then starts the service inside with chroot as
# the unprivileged user, on a read-only root with a tmpfs /tmp (as the Kubernetes Deployment
# runs it), under the ENV lines of the Dockerfile. It checks:
#   - the Dockerfile's COPY sources exist and survive .dockerignore (check-dockerfile.py);
#   - every shared library the binary needs resolves inside the root (ldd, no "not found");
#   - the process runs as uid 10001, /healthz answers 200 and the image's HEALTHCHECK script passes;
#   - /readyz turns 200 and every model in models/ loads with the trunk beside it, and a real POST /v1/adjust with an ECSSD photo
#     answers 200 image/jpeg with a decodable JPEG; the log lines are JSON;
#   - SIGTERM (the image's STOPSIGNAL) shuts it down gracefully with exit status 0.
# The pristine root is cached under CACHE_DIR (default deploy/.cache/, git-ignored), keyed by the
# package list and setup script, so reruns skip debootstrap. Needs root (chroot, mounts in a private mount namespace).
#
# Knobs: SCRATCH (build folder, default .build-deploy), BINARY (skip the build and use this
# binary), MODELS (folder of style models, default models/), CACHE_DIR, MIRROR (default: the first Debian URI in /etc/apt/sources.list*), KEEP_WORK=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { echo "test-rootfs: $*"; }
fail() { echo "test-rootfs: FAIL: $*" >&2; exit 1; }
. deploy/tests/lib.sh  # the working directory is the repository root from here on
started=$SECONDS

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot and mounts)"
for tool in debootstrap curl; do
    command -v "$tool" >/dev/null || { log "installing $tool"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tool" >/dev/null; }
done

# What the COPY lines need from the build context, which no engine runs here (check-dockerfile.py).
python3 deploy/tests/check-dockerfile.py || fail "deploy/Dockerfile does not fit its build context"

# --- the binary, as the builder stage makes it ---------------------------------------------
release_binary

# --- the cached pristine root ----------------------------------------------------------------
CACHE_DIR=${CACHE_DIR:-deploy/.cache}
key=$(cat deploy/runtime-packages.txt deploy/runtime-setup.sh | sha256sum | cut -c1-16)
cache=$CACHE_DIR/rootfs-bookworm-$key
if [ ! -d "$cache" ]; then
    MIRROR=${MIRROR:-$(grep -hoE '^(URIs:|deb) *(\[[^]]*\] *)?https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
        | grep -oE 'https?://[^ ]+' | head -n 1 || true)}
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
    log "no cached root for key $key: debootstrap --variant=minbase bookworm from $MIRROR"
    mkdir -p "$CACHE_DIR"
    rm -rf "$cache.tmp"
    debootstrap --variant=minbase bookworm "$cache.tmp" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
        || { tail -n 30 "$CACHE_DIR/debootstrap.log"; fail "debootstrap failed"; }
    cp deploy/runtime-packages.txt deploy/runtime-setup.sh "$cache.tmp/tmp/"
    cp /etc/resolv.conf "$cache.tmp/etc/resolv.conf"
    # The Dockerfile's RUN, inside the new root (mounts private to this one command).
    unshare --mount --propagation private sh -c '
        mount -t proc proc "$1/proc" && chroot "$1" /bin/sh /tmp/runtime-setup.sh /tmp/runtime-packages.txt' \
        sh "$cache.tmp" >"$CACHE_DIR/runtime-setup.log" 2>&1 \
        || { tail -n 30 "$CACHE_DIR/runtime-setup.log"; fail "runtime-setup.sh failed in the root"; }
    rm -f "$cache.tmp/tmp/runtime-packages.txt" "$cache.tmp/tmp/runtime-setup.sh"
    mv "$cache.tmp" "$cache"
    log "cached the root at $cache ($(du -sh "$cache" | cut -f1))"
else
    log "using the cached root $cache"
fi

# --- the image's /opt/semadjust ------------------------------------------------------------
work=$(mktemp -d /tmp/semadjust-deploy.XXXXXX)
root="$work/root"
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server"; wait "$server" 2>/dev/null || true; fi
    if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cp -a "$cache" "$root"
# Stripped, as the builder stage installs it.
install -D -s -m 0755 "$BINARY" "$root/opt/semadjust/bin/semadjust"
install -D -m 0755 deploy/healthcheck.sh "$root/opt/semadjust/bin/healthcheck"
mkdir -p "$root/opt/semadjust/models"

# The ENV lines of the Dockerfile's runtime stage, one `ENV NAME=value` per line.
mapfile -t image_env < <(sed -n 's/^ENV \([A-Z_][A-Z0-9_]*=[^ ]*\)$/\1/p' deploy/Dockerfile)
[ "${#image_env[@]}" -ge 3 ] || fail "could not read the ENV lines of deploy/Dockerfile"

# What the Dockerfile's `COPY --chmod=0644 models/*.safetensors` bakes in: the heads and their trunk.
models=("${MODELS:-models}"/*.safetensors)
[ -e "${models[0]}" ] || fail "no models/*.safetensors to bake in"
install -m 0644 "${models[@]}" "$root/opt/semadjust/models/"
log "models baked in: ${models[*]}"

# ldd inside the root: a library the image lacks shows up as "not found" here.
libs=$(chroot "$root" /usr/bin/ldd /opt/semadjust/bin/semadjust)
echo "$libs" | sed 's/^/    /'
if grep -q "not found" <<<"$libs"; then fail "shared libraries missing in the runtime root"; fi

# --- run it as the image would ---------------------------------------------------------------
# Loopback only in the test (the image listens on ::); port 0 and the log says which port.
serverlog="$work/server.log"
unshare --mount --propagation private bash -c '
    set -e
    root=$1; shift
    mount --bind "$root" "$root"
    mount -o remount,bind,ro "$root"          # readOnlyRootFilesystem
    mount -t proc proc "$root/proc"
    mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"   # the emptyDir on /tmp
    exec chroot --userspec=10001:10001 "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin "$@"' \
    bash "$root" "${image_env[@]}" SEMADJUST_HOST=127.0.0.1 SEMADJUST_PORT=0 SEMADJUST_WORKERS=1 \
    /opt/semadjust/bin/semadjust serve >"$serverlog" 2>&1 &
server=$!

wait_for_listening "$serverlog" "$server" 600 "the server in the root"
base="http://127.0.0.1:$port"
log "serving on $base (pid $server)"

uid=$(awk '/^Uid:/ {print $2}' "/proc/$server/status")
[ "$uid" = 10001 ] || fail "the server runs as uid $uid, not 10001"
# Field 5 of mountinfo is the mount point as the process sees it, field 6 its options.
root_options=$(awk '$5 == "/" {print $6}' "/proc/$server/mountinfo" | tail -n 1)
[[ "$root_options" == ro,* || "$root_options" == ro ]] || fail "the root is mounted '$root_options', not read-only"
log "ok: runs as uid 10001 (semadjust) on a read-only root ($root_options)"

code=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")
[ "$code" = 200 ] || fail "/healthz answered $code"
SEMADJUST_PORT=$port chroot --userspec=10001:10001 "$root" /opt/semadjust/bin/healthcheck \
    || fail "the image's HEALTHCHECK script failed"
log "ok: /healthz 200 and the HEALTHCHECK script passes"

code=""
for _ in $(seq 1200); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")
    [ "$code" = 200 ] && break
    sleep 0.1
done
[ "$code" = 200 ] || { tail -n 20 "$serverlog"; fail "/readyz answered $code after 120 s"; }
log "ok: /readyz 200 after $((SECONDS - started)) s into the test"
! grep -q "not loaded" "$serverlog" || { grep "not loaded" "$serverlog"; fail "a baked-in model did not load"; }
log "ok: every baked-in style loaded with the trunk beside it (no SEMADJUST_TRUNK)"

photo=../shared/data/ecssd/images/0001.jpg
[ -f "$photo" ] || fail "no test photo at $photo"
headers="$work/adjust.headers"
code=$(curl -s -D "$headers" -o "$work/out.jpg" -w '%{http_code}' -H 'X-Request-Id: test-deploy-1' \
    -F "image=@$photo;type=image/jpeg" "$base/v1/adjust")
[ "$code" = 200 ] || { cat "$work/out.jpg"; fail "POST /v1/adjust answered $code"; }
grep -qi '^content-type: image/jpeg' "$headers" || { cat "$headers"; fail "the answer is not image/jpeg"; }
python3 - "$work/out.jpg" <<'PY' || fail "the answer is not a whole JPEG"
import sys
data = open(sys.argv[1], "rb").read()
assert data[:2] == b"\xff\xd8" and data.rstrip(b"\0")[-2:] == b"\xff\xd9", "no JPEG markers"
print(f"    out.jpg: {len(data)} bytes")
PY
log "ok: POST /v1/adjust 200 image/jpeg ($(tr -d '\r' <"$headers" | grep -i '^x-style:' || true))"
# The other codecs' runtime libraries: a HEIC (libheif + libde265) posted as the body, answered as
# AVIF (libavif + aom) and as WebP (libwebp).
heic=Tests/ImagingTests/Fixtures/formats/display-p3.heic
for want in image/avif image/webp; do
    code=$(curl -s -D "$headers" -o "$work/out.bin" -w '%{http_code}' -H "Accept: $want" -H 'Content-Type: image/heic' \
        --data-binary "@$heic" "$base/v1/adjust?strength=0.8")
    [ "$code" = 200 ] || { cat "$work/out.bin"; fail "POST /v1/adjust (HEIC body, Accept $want) answered $code"; }
    grep -qi "^content-type: $want" "$headers" || { cat "$headers"; fail "the answer is not $want"; }
done
log "ok: a Display P3 HEIC posted as the body answers image/avif and image/webp (libheif, libavif, libwebp, lcms2 in the root)"
log "    peak resident memory so far: $(awk '/^VmHWM:/ {print $2, $3}' "/proc/$server/status")"

python3 - "$serverlog" <<'PY' || fail "the log is not JSON lines"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
records = [json.loads(l) for l in lines]
assert any("test-deploy-1" in json.dumps(r) for r in records), "the request id is not in the access log"
print(f"    {len(records)} JSON log lines, the request id is in the access log")
PY
log "ok: logs are JSON lines (SEMADJUST_LOG_FORMAT=json from the Dockerfile)"

kill -TERM "$server"
status=0
wait "$server" || status=$?
server=""
[ "$status" = 0 ] || { tail -n 10 "$serverlog"; fail "exit status $status after SIGTERM"; }
log "ok: SIGTERM -> graceful exit 0"

# Self-check: with a runtime library taken out of the (throwaway) root, the ldd check above
# must notice, or its pass would prove nothing.
blas=$(chroot "$root" /usr/bin/ldd /opt/semadjust/bin/semadjust | sed -n 's/.*libopenblas.so.0 => \([^ ]*\).*/\1/p')
[ -n "$blas" ] || fail "self-check: no libopenblas in the ldd output"
rm -f "$root$(chroot "$root" readlink -f "$blas")" "$root$blas"
without=$(chroot "$root" /usr/bin/ldd /opt/semadjust/bin/semadjust || true)
grep -q "libopenblas.so.0 => not found" <<<"$without" || fail "self-check: ldd did not report the removed libopenblas"
log "ok: self-check: a root without libopenblas is caught by the ldd check"
log "PASS in $((SECONDS - started)) s"
