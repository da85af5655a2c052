#!/usr/bin/env python3
"""End-to-end benchmark of the real `semadjust serve` over loopback.

Run by `make bench-e2e`, or directly:
    python3 bench/e2e/run.py --binary .build/release/semadjust [--quick] [--out FILE] [--plot FILE]

Measures, against the release server started from the repository root (models from models/,
the trunk where the server finds it by default, beside them in models/):
  1. POST /v1/adjust latency (p50, p99), throughput and non-200 answers at concurrency 1, 2, 8
     for a 512 px photo (duration-bound) and a 12-megapixel photo (count-bound);
  2. the server's peak RSS (VmHWM) per photo size, the server restarted for each;
  3. first request vs re-render from image_id + an edited map (JSON answers, as the web page
     asks), client wall time and the server's own timings_ms per stage;
  4. first-request time and peak RSS for 1..24-megapixel photos (a fresh server per size),
     plotted into bench/results/e2e-scaling.png.
Writes bench/results/e2e.json (machine, load average at start and end, command, every figure and
the goal checks) and prints the table. The load generator is stdlib only (threads + http.client);
Pillow makes the test photos and edits the map; matplotlib draws the plot (Pillow's ImageDraw
when matplotlib is missing).
"""
import argparse
import base64
import ctypes
import glob
import http.client
import io
import json
import math
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CACHE = "/tmp/semadjust-bench-e2e"
PHOTO_VERSION = 1  # bump when make_photo changes, so cached photos are made again
GIB = 1 << 30
MIB = 1 << 20

# ---------------------------------------------------------------------------------------------
# test photos


def source_photo():
    """A real photo from the shared datasets, the same one every run: the first landscape 4:3
    ECSSD photo in name order (any dataset's first photo when ECSSD is absent)."""
    from PIL import Image

    candidates = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "data", "ecssd", "images", "*.jpg")))
    for path in candidates:
        with Image.open(path) as im:
            if im.size == (400, 300):
                return os.path.abspath(path)
    others = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "data", "*", "images", "*.jpg")))
    if candidates or others:
        return os.path.abspath((candidates or others)[0])
    sys.exit("no photo under ../shared/data/*/images: the benchmark needs a real photo to scale")


def size_for_megapixels(mp):
    """4:3 landscape dimensions of about `mp` megapixels (12 -> 4000x3000)."""
    width = round(math.sqrt(mp * 1e6 * 4 / 3))
    return width, round(width * 3 / 4)


