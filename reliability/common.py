"""Shared pieces of the reliability suite: the server under test, raw HTTP over sockets, forms,
and the result rows that RELIABILITY.md is built from. Standard library only; loopback only."""
import json
import os
import re
import resource
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests/InferenceTests/Fixtures")
IMAGES = os.path.join(ROOT, "Tests/ImagingTests/Fixtures")
BINARY = os.environ.get("SEMADJUST_BIN", os.path.join(ROOT, ".build-rel/debug/semadjust"))
HOST = "127.0.0.1"


def fixture(name):
    with open(os.path.join(IMAGES, name), "rb") as f:
        return f.read()


class Server:
    """One `semadjust serve` process on a free loopback port, with the tiny test model as its
    only style. `nofile` caps its open files (soft and hard, so the server cannot raise it)."""

    def __init__(self, *args, nofile=None, env=None):
        self.work = tempfile.mkdtemp(prefix="semadjust-rel-")
        os.makedirs(os.path.join(self.work, "models"))
        with open(os.path.join(FIXTURES, "tiny-model.safetensors"), "rb") as src, \
                open(os.path.join(self.work, "models", "tiny.safetensors"), "wb") as dst:
            dst.write(src.read())
        self.log_path = os.path.join(self.work, "server.log")
        command = [BINARY, "serve", "--host", HOST, "--port", "0", "--models", os.path.join(self.work, "models"),
                   "--trunk", os.path.join(FIXTURES, "tiny-trunk.safetensors"), *args]

        def limit():
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=limit,
                                        env={**os.environ, **(env or {})})
        self.port = None
        deadline = time.time() + 60
        while time.time() < deadline and self.port is None:
            if self.process.poll() is not None:
                raise RuntimeError("server exited at start:\n" + self.log_text())
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log_text())
            if match:
                self.port = int(match.group(1))
            else:
                time.sleep(0.1)
        if self.port is None:
            raise RuntimeError("no listening line after 60 s:\n" + self.log_text())
        while time.time() < deadline:
            try:
                if request("GET", "/readyz", port=self.port, timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("never ready:\n" + self.log_text())

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def peak_rss_kib(self):
        """The process's peak resident set so far (VmHWM)."""
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def open_fds(self):
        return len(os.listdir(f"/proc/{self.process.pid}/fd"))

    def alive(self):
        return self.process.poll() is None

    def stop(self, timeout=30):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def connect(port, timeout=10):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(sock, timeout=30, head_only=False):
    """Reads one response: (status, headers dict lower-cased, body bytes). Raises on timeout or
    a connection closed before a status line; tolerates a close right after the body."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a complete response head" + (f" ({len(data)} bytes)" if data else ""))
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if head_only:
        return status, headers, rest
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(rest) < n:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed after {len(rest)} of {n} body bytes")
            rest += chunk
        return status, headers, rest[:n]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, headers, rest
    return status, headers, rest


def exchange(raw, port, timeout=30, chunks=None):
    """Sends raw bytes on a new connection and reads one response."""
    with connect(port, timeout) as s:
        for part in (chunks or [raw]):
            s.sendall(part)
        return read_response(s, timeout)


def request(method, path, port, body=b"", headers=None, timeout=30):
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    return exchange(head.encode() + b"\r\n" + body, port, timeout)


BOUNDARY = "reliabilityBoundary7"


def form(fields, boundary=BOUNDARY, close=True):
    """multipart/form-data body from (name, value bytes, filename or None) triples."""
    out = b""
    for name, value, filename in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + value + b"\r\n"
    if close:
        out += f"--{boundary}--\r\n".encode()
    return out


def adjust_request(port, body, extra_headers="", content_type=None, keep_alive=False):
    ct = content_type or f"multipart/form-data; boundary={BOUNDARY}"
    head = (f"POST /v1/adjust HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: {ct}\r\n"
            f"Content-Length: {len(body)}\r\n{extra_headers}" + ("" if keep_alive else "Connection: close\r\n") + "\r\n")
    return head.encode() + body


def photo():
    return fixture("baseline420.jpg")


def normal_adjust(port, timeout=60):
    """The request every case is followed by: a real photo adjusted with the default style."""
    status, headers, body = exchange(adjust_request(port, form([("image", photo(), "p.jpg")])), port, timeout)
    ok = status == 200 and headers.get("content-type", "").startswith("image/jpeg") and body[:2] == b"\xff\xd8"
    return ok, status


def is_problem(headers, body):
    if not headers.get("content-type", "").startswith("application/problem+json"):
        return False
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    return isinstance(doc, dict) and "status" in doc


class Results:
    """Rows for RELIABILITY.md, saved as JSON so the report can be regenerated from them."""

    def __init__(self, path):
        self.path = path
        self.rows = []

    def add(self, group, case, sent, amount, expected, got, lost, passed, note=""):
        row = dict(group=group, case=case, sent=sent, amount=amount, expected=expected, got=got,
                   lost=lost, passed=bool(passed), note=note)
        self.rows.append(row)
        mark = "PASS" if passed else "FAIL"
        print(f"[{mark}] {group} / {case}: expected {expected}, got {got}; lost {lost}" + (f" ({note})" if note else ""), flush=True)
        with open(self.path, "w") as f:
            json.dump(self.rows, f, indent=1)

    @property
    def failures(self):
        return [r for r in self.rows if not r["passed"]]


def human(n):
    for unit in ["B", "KiB", "MiB", "GiB"]:
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"
