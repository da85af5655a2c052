#!/usr/bin/env bash
# make test-k8s: deploy/k8s/*.yaml against the Kubernetes schemas (kubernetes-validate from PyPI,
# which ships them, so validation is offline) and against each other (check-k8s.py says what).
# Knobs: VENV (default .venv-deploy), KUBE_VERSIONS (default "1.30.0 1.37.0").
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv-deploy}
pinned=$(sed -n 's/^kubernetes-validate==//p' deploy/tests/requirements.txt)
installed=$("$VENV/bin/kubernetes-validate" --version 2>/dev/null || true)
if ! grep -qF "$pinned" <<<"$installed"; then
    echo "test-k8s: installing kubernetes-validate $pinned into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r deploy/tests/requirements.txt
fi
started=$SECONDS
"$VENV/bin/python" deploy/tests/check-k8s.py deploy/k8s
echo "test-k8s: done in $((SECONDS - started)) s"
