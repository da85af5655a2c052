#!/usr/bin/env bash
# make test-fresh-clone: what a new user meets after `git clone` and `make run`, with no ../shared.
#
# Clones the committed repository into a new scratch folder (nothing beside it), puts the release
# binary where `make run` builds it (.build/release/semadjust), and starts the server in a private
# mount namespace in which the real ../shared of this checkout is hidden under an empty tmpfs, so
# neither the clone's ../shared nor an absolute path to the real one can be read. It serves:
#   1. from the clone's root with no model options, as `make run` starts it;
#   2. from / with no model options (the models folder of the tree the binary lives in);
# each with no SEMADJUST_* variable set. Each time: no model fails to load, /readyz answers 200,
# GET /v1/styles lists every style head in the clone's models/, and each listed style answers
# POST /v1/adjust (a generated PNG scene and a committed JPEG) with 200 image/jpeg and a whole JPEG.
# `semadjust styles` from / lists them too. Needs root (mount namespace).
# Knobs: SCRATCH (build folder, default .build-deploy), BINARY (skip the build), KEEP_WORK=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { echo "test-fresh-clone: $*"; }
fail() { echo "test-fresh-clone: FAIL: $*" >&2; exit 1; }
. deploy/tests/lib.sh  # the working directory is the repository root from here on
started=$SECONDS

[ "$(id -u)" = 0 ] || fail "needs root (a private mount namespace hides ../shared)"
command -v curl >/dev/null || fail "needs curl"
release_binary

work=$(mktemp -d /tmp/semadjust-fresh.XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server"; wait "$server" 2>/dev/null || true; fi
    if [ "${KEEP_WORK:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

clone=$work/semadjust
git clone -q --no-local . "$clone"
[ ! -e "$clone/../shared" ] || fail "$clone/../shared exists"
log "cloned $(git -C "$clone" rev-parse --short HEAD): $(du -sh --exclude=.git "$clone" | cut -f1) checked out, $(du -sh "$clone/.git" | cut -f1) of history"
install -D -m 0755 "$BINARY" "$clone/.build/release/semadjust"
real_shared=$(cd .. && pwd)/shared

# Every head in the clone's models/ (trunk files carry format resnet50-trunk/1 and are no style).
mapfile -t expected < <(python3 - "$clone/models" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.safetensors")):
    with open(path, "rb") as f:
        md = json.loads(f.read(int.from_bytes(f.read(8), "little"))).get("__metadata__", {})
    if md.get("format") == "sa-adjustnet/1":
        print(md["style"])
PY
)
[ "${#expected[@]}" -ge 1 ] || fail "no style heads in the clone's models/"
log "styles in the clone's models/: ${expected[*]}"

# A 320x240 PNG scene (sky, lawn, a red object) written with the standard library alone.
python3 - "$work/scene.png" <<'PY'
import struct, sys, zlib
w, h = 320, 240
rows = bytearray()
for y in range(h):
    rows.append(0)
    for x in range(w):
        if ((x - 200) / 60) ** 2 + ((y - 150) / 40) ** 2 < 1: rgb = (200, 40 + y // 8, 30)
        elif y < 100: rgb = (90 + y // 2, 150 + y // 2, 235)
        else: rgb = (60 + x // 16, 140 - (y - 100) // 4, 50)
        rows += bytes(rgb)
chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(bytes(rows))) + chunk(b"IEND", b""))
PY
photos=("$work/scene.png" "$clone/Tests/ImagingTests/Fixtures/baseline444.jpg")

# run_hidden DIR ARGS...: ARGS in DIR, in a mount namespace where the real ../shared is an empty
# tmpfs, with no SEMADJUST_* variable in the environment. Run in the background, the subshell
# becomes the program itself (exec all the way down), so that $! is the server's pid.
run_hidden() {
    local dir=$1; shift
    exec unshare --mount --propagation private bash -c '
        set -e
        shared=$1; dir=$2; shift 2
        if [ -d "$shared" ]; then mount -t tmpfs -o ro,size=1m tmpfs "$shared"; fi
        cd "$dir"
        exec env $(env | sed -n "s/^\(SEMADJUST_[A-Z_]*\)=.*/-u \1/p") "$@"' bash "$real_shared" "$dir" "$@"
}

check_server() {
    local where=$1 dir=$2; shift 2
    local serverlog="$work/server-$where.log"
    run_hidden "$dir" "$@" >"$serverlog" 2>&1 &
    server=$!
    wait_for_listening "$serverlog" "$server" 1200 "the server started from $where"
    local base="http://127.0.0.1:$port" code=""
    for _ in $(seq 600); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || { cat "$serverlog"; fail "from $where: /readyz answered $code"; }
    ! grep -q "not loaded" "$serverlog" || { cat "$serverlog"; fail "from $where: a model did not load"; }
    # The hidden ../shared really is empty for the server.
    [ -z "$(ls -A "/proc/$server/root$real_shared" 2>/dev/null)" ] || fail "from $where: the server could see $real_shared"
    mapfile -t listed < <(curl -sf "$base/v1/styles" | python3 -c 'import json, sys; [print(s["id"]) for s in json.load(sys.stdin)["styles"]]')
    [ "${listed[*]}" = "${expected[*]}" ] || fail "from $where: GET /v1/styles lists '${listed[*]}', models/ holds '${expected[*]}'"
    local style photo out
    for style in "${listed[@]}"; do
        for photo in "${photos[@]}"; do
            out="$work/out-$where-$style.jpg"
            code=$(curl -s -o "$out" -w '%{http_code} %{content_type}' -F "image=@$photo" -F "style=$style" "$base/v1/adjust")
            [ "$code" = "200 image/jpeg" ] || { cat "$out"; fail "from $where: $style on $(basename "$photo") answered $code"; }
            python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(not (d[:2] == b"\xff\xd8" and d.rstrip(b"\0")[-2:] == b"\xff\xd9"))' "$out" \
                || fail "from $where: $style answered no whole JPEG"
        done
    done
    log "ok: started from $where: $(grep -o 'styles: [^(]*(from [^)]*)' "$serverlog" | head -n 1); ${#listed[@]} styles x ${#photos[@]} photos answered 200 image/jpeg"
    kill -TERM "$server"
    wait "$server" || fail "from $where: exit status $? after SIGTERM"
    server=""
}

check_server clone-root "$clone" ./.build/release/semadjust serve --host 127.0.0.1 --port 0 --workers 1
check_server root / "$clone/.build/release/semadjust" serve --host 127.0.0.1 --port 0 --workers 1

listed=$(run_hidden / "$clone/.build/release/semadjust" styles 2>&1) || fail "semadjust styles from / failed: $listed"
for style in "${expected[@]}"; do grep -q "$style" <<<"$listed" || fail "semadjust styles from / does not list $style: $listed"; done
log "ok: semadjust styles from / lists ${expected[*]}"
log "PASS in $((SECONDS - started)) s"
