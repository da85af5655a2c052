#!/usr/bin/env bash
# HTTPCore vs Hummingbird 2 (SwiftNIO) vs FlyingFox on GET /hello, measured with wrk on loopback
# in one run on one machine. Prints requests/s, p99 latency and errors, and the ratios.
#
# Environment: DURATION (default 10s), CONNECTIONS (64), THREADS (2).
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
RESULTS=../results
mkdir -p "$RESULTS"

echo "building peers (release)…" >&2
# SwiftPM keeps the build plan of a path dependency (the product) until its manifest changes,
# and then misses source files added or removed since: drop the plan so it is made anew.
rm -f .build/release.yaml
swift build -c release --scratch-path .build 2>&1 | grep -E "error|warning: unre|Compiling|Build complete" | tail -3 >&2
BIN=$(swift build -c release --scratch-path .build --show-bin-path)

declare -A PORTS=([httpcore]=18181 [hummingbird]=18182 [flyingfox]=18183)
declare -A BINARIES=([httpcore]=HelloHTTPCore [hummingbird]=HelloHummingbird [flyingfox]=HelloFlyingFox)
declare -A RPS P99 ERRORS

# wrk's Lua hook prints the p99 in microseconds and the error counts in a parseable line.
cat > /tmp/semadjust-wrk-report.lua <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p99_us=%d errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
LUA

measure() { # name mode
  local name=$1 mode=$2 port=${PORTS[$1]}
  "$BIN/${BINARIES[$name]}" "$port" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/hello" >/dev/null 2>&1 && break; sleep 0.1; done
  local header=()
  [ "$mode" = close ] && header=(-H "Connection: close")
  # Warm-up, then the measured run.
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "${header[@]}" "http://127.0.0.1:$port/hello" >/dev/null 2>&1 || true
  local line
  line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${header[@]}" -s /tmp/semadjust-wrk-report.lua \
    "http://127.0.0.1:$port/hello" | grep '^RESULT')
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  RPS[$name-$mode]=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  P99[$name-$mode]=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line")
  ERRORS[$name-$mode]=$(sed -E 's/.*errors=([0-9]+) non2xx=([0-9]+).*/\1+\2/' <<<"$line")
}

for mode in keepalive close; do
  for name in httpcore hummingbird flyingfox; do measure "$name" "$mode"; done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "HTTP GET /hello — wrk -t$THREADS -c$CONNECTIONS -d$DURATION on loopback — $machine"
printf "%-11s %-10s %12s %10s %8s\n" mode server "requests/s" "p99 (ms)" errors
for mode in keepalive close; do
  for name in httpcore hummingbird flyingfox; do
    printf "%-11s %-10s %12.0f %10.2f %8s\n" "$mode" "$name" "${RPS[$name-$mode]}" \
      "$(awk -v u="${P99[$name-$mode]}" 'BEGIN { print u / 1000 }')" "${ERRORS[$name-$mode]}"
  done
done
echo
for mode in keepalive close; do
  echo "$mode: HTTPCore / Hummingbird = $(ratio "${RPS[httpcore-$mode]}" "${RPS[hummingbird-$mode]}")x" \
    " HTTPCore / FlyingFox = $(ratio "${RPS[httpcore-$mode]}" "${RPS[flyingfox-$mode]}")x"
done

cat > "$RESULTS/http.json" <<JSON
{
  "machine": "$machine",
  "command": "wrk -t$THREADS -c$CONNECTIONS -d$DURATION",
  "keepalive": {"httpcore_rps": ${RPS[httpcore-keepalive]}, "hummingbird_rps": ${RPS[hummingbird-keepalive]}, "flyingfox_rps": ${RPS[flyingfox-keepalive]},
                "httpcore_p99_us": ${P99[httpcore-keepalive]}, "hummingbird_p99_us": ${P99[hummingbird-keepalive]}, "flyingfox_p99_us": ${P99[flyingfox-keepalive]}},
  "close": {"httpcore_rps": ${RPS[httpcore-close]}, "hummingbird_rps": ${RPS[hummingbird-close]}, "flyingfox_rps": ${RPS[flyingfox-close]},
            "httpcore_p99_us": ${P99[httpcore-close]}, "hummingbird_p99_us": ${P99[hummingbird-close]}, "flyingfox_p99_us": ${P99[flyingfox-close]}},
  "speedup_vs_hummingbird_keepalive": $(ratio "${RPS[httpcore-keepalive]}" "${RPS[hummingbird-keepalive]}"),
  "speedup_vs_flyingfox_keepalive": $(ratio "${RPS[httpcore-keepalive]}" "${RPS[flyingfox-keepalive]}")
}
JSON
echo "wrote bench/results/http.json"
