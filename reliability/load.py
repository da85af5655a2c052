#!/usr/bin/env python3
"""Load and faults against the real `semadjust serve`, bounded in count and time, loopback only:
slowloris, overload past the queue, clients vanishing mid-upload and mid-response, SIGTERM under
load, file-descriptor exhaustion, upload bursts (48 × 60 MB at once, 1,000 slow uploads), and a soak at saturation with RSS sampled. Rows go to
reliability/results/load.json (and the RSS samples to soak-rss.json)."""
import json
import os
import resource
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (BOUNDARY, HOST, ROOT, Results, Server, adjust_request, connect, exchange, form, human,  # noqa: E402
                    is_problem, normal_adjust, photo, read_response, request)

SOAK_SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
# Read-only shared data next to the repository (../shared); RELIABILITY_PHOTO overrides.
BIG_PHOTO = os.environ.get("RELIABILITY_PHOTO", os.path.join(ROOT, "..", "shared", "data", "weizmann_horse", "images", "horse011.jpg"))


def load_photo():
    """A photo large enough that inference takes a while (so the queue can fill); the small test
    fixture if the shared data set is absent."""
    try:
        with open(BIG_PHOTO, "rb") as f:
            return f.read()
    except OSError:
        return photo()


def adjust(port, data, timeout=120, json_answer=False):
    """One adjust; returns (status, retry_after, seconds) or ('error: …', None, seconds)."""
    started = time.time()
    extra = "Accept: application/json\r\n" if json_answer else ""
    try:
        status, headers, body = exchange(adjust_request(port, form([("image", data, "p.jpg")]), extra_headers=extra), port, timeout)
        if status == 200 and not (body[:2] == b"\xff\xd8" or body[:1] == b"{"):
            return "200 with a broken body", None, time.time() - started
        if status >= 400 and not is_problem(headers, body):
            return f"{status} not problem+json", None, time.time() - started
        return status, headers.get("retry-after"), time.time() - started
    except Exception as error:  # noqa: BLE001
        return f"error: {type(error).__name__}", None, time.time() - started


def tally(outcomes):
    counts = {}
    for status, _, _ in outcomes:
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{v}×{k}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def slowloris(results):
    g = "slowloris"
    server = Server("--workers", "1", "--queue", "8", "--max-connections", "1024")
    port = server.port
    try:
        count = 300
        slow = []
        for i in range(count):
            s = connect(port, 30)
            s.sendall(f"GET /v1/styles HTTP/1.1\r\nHost: {HOST}\r\nX-Slow-{i}: ".encode())
            slow.append(s)
        # Slow bodies too: a valid head, then a byte now and then.
        slow_bodies = []
        for i in range(50):
            s = connect(port, 30)
            s.sendall(adjust_request(port, b"x" * 100000)[:-100000])
            slow_bodies.append(s)
        started = time.time()
        latencies, failures = [], 0
        stop_trickle = threading.Event()

        def trickle():
            while not stop_trickle.is_set():
                for s in slow + slow_bodies:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
                stop_trickle.wait(2)
        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        # Normal clients meanwhile: styles and real adjusts, each must be answered promptly.
        n = 0
        while time.time() - started < 8:
            t0 = time.time()
            try:
                ok = request("GET", "/v1/styles", port, timeout=10)[0] == 200
                ok = ok and normal_adjust(port, timeout=30)[0]
            except Exception:  # noqa: BLE001
                ok = False
            latencies.append(time.time() - t0)
            failures += 0 if ok else 1
            n += 1
        worst = max(latencies)
        results.add(g, f"{count} slow heads + 50 slow bodies, normal clients meanwhile",
                    f"{count} connections trickling header bytes, 50 trickling a body, 1 byte / 2 s each",
                    f"{count + 50} connections", "normal clients all 200", f"{n - failures}/{n} normal pairs ok, slowest {worst:.2f} s",
                    "nothing" if failures == 0 else f"{failures} normal requests failed", failures == 0 and server.alive())
        # Past the 10 s head timeout every slow head must have been answered 408 (or closed).
        time.sleep(max(0, 13 - (time.time() - started)))
        answered, closed, open_ = 0, 0, 0
        for s in slow:
            try:
                s.settimeout(2)
                data = s.recv(4096)
                if data.startswith(b"HTTP/1.1 408"):
                    answered += 1
                elif not data:
                    closed += 1
                else:
                    open_ += 1
            except (TimeoutError, socket.timeout):
                open_ += 1
            except OSError:
                closed += 1
        results.add(g, "slow heads cut at the head timeout", "the same 300 connections after 13 s",
                    f"{count} connections", "408 or closed, none left open", f"{answered}×408, {closed} closed, {open_} still open",
                    "nothing", open_ == 0)
        # Slow bodies (1 byte / 2 s, under 1 KiB/s) are cut by the minimum-rate rule (20 s window).
        time.sleep(max(0, 26 - (time.time() - started)))
        stop_trickle.set()
        cut = 0
        for s in slow_bodies:
            try:
                s.settimeout(3)
                data = s.recv(4096)
                cut += 1 if (not data or data.startswith(b"HTTP/1.1 408")) else 0
            except (TimeoutError, socket.timeout):
                pass
            except OSError:
                cut += 1
        results.add(g, "slow bodies cut by the minimum rate", "50 bodies at 0.5 B/s (minimum 1 KiB/s over 20 s)",
                    "50 connections", "408 or closed", f"{cut}/50 cut after 26 s", "nothing", cut == 50)
        for s in slow + slow_bodies:
            s.close()
        ok, status = normal_adjust(port)
        results.add(g, "after the attack", "one normal adjust", "1 request", "200", str(status), "nothing", ok)
    finally:
        server.stop()


