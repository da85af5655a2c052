#!/usr/bin/env bash
# Builds the libFuzzer targets (ASan + fuzzer coverage, debug) and runs each for FUZZ_SECONDS.
#
#   fuzz/run.sh                      every target, FUZZ_SECONDS each (default 60)
#   fuzz/run.sh FuzzPNG FuzzJPEG     only these
#   FUZZ_SECONDS=30 fuzz/run.sh      shorter (CI)
#
# Seeds come from fuzz/corpus/<Target> (committed, read-only here); what the fuzzer finds goes to
# .build-fuzz/corpus/<Target>, which later runs resume from. A crash leaves its input in
# fuzz/artifacts/<Target>/ and makes this script fail; each crash found gets a regression test in
# Tests/ and a fix. A summary of executions per target lands in .build-fuzz/fuzz-summary.tsv.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${FUZZ_SECONDS:-60}"
SCRATCH="${FUZZ_SCRATCH:-../.build-fuzz}"
ALL=(FuzzRequestHead FuzzChunked FuzzMultipart FuzzJPEG FuzzPNG FuzzWebP FuzzHEIF FuzzTIFF FuzzUserMap FuzzSafetensors)
TARGETS=("$@")
[ $# -gt 0 ] || TARGETS=("${ALL[@]}")

# Per-target cap on input size: big enough for the seeds' grammar, small enough to stay fast.
declare -A MAX_LEN=([FuzzRequestHead]=2048 [FuzzChunked]=4096 [FuzzMultipart]=8192 [FuzzJPEG]=16384
                    [FuzzPNG]=20000 [FuzzWebP]=16384 [FuzzHEIF]=24576 [FuzzTIFF]=20000 [FuzzUserMap]=8192
                    [FuzzSafetensors]=32768)

# SwiftPM passes -sanitize=fuzzer and -sanitize=address as two flags, and swiftc then compiles
# without coverage instrumentation (libFuzzer would fuzz blind: "1 inline 8-bit counter"); the
# combined -sanitize=fuzzer,address does instrument, so coverage is asked for explicitly.
FLAGS=(--sanitize=fuzzer --sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table)
${NICE:-nice -n 10} swift build --scratch-path "$SCRATCH" "${FLAGS[@]}" -j "${JOBS:-$(nproc)}"
BIN="$(swift build --scratch-path "$SCRATCH" "${FLAGS[@]}" --show-bin-path)"

# Swift's own backtracer would race ASan's report; libFuzzer handles the crash.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1:handle_abort=1}"
SUMMARY="$SCRATCH/fuzz-summary.tsv"
printf 'target\tseconds\texecutions\texec_per_s\tcorpus\tcoverage\tresult\n' > "$SUMMARY"
status=0
for t in "${TARGETS[@]}"; do
    work="$SCRATCH/corpus/$t"
    artifacts="artifacts/$t"
    mkdir -p "$work" "$artifacts"
    log="$SCRATCH/fuzz-$t.log"
    echo "== $t: ${SECONDS_EACH}s"
    set +e
    "$BIN/$t" "$work" "corpus/$t" -max_total_time="$SECONDS_EACH" -max_len="${MAX_LEN[$t]}" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" > "$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo '?')
    corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*' || echo '?')
    if [ $rc -eq 0 ]; then result=ok; else result="FAILED (rc $rc, see $log and fuzz/$artifacts)"; status=1; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$SECONDS_EACH" "${execs:-0}" "${rate:-0}" "$corp" "$cov" "$result" >> "$SUMMARY"
    echo "   $execs executions ($rate/s), corpus $corp, coverage $cov: $result"
    if [ $rc -ne 0 ]; then grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -8 || true; fi
done
column -t -s $'\t' "$SUMMARY" || cat "$SUMMARY"
exit $status
