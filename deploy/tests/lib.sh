# Shared by the deploy tests. Each script defines log() and fail() before sourcing this file.

# Sets BINARY to the release binary, built as the Dockerfile's builder stage builds it
# (static Swift stdlib) in SCRATCH (default .build-deploy), unless BINARY was given.
release_binary() {
    SCRATCH=${SCRATCH:-.build-deploy}
    if [ -z "${BINARY:-}" ]; then
        log "building the release binary in $SCRATCH"
        nice -n 10 swift build -c release --static-swift-stdlib --product semadjust --scratch-path "$SCRATCH"
        BINARY="$SCRATCH/release/semadjust"
    fi
    [ -x "$BINARY" ] || fail "no binary at $BINARY"
}

# wait_for_listening LOG PID TRIES WHAT: sets `port` to the port the service logged in LOG
# (polled every 0.1 s, TRIES times); fails with WHAT, showing LOG, if PID exits or never logs one.
wait_for_listening() {
    local serverlog=$1 pid=$2 tries=$3 what=$4
    port=""
    for _ in $(seq "$tries"); do
        port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$serverlog" | head -n 1 | sed 's/.*://' || true)
        [ -n "$port" ] && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$serverlog"; fail "$what: the process exited"; }
        sleep 0.1
    done
    cat "$serverlog"
    fail "$what: no listening line after $((tries / 10)) s"
}
