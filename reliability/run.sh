#!/usr/bin/env bash
# make reliability: builds the server (debug, own scratch folder .build-rel), runs the hostile-input
# suite and the load/fault suite against it over loopback, and regenerates RELIABILITY.md.
#
#   SOAK_SECONDS   soak length (default 600)
#   SUITES         "hostile load" (default both); LOAD_CASES: e.g. "slowloris soak" for a subset
set -uo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-rel}
${NICE:-nice -n 10} swift build --scratch-path "$SCRATCH" --product semadjust -j "${JOBS:-$(nproc)}" || exit 1
export SEMADJUST_BIN="$PWD/$SCRATCH/debug/semadjust"
export SOAK_SECONDS=${SOAK_SECONDS:-600}
mkdir -p reliability/results
status=0
for suite in ${SUITES:-hostile load}; do
    if [ "$suite" = load ]; then
        python3 reliability/load.py ${LOAD_CASES:-} || status=1
    else
        python3 reliability/"$suite".py || status=1
    fi
done
python3 reliability/report.py
exit $status