def make_photo(source, width, height, cache_dir):
    """The source photo cropped to 4:3, Lanczos-scaled to width x height, with sensor-like noise
    (sigma 4) so the JPEG has a camera-like size rather than a smooth upscale's, saved at quality
    92, 4:2:0 — the way bench/imaging makes its 12 MP photo. Cached in cache_dir."""
    from PIL import Image

    name = f"v{PHOTO_VERSION}-{os.path.splitext(os.path.basename(source))[0]}-{width}x{height}.jpg"
    path = os.path.join(cache_dir, name)
    if os.path.exists(path):
        return path
    with Image.open(source) as im:
        im = im.convert("RGB")
        w, h = im.size
        if w * 3 > h * 4:  # wider than 4:3
            cw = h * 4 // 3
            im = im.crop(((w - cw) // 2, 0, (w - cw) // 2 + cw, h))
        else:
            ch = w * 3 // 4
            im = im.crop((0, (h - ch) // 2, w, (h - ch) // 2 + ch))
        im = im.resize((width, height), Image.LANCZOS)
    try:
        import numpy as np

        rng = np.random.default_rng(width * 7 + height)
        arr = np.array(im)
        for y in range(0, height, 256):  # in bands: a 24 MP photo's noise at once would take 300 MB
            band = arr[y:y + 256].astype(np.float32)
            band += rng.standard_normal(band.shape, dtype=np.float32) * 4
            arr[y:y + 256] = np.clip(band, 0, 255).astype(np.uint8)
        im = Image.fromarray(arr)
    except ImportError:  # Pillow's own Gaussian noise, the same on all three channels
        from PIL import ImageChops

        noise = Image.effect_noise((width, height), 4).convert("RGB")  # mean 128
        im = ImageChops.add(im, noise, scale=1.0, offset=-128)
    tmp = path + f".{os.getpid()}.tmp"
    im.save(tmp, "JPEG", quality=92, subsampling=2)
    os.replace(tmp, path)
    return path


def edited_maps(map_png, K):
    """Two edits of the discovered label map, as a user would paint them: the central third set
    to the other preset(s) — label l becomes (l + 1) mod K — and the left half likewise. Two
    different maps alternate so that nothing could serve a re-render from a cached result."""
    from PIL import Image

    with Image.open(io.BytesIO(map_png)) as im:
        im = im.convert("L")
    w, h = im.size
    out = []
    for box in ((w // 3, h // 3, 2 * w // 3, 2 * h // 3), (0, 0, w // 2, h)):
        region = im.crop(box).point(lambda v: (v + 1) % K if v < K else v)
        edited = im.copy()
        edited.paste(region, box[:2])
        buf = io.BytesIO()
        edited.save(buf, "PNG")
        out.append(buf.getvalue())
    return out


# ---------------------------------------------------------------------------------------------
# HTTP


def multipart(fields):
    """A multipart/form-data body. fields: (name, value bytes, filename or None, content type)."""
    boundary = "semadjust-bench-" + uuid.uuid4().hex
    parts = []
    for name, value, filename, ctype in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if ctype:
            head += f"Content-Type: {ctype}\r\n"
        parts.append(head.encode() + b"\r\n" + value + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def photo_form(jpeg, refine=None):
    extra = [] if refine is None else [("refine", b"true" if refine else b"false", None, None)]
    return multipart([("image", jpeg, "photo.jpg", "image/jpeg")] + extra)


def rerender_form(image_id, map_png, refine=None):
    extra = [] if refine is None else [("refine", b"true" if refine else b"false", None, None)]
    return multipart([("image_id", image_id.encode(), None, None), ("map", map_png, "map.png", "image/png")] + extra)


class Client:
    """One keep-alive connection; reconnects after errors or `Connection: close`."""

    def __init__(self, port, timeout):
        self.port, self.timeout, self.conn = port, timeout, None

    def post(self, body, ctype, accept="image/jpeg"):
        """(status, headers dict lower-case, body bytes, seconds); status is a string on
        transport errors (the connection is then dropped)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        t0 = time.perf_counter()
        try:
            self.conn.request("POST", "/v1/adjust", body=body,
                              headers={"Content-Type": ctype, "Accept": accept})
            resp = self.conn.getresponse()
            data = resp.read()
            elapsed = time.perf_counter() - t0
            headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.will_close:
                self.close()
            return resp.status, headers, data, elapsed
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return f"error:{type(error).__name__}", {}, b"", time.perf_counter() - t0

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def server_timing(header):
    """Server-Timing: `decode;dur=6.1, context;dur=812.5` -> {"decode": 6.1, ...}."""
    stages = {}
    for item in (header or "").split(","):
        bits = [b.strip() for b in item.split(";")]
        for b in bits[1:]:
            if b.startswith("dur="):
                try:
                    stages[bits[0]] = float(b[4:])
                except ValueError:
                    pass
    return stages


def percentile(values, p):
    """Nearest-rank percentile (for n < 100, p99 is the slowest request)."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)] if s else None


def stage_medians(timings):
    names = list(dict.fromkeys(k for t in timings for k in t))  # the server's (pipeline) order
    return {k: round(statistics.median(t[k] for t in timings if k in t), 2) for k in names}


def load(port, body, ctype, concurrency, duration=None, requests=None, timeout=300):
    """Closed-loop load: `concurrency` keep-alive connections each send the next request as soon as
    the previous answer is read, until `duration` seconds have passed (requests started before
    then are completed and counted) or `requests` have been sent in all. A 503 is counted and its
    connection waits Retry-After (at most 2 s), as a well-behaved client would."""
    lock = threading.Lock()
    tickets = [requests if requests is not None else float("inf")]
    results = []  # (status, seconds, started, ended, server timings)
    barrier = threading.Barrier(concurrency + 1)
    deadline = [None]

    def worker():
        client = Client(port, timeout)
        barrier.wait()
        try:
            while True:
                with lock:
                    if tickets[0] <= 0 or (deadline[0] is not None and time.perf_counter() >= deadline[0]):
                        return
                    tickets[0] -= 1
                started = time.perf_counter()
                status, headers, _, elapsed = client.post(body, ctype)
                with lock:
                    results.append((status, elapsed, started, started + elapsed,
                                    server_timing(headers.get("server-timing"))))
                if status == 503:
                    try:
                        time.sleep(min(2.0, float(headers.get("retry-after", "1"))))
                    except ValueError:
                        time.sleep(1.0)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    if duration is not None:
        deadline[0] = t0 + duration
    barrier.wait()
    for t in threads:
        t.join()
    client_cpu = time.process_time() - cpu0
    ok = [r for r in results if r[0] == 200]
    wall = (max(r[3] for r in results) - min(r[2] for r in results)) if results else 0.0
    statuses = {}
    for r in results:
        statuses[str(r[0])] = statuses.get(str(r[0]), 0) + 1
    latencies = [r[1] * 1e3 for r in ok]
    return {
        "concurrency": concurrency,
        "mode": f"{duration:g} s" if duration is not None else f"{requests} requests",
        "n": len(results),
        "ok": len(ok),
        "non_200": len(results) - len(ok),
        "statuses": statuses,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "rps": round(len(ok) / wall, 3) if wall > 0 else None,
        "wall_s": round(wall, 2),
        "client_cpu_s": round(client_cpu, 3),  # this script's own CPU time over the level
        "server_timing_median_ms": stage_medians([r[4] for r in ok if r[4]]),
    }


# ---------------------------------------------------------------------------------------------
# the server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """Child side of Popen: SIGTERM the server if this script dies (PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:
        pass


class Server:
    """`semadjust serve` on a free loopback port, run from the repository root so its defaults
    (models/, with the trunk in it) are the ones a user gets. Always stopped (use as a context)."""

    def __init__(self, binary, args, log_dir, label):
        self.binary, self.args, self.label = binary, args, label
        self.log_path = os.path.join(log_dir, f"server-{label}.log")
        self.proc = None
        self.port = None

    def __enter__(self):
        self.port = free_port()
        cmd = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port)] + self.args
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/readyz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server not ready after 120 s:\n{self.log_tail()}")

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def status_kib(self, field):
        """A VmHWM/VmRSS line of /proc/PID/status, in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return None

    def peak_rss_mib(self):
        return round(self.status_kib("VmHWM") / 1024, 1)

    def rss_mib(self):
        return round(self.status_kib("VmRSS") / 1024, 1)

    def config(self):
        """Workers, threads per job and queue from the server's start-up log line."""
        with open(self.log_path, errors="replace") as f:
            text = f.read()
        m = re.search(r"(\d+) inference worker\(s\) × (\d+) thread\(s\), queue (\d+)", text)
        return {"workers": int(m[1]), "threads_per_job": int(m[2]), "queue": int(m[3])} if m else {}

    def log_tail(self, n=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


# ---------------------------------------------------------------------------------------------
# measurements


def first_vs_rerender(port, jpeg, firsts, rerenders, timeout):
    """`firsts` first requests (JSON answer, each a new image_id: the default, the discovered map
    snapped to the photo's edges), each after one with refine=false (the map as the network
    predicted it: the peer that prices the snapping); then `rerenders` re-renders of the last default
    one's image_id (the newest photo) with edited maps (alternating two edits, used as painted), each
    followed by the same re-render with refine=true (the web page's snapped stroke); one at a time."""
    client = Client(port, timeout)
    body, ctype = photo_form(jpeg)
    plain_body, plain_ctype = photo_form(jpeg, refine=False)
    first_ms, first_stages, answer, problems = [], [], None, []
    plain_ms, plain_stages, snapped_ms, snapped_stages = [], [], [], []

    def timed(rbody, rctype, what, times, stages):
        status, _, data, elapsed = client.post(rbody, rctype, accept="application/json")
        if status != 200:
            problems.append(f"{what}: {status} {data[:200]!r}")
            return None
        reply = json.loads(data)
        times.append(elapsed * 1e3)
        stages.append(reply.get("timings_ms", {}))
        return reply

    try:
        for _ in range(firsts):
            # The peer first: the photo re-rendered below is then the newest one, whose preset
            # alternatives the idle worker builds (it keeps only the newest photo's), as for a user
            # who repaints the photo just answered.
            timed(plain_body, plain_ctype, "first, refine=false", plain_ms, plain_stages)
            answer = timed(body, ctype, "first", first_ms, first_stages) or answer
        if answer is None:
            return {"problems": problems}
        maps = edited_maps(base64.b64decode(answer["map"]), answer["K"])
        bodies = [rerender_form(answer["image_id"], m) for m in maps]
        snapped_bodies = [rerender_form(answer["image_id"], m, refine=True) for m in maps]
        re_ms, re_stages = [], []
        for i in range(rerenders):
            for (rbody, rctype), what, times, stages in ((bodies[i % len(bodies)], "re-render", re_ms, re_stages),
                                                         (snapped_bodies[i % len(bodies)], "re-render, refine=true",
                                                          snapped_ms, snapped_stages)):
                reply = timed(rbody, rctype, what, times, stages)
                if reply and (not reply.get("user_map") or (reply["width"], reply["height"]) != (answer["width"], answer["height"])):
                    problems.append(f"{what} answer unexpected: user_map={reply.get('user_map')} "
                                    f"{reply['width']}x{reply['height']}")
    finally:
        client.close()
    first = statistics.median(first_ms) if first_ms else None
    plain = statistics.median(plain_ms) if plain_ms else None
    rerender = statistics.median(re_ms) if re_ms else None
    snapped = statistics.median(snapped_ms) if snapped_ms else None
    return {
        "first_unrefined_ms": [round(x, 1) for x in plain_ms],
        "first_unrefined_median_ms": round(plain, 1) if plain else None,
        "refinement_ms": round(first - plain, 1) if first and plain else None,
        "first_over_unrefined": round(first / plain, 4) if first and plain else None,
        "first_unrefined_server_timings_median_ms": stage_medians(plain_stages),
        "rerender_refined_ms": [round(x, 1) for x in snapped_ms],
        "rerender_refined_median_ms": round(snapped, 1) if snapped else None,
        "rerender_refined_over_first": round(snapped / first, 4) if first and snapped else None,
        "rerender_refined_server_timings_median_ms": stage_medians(snapped_stages),
        "size": f"{answer['width']}x{answer['height']}",
        "style": answer.get("style"),
        "K": answer.get("K"),
        "first_n": len(first_ms),
        "rerender_n": len(re_ms),
        "first_ms": [round(x, 1) for x in first_ms],
        "rerender_ms": [round(x, 1) for x in re_ms],
        "first_median_ms": round(first, 1) if first else None,
        "rerender_median_ms": round(rerender, 1) if rerender else None,
        "rerender_over_first": round(rerender / first, 4) if first and rerender else None,
        "first_server_timings_median_ms": stage_medians(first_stages),
        "rerender_server_timings_median_ms": stage_medians(re_stages),
        "problems": problems,
    }


FORMATS = ["jpeg", "webp", "avif", "png", "webp-lossless"]


def formats_phase(port, jpeg, reps, timeout, peak_rss_mib=lambda: None):
    """Per output format (the `format` field, image answer): `reps` first requests and `reps`
    re-renders of the last one's image_id with edited maps (used as painted), one at a time; the
    medians, the answer's bytes and the server's encode stage. JPEG's re-render re-encodes only the
    segments the repaint touched; the other formats encode the whole photo. `peak_rss_mib` is read
    after each format: VmHWM only grows, so a format that raises it shows as the step up."""
    client = Client(port, timeout)
    rows = {}
    try:
        status, _, data, _ = client.post(*photo_form(jpeg), accept="application/json")
        if status != 200:
            return {"problems": [f"JSON first: {status}"]}
        answer = json.loads(data)
        maps = edited_maps(base64.b64decode(answer["map"]), answer["K"])
        for fmt in FORMATS:
            field = [("format", fmt.encode(), None, None)]
            first_body = multipart([("image", jpeg, "photo.jpg", "image/jpeg")] + field)
            firsts, rerenders, encodes, re_encodes, size, image_id, problems = [], [], [], [], 0, None, []
            for _ in range(reps):
                status, headers, data, elapsed = client.post(*first_body, accept="*/*")
                if status != 200:
                    problems.append(f"first {status}")
                    continue
                firsts.append(elapsed * 1e3)
                encodes.append(server_timing(headers.get("server-timing", "")).get("encode", 0))
                size, image_id = len(data), headers.get("x-image-id")
            for i in range(reps if image_id else 0):
                body = multipart([("image_id", image_id.encode(), None, None), ("map", maps[i % len(maps)], "map.png", "image/png")] + field)
                status, headers, data, elapsed = client.post(*body, accept="*/*")
                if status != 200:
                    problems.append(f"re-render {status}")
                    continue
                rerenders.append(elapsed * 1e3)
                re_encodes.append(server_timing(headers.get("server-timing", "")).get("encode", 0))
            first = statistics.median(firsts) if firsts else None
            rerender = statistics.median(rerenders) if rerenders else None
            rows[fmt] = {"first_median_ms": round(first, 1) if first else None,
                         "rerender_median_ms": round(rerender, 1) if rerender else None,
                         "rerender_over_first": round(rerender / first, 4) if first and rerender else None,
                         "encode_median_ms": round(statistics.median(encodes), 1) if encodes else None,
                         "rerender_encode_median_ms": round(statistics.median(re_encodes), 1) if re_encodes else None,
                         "bytes": size, "peak_rss_mib_after": peak_rss_mib(), "problems": problems}
    finally:
        client.close()
    return rows


def size_phase(label, binary, server_args, jpeg_path, concurrencies, duration, requests, firsts,
               rerenders, timeout, log_dir, per_connection=2, formats_reps=0):
    """One photo size on a fresh server: warm-up, load at each concurrency, first vs re-render,
    and the server's VmHWM after each step (cumulative: the last one is the phase's peak)."""
    with open(jpeg_path, "rb") as f:
        jpeg = f.read()
    body, ctype = photo_form(jpeg)
    out = {"photo": os.path.basename(jpeg_path), "photo_bytes": len(jpeg), "load": [], "peak_rss_mib_after": {}}
    with Server(binary, server_args, log_dir, label) as server:
        out["server"] = server.config()
        out["rss_idle_mib"] = server.rss_mib()
        warm = Client(server.port, timeout)
        status, headers, _, elapsed = warm.post(body, ctype)
        warm.close()
        out["warmup"] = {"status": status, "ms": round(elapsed * 1e3, 1)}
        for c in concurrencies:
            if requests is not None:
                n = max(requests, per_connection * c)  # c=8 is then not a single burst
                point = load(server.port, body, ctype, c, requests=n, timeout=timeout)
            else:
                point = load(server.port, body, ctype, c, duration=duration, timeout=timeout)
            out["load"].append(point)
            out["peak_rss_mib_after"][f"c{c}"] = server.peak_rss_mib()
            print(f"  {label} c={c}: n={point['n']} p50={point['p50_ms']} ms p99={point['p99_ms']} ms "
                  f"rps={point['rps']} non200={point['non_200']}", flush=True)
        out["rerender"] = first_vs_rerender(server.port, jpeg, firsts, rerenders, timeout)
        out["size"] = out["rerender"].get("size", "")
        out["peak_rss_mib_after"]["rerender"] = server.peak_rss_mib()
        if formats_reps:
            out["formats"] = formats_phase(server.port, jpeg, formats_reps, timeout, server.peak_rss_mib)
            for fmt, row in out["formats"].items():
                if isinstance(row, dict):
                    print(f"  {label} {fmt}: first {row['first_median_ms']} ms (encode {row['encode_median_ms']}), re-render "
                          f"{row['rerender_median_ms']} ms (encode {row['rerender_encode_median_ms']}), {row['bytes']} bytes, "
                          f"peak RSS so far {row['peak_rss_mib_after']} MiB", flush=True)
            out["peak_rss_mib_after"]["formats"] = server.peak_rss_mib()
        out["peak_rss_mib"] = server.peak_rss_mib()
        out["server_log_errors"] = [l.rstrip() for l in open(server.log_path, errors="replace")
                                    if " error" in l.lower() or "critical" in l.lower()][:20]
        print(f"  {label}: first {out['rerender'].get('first_median_ms')} ms, re-render "
              f"{out['rerender'].get('rerender_median_ms')} ms, peak RSS {out['peak_rss_mib']} MiB", flush=True)
    return out


def scaling_phase(binary, server_args, photos, warm_jpeg, reps, timeout, log_dir):
    """Per size, a fresh server (so VmHWM is that size's), one 512 px warm-up, then `reps` first
    requests (JPEG answer) one at a time; the median and the peak RSS."""
    rows = []
    warm_body, warm_ctype = photo_form(warm_jpeg)
    for mp, path in photos:
        with open(path, "rb") as f:
            jpeg = f.read()
        body, ctype = photo_form(jpeg)
        with Server(binary, server_args, log_dir, f"scaling-{mp}mp") as server:
            client = Client(server.port, timeout)
            client.post(warm_body, warm_ctype)
            times, statuses = [], []
            for _ in range(reps):
                status, _, _, elapsed = client.post(body, ctype)
                statuses.append(status)
                if status == 200:
                    times.append(elapsed * 1e3)
            client.close()
            from PIL import Image

            with Image.open(path) as im:
                w, h = im.size
            row = {"megapixels": mp, "size": f"{w}x{h}", "photo_bytes": len(jpeg),
                   "first_ms": [round(t, 1) for t in times],
                   "first_median_ms": round(statistics.median(times), 1) if times else None,
                   "non_200": [s for s in statuses if s != 200],
                   "peak_rss_mib": server.peak_rss_mib()}
        rows.append(row)
        print(f"  {mp:>2} MP {row['size']}: {row['first_median_ms']} ms, peak RSS {row['peak_rss_mib']} MiB"
              + (f", non-200 {row['non_200']}" if row["non_200"] else ""), flush=True)
    return rows


# ---------------------------------------------------------------------------------------------
# the plot


def plot(rows, path, subtitle, reps):
    xs = [r["megapixels"] for r in rows if r["first_median_ms"] is not None]
    ts = [r["first_median_ms"] / 1e3 for r in rows if r["first_median_ms"] is not None]
    rss = [r["peak_rss_mib"] for r in rows if r["first_median_ms"] is not None]
    if not xs:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return plot_pillow(xs, ts, rss, path, subtitle)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    a.plot(xs, ts, "o-", color="#0072B2")
    a.axhline(2.5, color="#D55E00", ls="--", lw=1)
    a.axvline(12, color="grey", ls=":", lw=1)
    a.text(xs[0], 2.55, "goal: 12 MP ≤ 2.5 s", color="#D55E00", fontsize=8, va="bottom")
    a.set_xlabel("photo size (megapixels)")
    a.set_ylabel(f"first request, end to end (s, median of {reps})")
    for x, t in zip(xs, ts):
        a.annotate(f"{t:.2f}", (x, t), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    a.set_title("POST /v1/adjust time vs size")
    a.set_ylim(bottom=0)
    a.grid(alpha=0.3)
    b.plot(xs, rss, "o-", color="#009E73")
    b.axhline(1024, color="#D55E00", ls="--", lw=1)
    b.text(xs[0], 1034, "1 GiB", color="#D55E00", fontsize=8, va="bottom")
    b.set_xlabel("photo size (megapixels)")
    b.set_ylabel("server peak RSS, VmHWM (MiB)")
    for x, m in zip(xs, rss):
        b.annotate(f"{m:.0f}", (x, m), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    b.set_title("server peak memory vs size")
    b.set_ylim(bottom=0)
    b.grid(alpha=0.3)
    fig.suptitle("semadjust serve, loopback — " + subtitle, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return "matplotlib"


def plot_pillow(xs, ts, rss, path, subtitle):
    """The same two line charts with Pillow's ImageDraw, for machines without matplotlib."""
    from PIL import Image, ImageDraw

    W, H, pad = 1200, 460, 70
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    d.text((pad, 10), "semadjust serve, loopback - " + subtitle, fill="black")

    def chart(x0, ys, goal, ylabel, title, colour):
        w, h, top = W // 2 - 2 * pad, H - 2 * pad - 20, pad + 10
        ymax = max(max(ys), goal) * 1.1
        xmax = max(xs) * 1.05
        d.rectangle((x0, top, x0 + w, top + h), outline="black")
        d.text((x0, top - 16), title, fill="black")
        d.text((x0 + w // 2 - 60, top + h + 22), "photo size (megapixels)", fill="black")
        d.text((x0 - pad + 5, top - 30), ylabel, fill="black")
        px = lambda x: x0 + x / xmax * w
        py = lambda y: top + h - y / ymax * h
        for i in range(6):
            y = ymax * i / 5
            d.line((x0 - 4, py(y), x0, py(y)), fill="black")
            d.text((x0 - 45, py(y) - 6), f"{y:.0f}" if ymax > 20 else f"{y:.2f}", fill="black")
        for x in xs:
            d.line((px(x), top + h, px(x), top + h + 4), fill="black")
            d.text((px(x) - 5, top + h + 6), str(x), fill="black")
        d.line((x0, py(goal), x0 + w, py(goal)), fill=(213, 94, 0))
        pts = [(px(x), py(y)) for x, y in zip(xs, ys)]
        d.line(pts, fill=colour, width=2)
        for p in pts:
            d.ellipse((p[0] - 3, p[1] - 3, p[0] + 3, p[1] + 3), fill=colour)

    chart(pad, ts, 2.5, "first request (s)", "time vs size (goal line 2.5 s)", (0, 114, 178))
    chart(W // 2 + pad, rss, 1024, "peak RSS (MiB)", "server peak memory vs size (line: 1 GiB)", (0, 158, 115))
    img.save(path)
    return "pillow"


# ---------------------------------------------------------------------------------------------


def machine_info():
    cpu = "unknown"
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "unknown":
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "simd": sorted(f for f in flags if f.startswith(("avx", "amx")) or f == "fma")}


def git_state():
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "Sources", "Package.swift"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return {"commit": commit, "sources_modified": bool(dirty)}
    except OSError:
        return {}


def shown(path):
    """A path relative to the repository when it is inside it, else absolute."""
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def fmt(v, spec=".0f"):
    return "-" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "semadjust"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "e2e.json"))
    ap.add_argument("--plot", default=os.path.join(ROOT, "bench", "results", "e2e-scaling.png"))
    ap.add_argument("--cache-dir", default=CACHE, help="test photos and server logs (default %(default)s)")
    ap.add_argument("--concurrency", default="1,2,8")
    ap.add_argument("--small-side", type=int, default=512, help="long side of the small photo")
    ap.add_argument("--small-duration", type=float, default=10, help="seconds per concurrency, small photo")
    ap.add_argument("--large-mp", type=float, default=12)
    ap.add_argument("--large-requests", type=int, default=8,
                    help="requests per concurrency, large photo (at least --large-per-connection per connection)")
    ap.add_argument("--large-per-connection", type=int, default=2)
    ap.add_argument("--firsts", type=int, default=3, help="first requests (JSON) per size")
    ap.add_argument("--rerenders", type=int, default=6, help="re-renders per size")
    ap.add_argument("--formats-reps", type=int, default=3,
                    help="first requests and re-renders per output format and size (0: skip the formats phase)")
    ap.add_argument("--scaling-mp", default="1,2,4,8,12,16,24")
    ap.add_argument("--scaling-reps", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300, help="seconds per request")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra `semadjust serve` argument, repeatable (e.g. --server-arg=--queue=32)")
    ap.add_argument("--quick", action="store_true",
                    help="a smoke run: 2 s / 2 requests per point, 1 first + 2 re-renders, scaling 1 and 2 MP once")
    args = ap.parse_args()
    if args.quick:  # only what was not given explicitly
        quick = {"small_duration": 2, "large_requests": 2, "large_per_connection": 1, "firsts": 1,
                 "rerenders": 2, "scaling_mp": "1,2", "scaling_reps": 1}
        for name, value in quick.items():
            if getattr(args, name) == ap.get_default(name):
                setattr(args, name, value)
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"{binary} is not an executable: build it first (make bench-e2e builds it)")
    concurrencies = [int(c) for c in args.concurrency.split(",") if c]
    scaling_mp = [float(m) if "." in m else int(m) for m in args.scaling_mp.split(",") if m]
    server_args = ["--models", os.path.join(ROOT, "models"), "--log-level", "info"] + args.server_arg
    os.makedirs(args.cache_dir, exist_ok=True)

    # Turn SIGTERM/SIGHUP into an exception so the `with Server` blocks stop their servers.
    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    source = source_photo()
    small_w = args.small_side
    small = make_photo(source, small_w, round(small_w * 3 / 4), args.cache_dir)
    large = make_photo(source, *size_for_megapixels(args.large_mp), args.cache_dir)
    scaling_photos = [(mp, make_photo(source, *size_for_megapixels(mp), args.cache_dir)) for mp in scaling_mp]

    load_start = os.getloadavg()
    started = time.time()
    print(f"semadjust e2e benchmark: {binary}\n  photo: {os.path.relpath(source, ROOT)} scaled; "
          f"load average at start {' '.join(f'{x:.2f}' for x in load_start)}", flush=True)
    result = {
        "machine": machine_info(),
        "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
        "binary": shown(binary),
        "binary_mtime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.path.getmtime(binary))),
        "git": git_state(),
        "server_args": server_args,
        "source_photo": os.path.relpath(source, ROOT),
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "method": {
            "client": "python3 stdlib, one thread and keep-alive connection per concurrency, closed loop, "
                      "multipart body prebuilt, answer read in full; Accept image/jpeg for load and scaling, "
                      "application/json for first vs re-render (as the web page asks)",
            "small": f"{args.small_duration:g} s per concurrency (requests started before the end are completed)",
            "large": f"max({args.large_requests}, {args.large_per_connection} x concurrency) requests per concurrency",
            "p99": "nearest rank over 200 answers (for n < 100 the slowest)",
            "rps": "200 answers / (last answer - first request)",
            "peak_rss": "VmHWM of the server process, a fresh server per photo size",
        },
    }
    try:
        print("small photo:", flush=True)
        result["small"] = size_phase("small", binary, server_args, small, concurrencies, args.small_duration,
                                     None, args.firsts, args.rerenders, args.timeout, args.cache_dir,
                                     formats_reps=args.formats_reps)
        print("large photo:", flush=True)
        result["large"] = size_phase("large", binary, server_args, large, concurrencies, None,
                                     args.large_requests, args.firsts, args.rerenders, args.timeout, args.cache_dir,
                                     args.large_per_connection, formats_reps=args.formats_reps)
        print("scaling:", flush=True)
        result["scaling"] = scaling_phase(binary, server_args, scaling_photos, open(small, "rb").read(),
                                          args.scaling_reps, args.timeout, args.cache_dir)
    except KeyboardInterrupt as stop:
        sys.exit(f"interrupted ({stop}); servers stopped, nothing written")
    load_end = os.getloadavg()
    result["machine"]["load_average_at_start"] = list(load_start)
    result["machine"]["load_average_at_end"] = list(load_end)
    result["duration_s"] = round(time.time() - started, 1)

    small_r, large_r = result["small"], result["large"]
    c1 = next((p for p in large_r["load"] if p["concurrency"] == 1), None)
    twelve = next((r for r in result["scaling"] if r["megapixels"] == 12), None)
    ratio_small = small_r["rerender"].get("rerender_over_first")
    ratio_large = large_r["rerender"].get("rerender_over_first")
    large_ms = c1["p50_ms"] if c1 else None
    result["goals"] = {
        "twelve_mp_under_2_5_s": large_ms is not None and args.large_mp == 12 and large_ms < 2500,
        "twelve_mp_basis": "p50 end-to-end latency of the 12 MP photo at concurrency 1 (JPEG answer)",
        "twelve_mp_ms": large_ms,
        "twelve_mp_scaling_median_ms": twelve["first_median_ms"] if twelve else None,
        "rss_under_1_gib": large_r["peak_rss_mib_after"]["rerender"] * MIB < GIB,
        "rss_basis": "server VmHWM over the 12 MP phase's JPEG answers (load at every concurrency, first and re-renders), before the formats phase",
        "rss_peak_mib": large_r["peak_rss_mib_after"]["rerender"],
        "rss_with_formats_mib": large_r["peak_rss_mib"],
        "rerender_at_most_15_percent": {
            "small": ratio_small is not None and ratio_small <= 0.15,
            "large": ratio_large is not None and ratio_large <= 0.15,
        },
        "rerender_over_first": {"small": ratio_small, "large": ratio_large},
        "refinement": {
            "small_ms": small_r["rerender"].get("refinement_ms"),
            "small_at_most_15_ms": (small_r["rerender"].get("refinement_ms") or 1e9) <= 15,
            "large_ratio": large_r["rerender"].get("first_over_unrefined"),
            "large_at_most_10_percent": (large_r["rerender"].get("first_over_unrefined") or 1e9) <= 1.10,
            "basis": "median default first request (JSON answer, discovered map snapped) vs the same with refine=false, alternating on one server",
        },
    }
    problems = []
    for name in ("small", "large"):
        r = result[name]
        if r["warmup"]["status"] != 200:
            problems.append(f"{name} warm-up: {r['warmup']['status']}")
        for p in r["load"]:
            if p["non_200"]:
                problems.append(f"{name} c={p['concurrency']}: {p['non_200']} non-200 answers {p['statuses']}")
        problems += [f"{name}: {x}" for x in r["rerender"].get("problems", [])]
        problems += [f"{name} server log: {x}" for x in r.get("server_log_errors", [])]
    for row in result["scaling"]:
        if row["non_200"]:
            problems.append(f"scaling {row['megapixels']} MP: non-200 {row['non_200']}")
    result["problems"] = problems

    subtitle = (f"{result['machine']['cores']} cores, {result['machine']['cpu']}, load average "
                f"{load_start[0]:.1f} -> {load_end[0]:.1f}")
    if args.plot:
        result["plot"] = {"path": shown(args.plot),
                          "drawn_with": plot(result["scaling"], args.plot, subtitle, args.scaling_reps)}
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(result, f, indent=2, sort_keys=True, ensure_ascii=False)
            f.write("\n")

    # ---- the table
    cfg = small_r.get("server", {})
    print()
    print(f"semadjust serve end to end, loopback — {subtitle}")
    print(f"server: {cfg.get('workers', '?')} worker(s) x {cfg.get('threads_per_job', '?')} thread(s), "
          f"queue {cfg.get('queue', '?')}; POST /v1/adjust, JPEG answer")
    print(f"{'photo':<11} {'c':>2} {'n':>5} {'non-200':>7} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>7}  peak RSS MiB")
    for r in (small_r, large_r):
        for p in r["load"]:
            print(f"{r['size']:<11} {p['concurrency']:>2} {p['n']:>5} {p['non_200']:>7} {fmt(p['p50_ms']):>8} "
                  f"{fmt(p['p99_ms']):>8} {fmt(p['rps'], '.2f'):>7}  {r['peak_rss_mib_after'].get('c%d' % p['concurrency'])}")
        print(f"{'':<11} peak RSS of the phase (VmHWM): {r['peak_rss_mib']} MiB (idle after start {r['rss_idle_mib']} MiB)")
    print()
    print("first request vs re-render (image_id + edited map), JSON answers, one at a time")
    print(f"{'photo':<11} {'first ms':>9} {'re-render ms':>13} {'ratio':>7}  goal <= 0.15 {'snapped ms':>11} {'ratio':>7}")
    for r in (small_r, large_r):
        rr = r["rerender"]
        ratio, snapped = rr.get("rerender_over_first"), rr.get("rerender_refined_over_first")
        print(f"{r['size']:<11} {fmt(rr.get('first_median_ms')):>9} {fmt(rr.get('rerender_median_ms')):>13} "
              f"{fmt(ratio, '.3f'):>7}  {'yes' if ratio is not None and ratio <= 0.15 else 'NO ':<12} "
              f"{fmt(rr.get('rerender_refined_median_ms')):>11} {fmt(snapped, '.3f'):>7}")
    print()
    print("edge refinement of the discovered map: the default first request (snapped) vs refine=false, alternating")
    print(f"{'photo':<11} {'refine=false ms':>16} {'default ms':>11} {'cost ms':>8} {'ratio':>7}  goal")
    for r, goal in ((small_r, "<= 15 ms"), (large_r, "<= 1.10")):
        rr = r["rerender"]
        print(f"{r['size']:<11} {fmt(rr.get('first_unrefined_median_ms')):>16} {fmt(rr.get('first_median_ms')):>11} "
              f"{fmt(rr.get('refinement_ms'), '.1f'):>8} {fmt(rr.get('first_over_unrefined'), '.3f'):>7}  {goal}")
    print()
    for r in (small_r, large_r):
        rr = r["rerender"]
        for kind in ("first", "first_unrefined", "rerender", "rerender_refined"):
            stages = rr.get(f"{kind}_server_timings_median_ms", {})
            print(f"{r['size']:<11} {kind:<16} server timings_ms: " + ", ".join(f"{k} {v:g}" for k, v in stages.items()))
    print()
    print("scaling: first request (JPEG answer, median of %d) and peak RSS, a fresh server per size" % args.scaling_reps)
    print(f"{'MP':>4} {'size':<11} {'first ms':>9} {'ms/MP':>7} {'peak RSS MiB':>13}")
    for row in result["scaling"]:
        t = row["first_median_ms"]
        print(f"{row['megapixels']:>4} {row['size']:<11} {fmt(t):>9} {fmt(t / row['megapixels'] if t else None):>7} "
              f"{row['peak_rss_mib']:>13}")
    if any("formats" in result.get(k, {}) for k in ("small", "large")):
        print()
        print("output formats: first request and re-render (image_id + edited map, as painted), image answer, median of "
              f"{args.formats_reps}; JPEG re-encodes only the touched segments, the others the whole photo")
        print(f"{'photo':<11} {'format':<14} {'first ms':>9} {'encode ms':>10} {'re-render ms':>13} {'encode ms':>10} {'ratio':>7} {'bytes':>10} {'VmHWM MiB':>10}")
        for key in ("small", "large"):
            for fmt_name, row in result.get(key, {}).get("formats", {}).items():
                if not isinstance(row, dict):
                    continue
                print(f"{result[key].get('size', key):<11} {fmt_name:<14} {fmt(row['first_median_ms']):>9} {fmt(row['encode_median_ms'], '.1f'):>10} "
                      f"{fmt(row['rerender_median_ms']):>13} {fmt(row['rerender_encode_median_ms'], '.1f'):>10} "
                      f"{fmt(row['rerender_over_first'], '.3f'):>7} {row['bytes']:>10} {fmt(row['peak_rss_mib_after'], '.1f'):>10}")
    g = result["goals"]
    print()
    print(f"goals: 12 MP under 2.5 s: {g['twelve_mp_under_2_5_s']} ({fmt(g['twelve_mp_ms'])} ms p50 at c=1); "
          f"RSS under 1 GiB: {g['rss_under_1_gib']} ({g['rss_peak_mib']} MiB); re-render <= 15 %: "
          f"small {g['rerender_at_most_15_percent']['small']} ({fmt(ratio_small, '.3f')}), "
          f"large {g['rerender_at_most_15_percent']['large']} ({fmt(ratio_large, '.3f')})")
    print(f"load average: start {' '.join(f'{x:.2f}' for x in load_start)}, end {' '.join(f'{x:.2f}' for x in load_end)}; "
          f"{result['duration_s']} s")
    for p in problems:
        print("problem:", p)
    if args.out:
        print(f"wrote {shown(args.out)}"
              + (f" and {result['plot']['path']}" if args.plot else ""))


if __name__ == "__main__":
    main()
