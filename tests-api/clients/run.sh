#!/usr/bin/env bash
# The generated-clients test (part of make test-api): generates both Python clients and the
# TypeScript client from a spec with validation on (generate.sh), then runs each against a live
# service: list the styles, upload a photo for the JSON and the JPEG answer, re-render the
# image_id with an edited map, and read a problem answer.
#
# Usage: run.sh BASE_URL, against a server whose default style accepts the label maps it answers
# with (tests-api/run.sh starts one on the tiny parity model).
# Knobs (environment): VENV (default .venv-clients), SPEC (default openapi.yaml), OUT (where the
# clients are generated; default a temporary folder, removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/../.."
base=$1
VENV=${VENV:-.venv-clients}
SPEC=${SPEC:-openapi.yaml}
here=tests-api/clients

# The venv is made anew whenever the pins change (their hash is kept inside it).
pins=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$VENV/.requirements-sha256" 2>/dev/null)" != "$pins" ]; then
    echo "clients: installing the pinned generators into $VENV"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
    echo "$pins" >"$VENV/.requirements-sha256"
fi
command -v java >/dev/null || { echo "clients: openapi-generator needs java (make test-api installs openjdk-17-jre-headless)" >&2; exit 1; }
export PATH="$PWD/$VENV/bin:$PATH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${OUT:-$work/clients}
"$here/generate.sh" "$SPEC" "$out"

jpeg=$PWD/Tests/ImagingTests/Fixtures/baseline420.jpg
scene=$work/scene.png
python3 "$here/pictures.py" scene 200 150 "$scene"

status=0
PYTHONPATH="$out/openapi-generator-python:$here" python3 "$here/test_openapi_generator.py" "$base" "$jpeg" "$scene" || status=1
PYTHONPATH="$out/openapi-python-client:$here" python3 "$here/test_openapi_python_client.py" "$base" "$jpeg" "$scene" || status=1

# Deno: type-checked with the generated client's own compiler settings (deno.json), allowed to
# reach only the service and read only the two photos.
printf '{"imports": {"semadjust-client/": "file://%s/typescript-fetch/"}}\n' "$(cd "$out" && pwd)" >"$work/import-map.json"
host=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).netloc)' "$base")
DENO_DIR="$work/deno" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1 deno run --quiet --check --config "$here/deno.json" \
    --import-map "$work/import-map.json" --allow-net="$host" --allow-read="$jpeg,$scene" \
    "$here/typescript_fetch_test.ts" "$base" "$jpeg" "$scene" || status=1

[ "$status" = 0 ] && echo "clients: all three generated clients upload, re-render and read problems"
exit "$status"
