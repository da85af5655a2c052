#!/usr/bin/env bash
# make test-web: the page at GET / in headless Chromium (tests-web/test_page.py).
#
# Installs the pinned selenium into a venv of its own, checks that the page embedded in the
# binary is web/ as checked in, then runs the browser test (which builds the server in .build-web).
# Arguments pass through, e.g. --readme-screenshot to rewrite docs/web-page.png.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv-web}
pinned=$(sed -n 's/^selenium==//p' tests-web/requirements.txt)
if ! "$VENV/bin/python" -c "import sys, selenium; sys.exit(selenium.__version__ != '$pinned')" 2>/dev/null; then
    echo "test-web: installing selenium $pinned into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r tests-web/requirements.txt
fi

python3 tests-web/embed_web_assets.py --check
exec "$VENV/bin/python" tests-web/test_page.py "$@"
