#!/usr/bin/env bash
# make test-api: schemathesis against openapi.yaml and the live service.
#
# Builds the server (debug, in its own scratch folder so it never races `make test`), starts it
# on a free loopback port with the tiny parity model as its only style, waits for /readyz, runs
# schemathesis with a bounded number of examples, checks /metrics with `promtool check metrics`
# (Debian's prometheus package), runs the clients generated from the spec against it
# (tests-api/clients/run.sh), stops the server, and fails on any failure.
#
# Knobs (environment): SCRATCH (build folder, default .build-api), VENV (default .venv-api),
# EXAMPLES (per operation, default 100), SEED (default 1), SPEC (default openapi.yaml), CHECKS,
# REPORT_DIR (JUnit report, default $SCRATCH/schemathesis-report),
# ST_ARGS (extra `st run` arguments, e.g. --continue-on-failure).
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=${SCRATCH:-.build-api}
VENV=${VENV:-.venv-api}
EXAMPLES=${EXAMPLES:-100}
# positive_data_acceptance and negative_data_rejection are left out on purpose: a schema cannot say
# which bytes decode as a photo or which styles are loaded, and schemathesis serialises some
# schema-invalid multipart values (an empty array) as valid forms, so both report non-bugs.
CHECKS=${CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,unsupported_method,allow_header_conformance,missing_required_header,use_after_free,ensure_resource_availability}
SEED=${SEED:-1}
FIXTURES=Tests/InferenceTests/Fixtures

pinned=$(sed -n 's/^schemathesis==//p' tests-api/requirements.txt)
if ! "$VENV/bin/st" --version 2>/dev/null | grep -qF "$pinned" || ! "$VENV/bin/python" -c "import PIL, numpy" 2>/dev/null; then
    echo "test-api: installing schemathesis $pinned into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r tests-api/requirements.txt
fi

python3 tests-api/embed_openapi.py --check

swift build --scratch-path "$SCRATCH" --product semadjust
binary="$SCRATCH/debug/semadjust"

work=$(mktemp -d)
server=""
cleanup() {
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/models"
cp "$FIXTURES/tiny-model.safetensors" "$work/models/tiny.safetensors"
# Port 0: the kernel picks a free port and the log line says which, so runs never collide.
"$binary" serve --host 127.0.0.1 --port 0 --models "$work/models" --trunk "$FIXTURES/tiny-trunk.safetensors" \
    --workers 1 --queue 16 --cors-origins https://app.example --shutdown-grace 5 >"$work/server.log" 2>&1 &
server=$!

port=""
for _ in $(seq 300); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; echo "test-api: the server exited" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log"; echo "test-api: no listening line after 30 s" >&2; exit 1; }
base="http://127.0.0.1:$port"
for _ in $(seq 300); do
    curl -fsS -o /dev/null "$base/readyz" && break
    sleep 0.1
done
curl -fsS "$base/readyz"

status=0
PYTHONPATH=tests-api SCHEMATHESIS_HOOKS=hooks "$VENV/bin/st" run "${SPEC:-openapi.yaml}" --url "$base" \
    --checks "$CHECKS" \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers 2 --request-timeout 60 --no-color \
    --generation-database none --report junit --report-dir "${REPORT_DIR:-$SCRATCH/schemathesis-report}" ${ST_ARGS:-} || status=$?

# Every metric against Prometheus' own conventions (types, _total counters, base units), after the
# run above has made every series appear (histograms, per-status counters, the cache's lookups).
echo "--- promtool check metrics ---"
# Self-check first: a counter without _total must be caught, or a pass below would prove nothing.
if printf '# HELP semadjust_x_finished x\n# TYPE semadjust_x_finished counter\nsemadjust_x_finished 1\n' | promtool check metrics >/dev/null 2>&1; then
    echo "test-api: promtool let a counter without _total through" >&2
    status=1
fi
curl -fsS "$base/metrics" >"$work/metrics.txt"
if promtool check metrics <"$work/metrics.txt"; then
    echo "promtool: $(grep -c '^# TYPE' "$work/metrics.txt") metric families, no problem found"
else
    echo "test-api: promtool check metrics found problems (above)" >&2
    status=1
fi

# Every output format read back by Pillow (its own codec builds), from a HEIC posted as the body.
echo "--- output formats read by Pillow ---"
"$VENV/bin/python" tests-api/check_formats.py "$base" Tests/ImagingTests/Fixtures/formats/photo.heic || status=1

# Clients generated from the spec by openapi-generator (python, typescript-fetch under Deno) and
# openapi-python-client, each uploading, re-rendering and reading problems (tests-api/clients).
echo "--- generated clients ---"
SPEC="${SPEC:-openapi.yaml}" tests-api/clients/run.sh "$base" || status=1

# What the server answered, so a green run shows it reached the success paths (and, through the
# stateful phase's link, the image_id re-render) too.
echo "--- responses by request and status ---"
sed -n 's/.*\[HTTPCore\] //p' "$work/server.log" | grep -v '^listening' | sort | uniq -c | sort -rn | sed -n '1,15p'  # sed reads to the end: head would SIGPIPE sort under pipefail
echo "--- image_id cache lookups ---"
curl -fsS "$base/metrics" | grep '^semadjust_cache_lookups' || true

if [ "$status" != 0 ]; then
    echo "--- server log (last 40 lines) ---"
    tail -n 40 "$work/server.log"
fi
exit "$status"