def overload(results):
    g = "overload"
    workers, queue = 1, 4
    server = Server("--workers", str(workers), "--queue", str(queue), "--queue-deadline", "60")
    port = server.port
    data = load_photo()
    try:
        t0 = time.time()
        single = adjust(port, data)
        one = time.time() - t0
        clients = 40
        with ThreadPoolExecutor(clients) as pool:
            outcomes = list(pool.map(lambda _: adjust(port, data, timeout=120), range(clients)))
        ok = [o for o in outcomes if o[0] == 200]
        shed = [o for o in outcomes if o[0] == 503]
        shed_with_retry = [o for o in shed if o[1] and o[1].isdigit()]
        other = [o for o in outcomes if o[0] not in (200, 503)]
        slowest_ok = max((o[2] for o in ok), default=0)
        passed = single[0] == 200 and len(ok) >= workers + queue and len(shed) > 0 and len(shed_with_retry) == len(shed) and not other
        results.add(g, f"{clients} at once, {workers} worker + queue {queue}",
                    f"{clients} simultaneous adjusts of a {human(len(data))} photo (one alone: {one:.2f} s)",
                    f"{clients} requests", f"≥ {workers + queue} × 200, the rest 503 + Retry-After, nothing else",
                    tally(outcomes) + f"; slowest 200 in {slowest_ok:.1f} s; Retry-After on {len(shed_with_retry)}/{len(shed)}",
                    "nothing" if not other else f"{len(other)} neither 200 nor 503", passed)
        # Waves: shedding is not a ratchet; once the burst is over everything is served again.
        with ThreadPoolExecutor(3) as pool:
            after = list(pool.map(lambda _: adjust(port, data), range(3)))
        results.add(g, "after the burst", "3 adjusts, within capacity", "3 requests", "3 × 200", tally(after), "nothing",
                    all(o[0] == 200 for o in after))
    finally:
        server.stop()


