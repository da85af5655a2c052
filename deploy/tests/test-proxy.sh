#!/usr/bin/env bash
# make test-proxy: deploy/nginx/semadjust.conf in a real nginx on loopback, in front of the real
# semadjust binary (tiny test model, --trusted-proxies 127.0.0.1, JSON logs). Checks:
#   0. a malformed SEMADJUST_TRUSTED_PROXIES makes the service refuse to start;
#   1. an upload through the proxy succeeds (200 image/jpeg) and the client's X-Request-Id comes
#      back unchanged, reaches the service (its access log) and nginx's access log;
#   2. without an X-Request-Id, nginx's generated id is the one the service logs and echoes;
#   3. an upload over client_max_body_size (64 MiB, the service's default limit) is refused by
#      nginx itself with 413 (the service never sees it) and still carries the request id;
#   4. upstream keep-alive: after several requests nginx holds an idle connection to the service;
#   5. the client address: a client on 127.0.0.2 sending a forged X-Forwarded-For is logged by the
#      service as 127.0.0.2 through the trusted proxy, and as itself when it skips the proxy;
#   6. proxy_read_timeout: the same file with only the upstream pointed at a stub that stays
#      silent and the read timeout cut to 2 s (a test-only value) answers 504 after ~2 s, while a
#      stub answering within 1 s gets through.
# nginx runs in the foreground with its own prefix and config in a temp dir, on free 127.0.0.1
# ports, and is killed at the end with the service and the stub.
#
# Knobs: SCRATCH (build folder, default .build-deploy), BINARY (skip the build), NGINX.
set -euo pipefail
cd "$(dirname "$0")/../.."
log() { echo "test-proxy: $*"; }
fail() { echo "test-proxy: FAIL: $*" >&2; [ -n "${work:-}" ] && tail -n 5 "$work"/*.log >&2; exit 1; }
. deploy/tests/lib.sh  # the working directory is the repository root from here on
started=$SECONDS

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
if [ ! -x "$NGINX" ]; then
    log "installing nginx-light"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
    NGINX=/usr/sbin/nginx
fi
release_binary

work=$(mktemp -d /tmp/semadjust-proxy.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the service -----------------------------------------------------------------------------
# A malformed --trusted-proxies entry (flag or env) is refused at start, not silently dropped.
for bad in "10.0.0.0/8,bogus" "::1/129"; do
    status=0
    SEMADJUST_TRUSTED_PROXIES=$bad "$BINARY" serve --port 0 >"$work/bad.log" 2>&1 || status=$?
    [ "$status" = 64 ] && grep -q "is not an IP address or CIDR block" "$work/bad.log" \
        || fail "SEMADJUST_TRUSTED_PROXIES=$bad was not refused (status $status)"
done
log "ok 0: malformed trusted proxies are refused at start (exit 64)"

mkdir -p "$work/models"
cp Tests/InferenceTests/Fixtures/tiny-model.safetensors "$work/models/tiny.safetensors"
"$BINARY" serve --host 127.0.0.1 --port 0 --models "$work/models" \
    --trunk Tests/InferenceTests/Fixtures/tiny-trunk.safetensors --workers 1 --shutdown-grace 2 \
    --log-format json --trusted-proxies 127.0.0.1 >"$work/service.log" 2>&1 &
pids+=($!)
wait_for_listening "$work/service.log" "$!" 300 "the service did not start"
service_port=$port
for _ in $(seq 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$service_port/readyz")" = 200 ] && break
    sleep 0.1
done

# --- nginx with deploy/nginx/semadjust.conf ----------------------------------------------------
# $1: upstream port, $2: read timeout (empty keeps the file's). Only addresses (and the timeout)
# change; every other directive is the file's own.
start_nginx() {
    local upstream=$1 read_timeout=$2 dir="$work/nginx-$1"
    mkdir -p "$dir/body" "$dir/proxy"
    local conf
    conf=$(sed -e "s/server 127\.0\.0\.1:8080;/server 127.0.0.1:$upstream;/" \
               -e "s/^\( *\)listen 80;/\1listen 127.0.0.1:$nginx_port;/" \
               -e '/listen \[::\]:80;/d' deploy/nginx/semadjust.conf)
    if [ -n "$read_timeout" ]; then
        [ "$(grep -c 'proxy_read_timeout 120s;' <<<"$conf")" = 1 ] || fail "expected one proxy_read_timeout 120s in the config"
        conf=${conf/proxy_read_timeout 120s;/proxy_read_timeout $read_timeout;}
    fi
    grep -q "server 127.0.0.1:$upstream;" <<<"$conf" || fail "could not point the upstream at port $upstream"
    printf '%s\n' "$conf" >"$dir/semadjust.conf"
    cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 256; }
http {
    log_format withid '\$remote_addr "\$request" \$status \$semadjust_request_id \$upstream_response_time';
    access_log $dir/access.log withid;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    include $dir/semadjust.conf;
}
EOF
    "$NGINX" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" || fail "nginx -t refused the config"
    "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g 'daemon off; user root;' &
    nginx_pid=$!
    pids+=("$nginx_pid")
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "nginx did not start"
}
stop_nginx() { kill -QUIT "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; }

nginx_port=$(free_port)
start_nginx "$service_port" ""
proxy="http://127.0.0.1:$nginx_port"
log "nginx $("$NGINX" -v 2>&1 | sed 's/.*: //') on $proxy -> semadjust on 127.0.0.1:$service_port"

photo=../shared/data/ecssd/images/0002.jpg
headers="$work/h"

# 1. Upload with the client's request id.
code=$(curl -s -D "$headers" -o "$work/out.jpg" -w '%{http_code}' -H 'X-Request-Id: proxy-test-42' -F "image=@$photo" "$proxy/v1/adjust")
[ "$code" = 200 ] || fail "upload through nginx answered $code"
grep -qi '^content-type: image/jpeg' "$headers" || fail "not image/jpeg through nginx"
[ "$(grep -ci '^x-request-id:' "$headers")" = 1 ] || fail "expected exactly one X-Request-Id"
grep -qi '^x-request-id: proxy-test-42' "$headers" || fail "the request id was not echoed"
grep -q '"request_id":"proxy-test-42"' "$work/service.log" || fail "the service did not log the client's request id"
grep -q 'proxy-test-42' "$work/nginx-$service_port/access.log" || fail "nginx did not log the request id"
log "ok 1: upload through nginx 200 image/jpeg ($(stat -c %s "$work/out.jpg") bytes); X-Request-Id proxy-test-42 echoed once, in both access logs"

# 2. No id from the client: nginx's id reaches the service and comes back.
curl -s -D "$headers" -o /dev/null -F "image=@$photo" "$proxy/v1/adjust"
generated=$(tr -d '\r' <"$headers" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: //p')
[[ "$generated" =~ ^[0-9a-f]{32}$ ]] || fail "no generated request id (got '$generated')"
grep -q "\"request_id\":\"$generated\"" "$work/service.log" || fail "the service logged another id than nginx's $generated"
# An id the service would refuse (a space) is replaced by nginx's, so both still agree.
curl -s -D "$headers" -o /dev/null -H 'X-Request-Id: bad id' "$proxy/v1/styles"
replaced=$(tr -d '\r' <"$headers" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: //p')
[[ "$replaced" =~ ^[0-9a-f]{32}$ ]] && grep -q "\"request_id\":\"$replaced\"" "$work/service.log" \
    || fail "an unacceptable client id was not replaced consistently (got '$replaced')"
log "ok 2: without (or with an unusable) X-Request-Id, nginx's id $generated is the one the service logs and echoes"

# 3. Oversize upload: a 64 MiB file, so the body with its multipart framing is just over 64 MiB.
head -c $((64 * 1024 * 1024)) /dev/zero >"$work/big.bin"
code=$(curl -s -D "$headers" -o "$work/413.html" -w '%{http_code}' -H 'X-Request-Id: too-big-1' \
    -F "image=@$work/big.bin;type=image/jpeg" "$proxy/v1/adjust")
[ "$code" = 413 ] || fail "an oversize upload answered $code, not 413"
grep -qi '^server: nginx' "$headers" || fail "the 413 did not come from nginx"
grep -qi '^x-request-id: too-big-1' "$headers" || fail "nginx's 413 lacks the request id"
grep -q 'too-big-1' "$work/service.log" && fail "the oversize upload reached the service"
# Just under the limit passes nginx (the service then judges the bytes: 415 or 422, not 413 from nginx).
head -c $((64 * 1024 * 1024 - 4096)) /dev/zero >"$work/big.bin"
code=$(curl -s -D "$headers" -o /dev/null -w '%{http_code}' -H 'X-Request-Id: just-under-1' \
    -F "image=@$work/big.bin;type=image/jpeg" "$proxy/v1/adjust")
grep -q 'just-under-1' "$work/service.log" || fail "a body just under 64 MiB did not reach the service (status $code)"
rm -f "$work/big.bin"
log "ok 3: a body over 64 MiB gets 413 from nginx (never reaches the service); one just under passes through (service answered $code)"

# 4. Upstream keep-alive: an idle connection from nginx to the service stays open.
for _ in 1 2 3; do curl -s -o /dev/null "$proxy/v1/styles"; done
idle=$(ss -Htn state established "( dport = :$service_port )" | wc -l)
[ "$idle" -ge 1 ] || fail "no kept-alive upstream connection"
log "ok 4: $idle kept-alive connection(s) from nginx to the service after the requests finished"

# 5. Client address through the trusted proxy, forged prefix ignored; direct, the header is ignored.
curl -s -o /dev/null --interface 127.0.0.2 -H 'X-Request-Id: via-proxy-1' -H 'X-Forwarded-For: 6.6.6.6' "$proxy/v1/styles"
curl -s -o /dev/null --interface 127.0.0.2 -H 'X-Request-Id: direct-1' -H 'X-Forwarded-For: 6.6.6.6' "http://127.0.0.1:$service_port/v1/styles"
python3 - "$work/service.log" <<'PY' || fail "the service logged the wrong client address"
import json, sys
records = {}
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if "request_id" in r and "remote" in r:
        records[r["request_id"]] = r["remote"]
assert records.get("via-proxy-1") == "127.0.0.2", records.get("via-proxy-1")
assert records.get("direct-1") == "127.0.0.2", records.get("direct-1")
PY
log "ok 5: client 127.0.0.2 with a forged X-Forwarded-For is logged as 127.0.0.2 via nginx and direct"
stop_nginx

# 6. proxy_read_timeout against a silent stub upstream.
stub_port=$(free_port)
python3 - "$stub_port" >"$work/stub.log" 2>&1 <<'PY' &
# Answers GET /sleep/N after N seconds: stands in for an inference that takes that long.
import http.server, socketserver, sys, time
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(float(self.path.rsplit("/", 1)[-1]))
        body = b"done\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
pids+=($!)
for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$stub_port/sleep/0" && break; sleep 0.1; done
start_nginx "$stub_port" 2s
read -r code elapsed < <(curl -s -D "$headers" -o /dev/null -w '%{http_code} %{time_total}\n' -H 'X-Request-Id: slow-1' "$proxy/sleep/10")
[ "$code" = 504 ] || fail "a silent upstream answered $code, not 504"
python3 -c "import sys; sys.exit(0 if 1.8 <= $elapsed <= 6 else 1)" || fail "the 504 came after $elapsed s, not ~2 s"
grep -qi '^x-request-id: slow-1' "$headers" || fail "nginx's 504 lacks the request id"
grep -q 'upstream timed out' "$work/nginx-$stub_port/error.log" || fail "nginx did not log an upstream timeout"
code=$(curl -s -o /dev/null -w '%{http_code}' "$proxy/sleep/1")
[ "$code" = 200 ] || fail "an upstream answering in 1 s (under the 2 s timeout) answered $code"
log "ok 6: proxy_read_timeout 2s (test value; the file says 120s): silent upstream -> 504 after ${elapsed} s, 1 s upstream -> 200"
stop_nginx

log "PASS in $((SECONDS - started)) s"
