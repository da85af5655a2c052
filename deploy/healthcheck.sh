#!/bin/bash
# The image's HEALTHCHECK: GET /healthz on the service's own port, with nothing but bash (the
# runtime image has no curl or wget; bash is part of every Debian base). HTTP/1.0 without
# keep-alive, so the server closes the connection after answering and `head` sees the end.
# Exits 0 only on a 200 status line.
set -eu
port=${SEMADJUST_PORT:-8080}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 5 status_line <&3
case "$status_line" in
    "HTTP/1."?" 200 "*) exit 0 ;;
    *) echo "healthcheck: ${status_line:-no answer}" >&2; exit 1 ;;
esac