def vanishing(results):
    g = "vanishing clients"
    server = Server("--workers", "1", "--queue", "8")
    port = server.port
    data = load_photo()
    try:
        time.sleep(0.5)
        baseline = server.open_fds()
        body = form([("image", data, "p.jpg")])
        raw = adjust_request(port, body)
        for rst in (False, True):
            for i in range(20):
                s = connect(port)
                s.sendall(raw[: len(raw) // 2])
                if rst:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
        ok, status = normal_adjust(port)
        results.add(g, "gone mid-upload", "40 uploads cut at half (20 FIN, 20 RST)", f"40 × {human(len(raw) // 2)}",
                    "server keeps serving", f"follow-up {status}", "nothing" if ok else "follow-up failed", ok and server.alive())
        # Mid-response: the request is complete, the client reads a few bytes (or none) and leaves.
        for i in range(20):
            s = connect(port)
            s.sendall(raw)
            if i % 2:
                s.recv(10)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        # JSON answers are larger (base64 image + map): leave while they stream.
        for i in range(10):
            s = connect(port)
            s.sendall(adjust_request(port, body, extra_headers="Accept: application/json\r\n"))
            s.recv(100)
            s.close()
        time.sleep(1)
        ok, status = normal_adjust(port, timeout=120)
        results.add(g, "gone mid-response", "20 complete requests abandoned (RST) + 10 JSON answers abandoned after 100 B",
                    "30 requests", "server keeps serving", f"follow-up {status}", "nothing" if ok else "follow-up failed", ok and server.alive())
        # Every abandoned connection must be closed again: the descriptor count returns to baseline.
        deadline = time.time() + 60
        fds = server.open_fds()
        while time.time() < deadline and fds > baseline + 2:
            time.sleep(1)
            fds = server.open_fds()
        results.add(g, "descriptors released", "open fds before and after the 70 abandoned connections", "-",
                    f"back to {baseline} (±2)", f"{fds} (baseline {baseline})", "nothing" if fds <= baseline + 2 else f"{fds - baseline} fds leaked",
                    fds <= baseline + 2)
    finally:
        server.stop()


def sigterm(results):
    g = "shutdown"
    server = Server("--workers", "1", "--queue", "8", "--shutdown-grace", "60")
    port = server.port
    data = load_photo()
    try:
        t0 = time.time()
        adjust(port, data)
        one = time.time() - t0
        n = 6
        with ThreadPoolExecutor(n) as pool:
            futures = [pool.submit(adjust, port, data, 180) for _ in range(n)]
            time.sleep(min(1.0, one / 2) + 0.3)
            server.process.send_signal(signal.SIGTERM)
            signalled = time.time()
            time.sleep(0.3)
            try:
                late = exchange(adjust_request(port, form([("image", photo(), "p.jpg")])), port, 5)
                late_result = f"answered {late[0]}"
            except OSError as error:
                late_result = f"refused ({type(error).__name__})"
            outcomes = [f.result() for f in futures]
        code = server.process.wait(120)
        took = time.time() - signalled
        completed = [o for o in outcomes if o[0] == 200]
        cut = [o for o in outcomes if isinstance(o[0], str)]
        results.add(g, "SIGTERM with 6 adjusts in flight", f"6 adjusts ({one:.1f} s each on 1 worker), SIGTERM after the first started",
                    "6 requests", "all in-flight answered (200, or 503 if still queued), exit 0",
                    f"{tally(outcomes)}; new connection after SIGTERM {late_result}; exit {code} after {took:.1f} s",
                    "nothing" if not cut else f"{len(cut)} cut off", not cut and code == 0 and len(completed) >= 1)
    finally:
        server.stop()


def fd_exhaustion(results):
    g = "fd exhaustion"
    limit = 64
    server = Server("--workers", "1", "--queue", "8", nofile=limit)
    port = server.port
    try:
        baseline = server.open_fds()
        exhausted_at = time.time()
        held = []
        for _ in range(limit + 40):
            try:
                s = connect(port, 5)
                held.append(s)
            except OSError:
                break
        time.sleep(1)
        # While descriptors are exhausted: does the accept loop spin? Sample the server's CPU.
        c0 = cpu_seconds(server.process.pid)
        time.sleep(3)
        spin = (cpu_seconds(server.process.pid) - c0) / 3
        try:
            status = request("GET", "/healthz", port, timeout=3)[0]
            during = f"healthz {status}"
        except Exception as error:  # noqa: BLE001
            during = f"healthz not served ({type(error).__name__})"
        for s in held:
            s.close()
        exhausted_for = time.time() - exhausted_at
        time.sleep(2)
        ok, status = normal_adjust(port)
        ok2 = request("GET", "/healthz", port)[0] == 200
        # Accepts fail ten times a second while exhausted; the log gets one line per 10 s (lines
        # are counted: the socket error's own text says "accept failed" too). The window runs to
        # the reading of the log: the closed clients still queued in the backlog are accepted in a
        # burst after the release and may hit the limit once more.
        warnings = sum("accept failed" in line for line in server.log_text().splitlines())
        window = time.time() - exhausted_at
        allowed = int(window // 10) + 1
        results.add(g, f"RLIMIT_NOFILE {limit}, {len(held)} idle connections",
                    f"{len(held)} connections held open against a {limit}-descriptor limit (server uses {baseline} at rest)",
                    f"{len(held)} connections", "no crash, no busy loop, no log flood, serves again once they close",
                    f"during: {during}, CPU {spin * 100:.0f}% of a core, {warnings} accept warning(s) logged in "
                    f"{window:.0f} s (at most {allowed}); descriptors held {exhausted_for:.0f} s; after: adjust {status}",
                    "nothing" if ok and ok2 else "not recovered",
                    ok and ok2 and server.alive() and spin < 0.5 and 1 <= warnings <= allowed)
    finally:
        server.stop()


def upload_head(port, rest, timeout=120):
    """A socket with the head of a one-photo form and the part's own header sent, its Content-Length
    counting `rest` more bytes; the caller sends (or trickles) them."""
    s = connect(port, timeout)
    pre = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.jpg\"\r\n"
           "Content-Type: image/jpeg\r\n\r\n").encode()
    s.sendall((f"POST /v1/adjust HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
               f"Content-Length: {len(pre) + rest}\r\n\r\n").encode() + pre)
    return s


def status_line(buffer):
    return int(buffer.split(b" ")[1]) if buffer.startswith(b"HTTP/1.1 ") else None


def big_upload(port, size):
    """Sends a `size`-byte part (not a photo: the service refuses it after reading it whole) unless
    answered first; returns (status or 'reset', bytes sent, seconds)."""
    started = time.time()
    closing = f"\r\n--{BOUNDARY}--\r\n".encode()
    s = upload_head(port, size + len(closing))
    s.setblocking(False)
    chunk, sent, answer = b"\xff" * (1 << 20), 0, b""
    try:
        while sent < size and b"\r\n" not in answer:
            try:
                sent += s.send(chunk[:min(len(chunk), size - sent)])
            except BlockingIOError:
                time.sleep(0.002)
            try:
                answer += s.recv(65536)
            except BlockingIOError:
                pass
        s.setblocking(True)
        if sent >= size and b"\r\n" not in answer:
            s.sendall(closing)
        while b"\r\n" not in answer:
            data = s.recv(65536)
            if not data:
                break
            answer += data
        return status_line(answer) or "closed", sent, time.time() - started
    except OSError:
        return "reset", sent, time.time() - started
    finally:
        s.close()


def probe_healthz(port, stop, samples):
    while not stop.is_set():
        t0 = time.time()
        try:
            request("GET", "/healthz", port, timeout=10)
            samples.append(time.time() - t0)
        except Exception:  # noqa: BLE001 - an unanswered probe counts as 10 s
            samples.append(10.0)
        time.sleep(0.2)


def upload_burst(results):
    """Memory under upload bursts with the default settings: uploads the service cannot take now
    are refused before their bodies are read (queue full, or the budget of bodies held at once)."""
    g = "upload burst"
    server = Server("--workers", "1")
    port = server.port
    limit_kib = 1536 * 1024
    try:
        base = server.peak_rss_kib()
        clients, size = 48, 60 * 1000 * 1000
        stop, probes = threading.Event(), []
        prober = threading.Thread(target=probe_healthz, args=(port, stop, probes))
        prober.start()
        with ThreadPoolExecutor(clients) as pool:
            outcomes = list(pool.map(lambda _: big_upload(port, size), range(clients)))
        stop.set()
        prober.join()
        peak = server.peak_rss_kib()
        refused = [o for o in outcomes if o[0] == 503]
        read = [o for o in outcomes if o[0] in (413, 415, 422)]
        other = [o for o in outcomes if o not in refused and o not in read]
        ok, status = normal_adjust(port)
        slowest_probe = max(probes, default=10.0)
        results.add(g, f"{clients} × {human(size)} at once",
                    f"{clients} simultaneous uploads of a {human(size)} part (not a photo), default settings",
                    f"{human(clients * size)}", "peak RSS < 1.5 GiB, /healthz within 1 s, refusals 503 before the body",
                    f"{len(read)} read and refused as no photo, {len(refused)} × 503 after sending "
                    f"{human(max((o[1] for o in refused), default=0))} at most; peak RSS {base // 1024} → {peak // 1024} MiB; "
                    f"slowest /healthz {slowest_probe * 1000:.0f} ms; after: adjust {status}",
                    "nothing" if ok and not other else f"{len(other)} other outcomes",
                    ok and not other and peak < limit_kib and slowest_probe < 1 and len(refused) > 0)
    finally:
        server.stop()
    server = Server("--workers", "1")
    port = server.port
    try:
        base = server.peak_rss_kib()
        clients, declared = 1000, 2_000_000
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))  # this client's 1,000 sockets
        held = []
        for _ in range(clients):
            s = upload_head(port, declared, timeout=30)
            s.sendall(b"\xff" * 8192)
            held.append(s)
        stop, probes = threading.Event(), []
        prober = threading.Thread(target=probe_healthz, args=(port, stop, probes))
        prober.start()
        for _ in range(20):  # 10 s of a trickle: 16 bytes per connection every half second
            for s in held:
                try:
                    s.send(b"\xff" * 16)
                except OSError:
                    pass
            time.sleep(0.5)
        stop.set()
        prober.join()
        refused = 0
        for s in held:
            s.setblocking(False)
            try:
                refused += status_line(s.recv(64)) == 503
            except OSError:
                pass
            s.close()
        peak = server.peak_rss_kib()
        ok, status = normal_adjust(port)
        slowest_probe = max(probes, default=10.0)
        results.add(g, f"{clients} slow uploads",
                    f"{clients} uploads declaring {human(declared)} each, trickling 32 B/s after 8 KiB",
                    f"{clients} connections", "peak RSS < 1.5 GiB, /healthz within 1 s",
                    f"{refused} × 503 at once (the budget holds the rest); peak RSS {base // 1024} → {peak // 1024} MiB; "
                    f"slowest /healthz {slowest_probe * 1000:.0f} ms; after: adjust {status}",
                    "nothing" if ok else "not recovered", ok and peak < limit_kib and slowest_probe < 1)
    finally:
        server.stop()


