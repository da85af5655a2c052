#!/usr/bin/env bash
# Generates the three clients the client test uses from a spec, with each generator's validation
# on (the README's "Clients" section shows the same commands):
#   OUT/openapi-generator-python/semadjust_client   openapi-generator -g python
#   OUT/openapi-python-client/semadjust_client      openapi-python-client
#   OUT/typescript-fetch/                           openapi-generator -g typescript-fetch (for Deno)
# Usage: generate.sh SPEC OUT, with the generators (tests-api/clients/requirements.txt) on PATH.
set -euo pipefail
spec=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"

openapi-generator-cli generate -i "$spec" -g python -o "$out/openapi-generator-python" \
    --package-name semadjust_client >"$out/openapi-generator-python.log" 2>&1 ||
    { cat "$out/openapi-generator-python.log"; exit 1; }

# --fail-on-warning: a part of the spec this generator cannot express fails the test instead of
# silently leaving an operation out of the client.
openapi-python-client generate --path "$spec" --output-path "$out/openapi-python-client/semadjust_client" \
    --meta none --config "$here/openapi-python-client.yaml" --fail-on-warning >"$out/openapi-python-client.log" 2>&1 ||
    { cat "$out/openapi-python-client.log"; exit 1; }

# importFileExtension=.ts: Deno resolves relative imports only with their extension.
openapi-generator-cli generate -i "$spec" -g typescript-fetch -o "$out/typescript-fetch" \
    --additional-properties=importFileExtension=.ts >"$out/typescript-fetch.log" 2>&1 ||
    { cat "$out/typescript-fetch.log"; exit 1; }

echo "generated: openapi-generator $(openapi-generator-cli version), openapi-python-client $(openapi-python-client --version | awk '{print $NF}'), into $out"