def soak(results, seconds):
    g = "soak"
    workers, queue = 1, 4
    # A small photo cache (it keeps analysed photos for image_id re-renders) fills in the first
    # seconds and then evicts, so RSS growth after warm-up would be a leak, not the cache filling.
    server = Server("--workers", str(workers), "--queue", str(queue), "--queue-deadline", "60", "--cache-bytes", str(8 << 20))
    port = server.port
    small = photo()
    big = load_photo()
    stop = threading.Event()
    outcomes = []
    lock = threading.Lock()

    def client(i):
        n = 0
        while not stop.is_set():
            n += 1
            kind = (i + n) % 4
            if kind == 3:
                o = adjust(port, small, json_answer=True)
            elif kind == 2:
                # A refused upload in the mix: the error path must not leak either.
                t0 = time.time()
                try:
                    st = exchange(adjust_request(port, form([("image", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "x.png")])), port, 60)[0]
                except Exception as error:  # noqa: BLE001
                    st = f"error: {type(error).__name__}"
                o = (st if st != 422 else "422 (expected)", None, time.time() - t0)
            else:
                o = adjust(port, big if kind == 0 else small)
            with lock:
                outcomes.append(o)
            if o[0] == 503:
                # Back off a little, as a client honouring Retry-After would, but far less than it
                # asks, so the queue stays full: saturation, not a tight loop of refusals.
                time.sleep(0.05)
    samples = []
    try:
        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(workers + queue + 4)]
        started = time.time()
        for t in threads:
            t.start()
        while time.time() - started < seconds:
            samples.append((round(time.time() - started, 1), server.rss_kib()))
            time.sleep(5)
        stop.set()
        for t in threads:
            t.join(180)
        samples.append((round(time.time() - started, 1), server.rss_kib()))
        with open(os.path.join(OUT, "soak-rss.json"), "w") as f:
            json.dump(samples, f)
        with open(os.path.join(OUT, "soak-seconds"), "w") as f:
            f.write(str(seconds))
        bad = [o for o in outcomes if o[0] not in (200, 503, "422 (expected)")]
        # Flat: compare the mean of the last quarter with the mean of the second quarter (the first
        # warms caches and allocator arenas).
        rss = [kib for _, kib in samples]
        q = max(1, len(rss) // 4)
        early = sum(rss[q:2 * q]) / q
        late = sum(rss[-q:]) / q
        growth = (late - early) / 1024
        flat = growth < max(16, early / 1024 * 0.1)
        rate = len(outcomes) / seconds
        results.add(g, f"{seconds} s at saturation", f"{len(threads)} clients looping (photo, big photo, JSON, a bad PNG) on {workers} worker + queue {queue}",
                    f"{len(outcomes)} requests ({rate:.1f}/s)", "only 200, 503 and the expected 422; RSS flat",
                    f"{tally(outcomes)}; RSS {rss[0] // 1024} → {early / 1024:.0f} → {late / 1024:.0f} MiB (max {max(rss) // 1024})",
                    "nothing" if not bad else f"{len(bad)} unexpected", not bad and flat and server.alive(),
                    note=f"RSS growth second quarter → last quarter {growth:+.1f} MiB")
    finally:
        stop.set()
        server.stop()


def main():
    os.makedirs(OUT, exist_ok=True)
    results = Results(os.path.join(OUT, "load.json"))
    only = set(sys.argv[1:])
    # (name on the command line, group in the table, function)
    parts = [("slowloris", "slowloris", slowloris), ("overload", "overload", overload),
             ("vanishing", "vanishing clients", vanishing), ("sigterm", "shutdown", sigterm),
             ("fds", "fd exhaustion", fd_exhaustion), ("uploads", "upload burst", upload_burst),
             ("soak", "soak", lambda r: soak(r, SOAK_SECONDS))]
    if only and os.path.exists(results.path):
        # A partial run replaces only its own rows, so the table stays whole.
        rerun = {group for name, group, _ in parts if name in only} | only
        with open(results.path) as f:
            results.rows = [r for r in json.load(f) if r["group"] not in rerun]
    for name, _, part in parts:
        if only and name not in only:
            continue
        started = time.time()
        try:
            part(results)
        except Exception as error:  # noqa: BLE001 - a crashed case is a failed row, not a lost report
            traceback.print_exc()
            results.add(name, "harness error", "-", "-", "-", f"{type(error).__name__}: {error}", "unknown", False)
        print(f"  {name}: {time.time() - started:.0f} s", flush=True)
    print(f"load: {len(results.rows)} cases, {len(results.failures)} failed")
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
