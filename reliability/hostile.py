#!/usr/bin/env python3
"""Hostile inputs over real sockets against the real `semadjust serve` (tiny test model).

Every case sends something malformed or abusive, checks the status (and that errors are RFC 9457
problem+json), then checks that a normal adjust request right after still succeeds and that the
process is alive. Writes rows to reliability/results/hostile.json. Loopback only, bounded sizes."""
import json
import os
import random
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (BOUNDARY, HOST, Results, Server, adjust_request, connect, exchange, fixture, form, human,  # noqa: E402
                    is_problem, normal_adjust, photo, read_response, request)

MAX_BODY = 8 << 20  # the hostile server's --max-body-bytes, so "too large" costs 8 MiB, not 64


def png(width, height, color_type, rows, bit_depth=8):
    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def flipped(data, seed, flips):
    rng = random.Random(seed)
    out = bytearray(data)
    # Keep the first bytes (signature) so the format is still recognised and the decoder runs.
    for _ in range(flips):
        i = rng.randrange(4, len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


class Suite:
    def __init__(self, server, results):
        self.server = server
        self.port = server.port
        self.results = results
        styles = json.loads(request("GET", "/v1/styles", self.port)[2])
        style = styles["styles"][0] if isinstance(styles, dict) else styles[0]
        self.k = style["K"]

    def check(self, group, case, sent, amount, expected, outcome, problem_required=True, note="", expected_text=None):
        """outcome: (status, headers, body) or an exception. expected: set of statuses."""
        if isinstance(outcome, Exception):
            got = f"no response ({type(outcome).__name__}: {outcome})"
            ok = "closed" in expected
        else:
            status, headers, body = outcome
            got = str(status)
            ok = status in expected
            if 400 <= status and problem_required:
                if is_problem(headers, body):
                    try:
                        detail = json.loads(body).get("detail", "")
                    except ValueError:
                        detail = ""
                    got += f" problem+json ({detail[:90]})" if detail else " problem+json"
                else:
                    got += " (not problem+json)"
                    ok = False
        follow_ok, follow_status = normal_adjust(self.port)
        alive = self.server.alive()
        lost = "nothing" if follow_ok and alive else f"follow-up adjust got {follow_status}, server alive={alive}"
        want = expected_text or " or ".join(str(e) for e in sorted(expected, key=str))
        self.results.add(group, case, sent, amount, want, got, lost, ok and follow_ok and alive, note)

    def send(self, raw, timeout=30, chunks=None):
        try:
            return exchange(raw, self.port, timeout, chunks)
        except Exception as error:  # noqa: BLE001 - a refusal by closing is an outcome too
            return error

    def post(self, body, **kw):
        return self.send(adjust_request(self.port, body, **kw))

    # MARK: request smuggling

    def smuggling(self):
        g = "smuggling"
        hidden = b"GET /v1/styles HTTP/1.1\r\nHost: x\r\n\r\n"
        body = b"0\r\n\r\n" + hidden
        base = f"POST /v1/adjust HTTP/1.1\r\nHost: {HOST}\r\n"
        vectors = [
            ("CL + TE (CL.TE)", f"Content-Length: {len(body)}\r\nTransfer-Encoding: chunked\r\n", {400}),
            ("TE + CL (TE.CL order)", f"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", {400}),
            ("duplicate Content-Length, different", "Content-Length: 5\r\nContent-Length: 41\r\n", {400}),
            ("duplicate Content-Length, equal", f"Content-Length: {len(body)}\r\nContent-Length: {len(body)}\r\n", {400}),
            ("Content-Length list '5, 41'", "Content-Length: 5, 41\r\n", {400}),
            ("Content-Length '+41'", "Content-Length: +41\r\n", {400}),
            ("Content-Length hex '0x29'", "Content-Length: 0x29\r\n", {400}),
            ("Content-Length negative", "Content-Length: -1\r\n", {400}),
            # RFC 9112 §6.3: a request whose final coding is not chunked cannot be framed: 400, not 501.
            ("TE 'xchunked'", "Transfer-Encoding: xchunked\r\n", {400}),
            ("TE 'chunked, identity' (chunked not last)", "Transfer-Encoding: chunked, identity\r\n", {400, 501}),
            ("TE 'gzip, chunked' (unsupported coding)", "Transfer-Encoding: gzip, chunked\r\n", {501}),
            ("TE twice: chunked + x", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", {400, 501}),
            ("TE with space before colon", "Transfer-Encoding : chunked\r\n", {400}),
            ("TE obs-fold", "Transfer-Encoding:\r\n chunked\r\n", {400}),
            ("TE with vertical tab", "Transfer-Encoding:\x0bchunked\r\n", {400}),
            ("TE 'chunked' + NUL", "Transfer-Encoding: chunked\x00\r\n", {400}),
            ("TE quoted '\"chunked\"'", "Transfer-Encoding: \"chunked\"\r\n", {400, 501}),
            ("TE bare LF line end", "Transfer-Encoding: chunked\n", {400}),
        ]
        for name, fields, expected in vectors:
            raw = (base + fields + "\r\n").encode() + body
            outcome = self.send(raw)
            note = ""
            if not isinstance(outcome, Exception):
                # The hidden request must never be answered: the connection ends after the refusal.
                status, headers, rest = outcome
                if b"HTTP/1.1" in rest or headers.get("connection", "").lower() != "close":
                    note = "hidden request answered or connection kept"
                    expected = set()
            self.check(g, name, "POST with a hidden second request in the body", human(len(raw)), expected, outcome, note=note)
        # TE on HTTP/1.0: chunked did not exist there.
        raw = f"POST /v1/adjust HTTP/1.0\r\nHost: {HOST}\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + body
        self.check(g, "TE chunked on HTTP/1.0", "HTTP/1.0 POST, TE chunked", human(len(raw)), {400}, self.send(raw))
        # Pipelined requests with proper framing: both answered, in order (control for the above).
        two = (f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\nGET /v1/styles HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n").encode()
        try:
            # Read to EOF (the second asks to close) and split there: both answers may arrive in one read.
            with connect(self.port) as s:
                s.sendall(two)
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            answers = data.split(b"HTTP/1.1 ")[1:]
            in_order = len(answers) == 2 and answers[0].startswith(b"200") and answers[0].endswith(b"ok\n") \
                and answers[1].startswith(b"200") and b'"K"' in answers[1]
            outcome = (200, {}, b"") if in_order else ConnectionError(f"{len(answers)} answers, in order: {in_order}")
        except Exception as error:  # noqa: BLE001
            outcome = error
        self.check(g, "pipelined pair (control)", "two framed GETs in one write", human(len(two)), {200}, outcome)

    # MARK: header floods

    def floods(self):
        g = "header flood"
        base = f"GET /v1/styles HTTP/1.1\r\nHost: {HOST}\r\n"
        many = "".join(f"X-Flood-{i}: {i}\r\n" for i in range(500))
        self.check(g, "500 header fields", "GET with 500 fields (limit 100)", human(len(many)), {431}, self.send((base + many + "\r\n").encode()))
        big = "X-Big: " + "a" * (64 << 10) + "\r\n"
        self.check(g, "one 64 KiB header", "a 64 KiB field value (head limit 32 KiB)", "64 KiB", {431}, self.send((base + big + "\r\n").encode()))
        line = f"GET /{'a' * (16 << 10)} HTTP/1.1\r\nHost: {HOST}\r\n\r\n"
        self.check(g, "16 KiB request line", "request line of 16 KiB (limit 8 KiB)", "16 KiB", {414}, self.send(line.encode()))
        # An endless head: fields keep coming, no blank line. Refused once past the limit.
        endless = [base.encode()] + [f"X-More-{i}: {'b' * 200}\r\n".encode() for i in range(2000)]
        self.check(g, "endless header section", "fields streamed without end (2000 × 200 B)", "~420 KiB offered", {431, "closed"},
                   self.send(b"", chunks=endless))
        cookies = "".join(f"Cookie: c{i}={'x' * 300}\r\n" for i in range(99))
        self.check(g, "99 × 300 B cookies (control)", "99 fields, 30.6 KB: just under both limits", human(len(cookies)), {200},
                   self.send((base + cookies + "\r\n").encode()), problem_required=False)
        cookies = "".join(f"Cookie: c{i}={'x' * 330}\r\n" for i in range(99))
        self.check(g, "99 × 330 B cookies", "99 fields (count limit 100) summing past 32 KiB", human(len(cookies)), {431}, self.send((base + cookies + "\r\n").encode()))
        self.check(g, "HTTP/2 preface", "PRI * HTTP/2.0 connection preface", "24 B",
                   {400, 505}, self.send(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
        self.check(g, "HTTP/3.0 version", "GET / HTTP/3.0", "small", {505}, self.send(f"GET / HTTP/3.0\r\nHost: {HOST}\r\n\r\n".encode()))
        self.check(g, "binary garbage", "4 KiB of random bytes as a head", "4 KiB", {400, "closed"},
                   self.send(random.Random(5).randbytes(4096)))
        self.check(g, "NUL in a header", "GET with NUL inside a field value", "small", {400},
                   self.send((base + "X-A: a\x00b\r\n\r\n").encode()))

    # MARK: chunked bodies

    def chunked(self):
        g = "chunked body"
        head = (f"POST /v1/adjust HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
        good = form([("image", photo(), "p.jpg")])
        chunks = [head] + [f"{len(good[i:i + 100]):x}\r\n".encode() + good[i:i + 100] + b"\r\n" for i in range(0, len(good), 100)] + [b"0\r\n\r\n"]
        self.check(g, "valid chunked form (control)", "the photo form in 100-byte chunks", human(len(good)), {200}, self.send(b"", chunks=chunks), problem_required=False)
        self.check(g, "chunk size 2^64-1", "'FFFFFFFFFFFFFFFF' as the chunk size", "small", {413},
                   self.send(head + b"FFFFFFFFFFFFFFFF\r\n"))
        self.check(g, "chunk size with 40 digits", "40 hex digits", "small", {413}, self.send(head + b"1" * 40 + b"\r\n"))
        self.check(g, "chunk size not hex", "'zz' as the chunk size", "small", {400}, self.send(head + b"zz\r\nab\r\n0\r\n\r\n"))
        self.check(g, "data longer than its size", "size 2, 5 bytes of data", "small", {400}, self.send(head + b"2\r\nabcde\r\n0\r\n\r\n"))
        self.check(g, "chunk extension flood", "a 4 KiB chunk extension", "4 KiB", {400}, self.send(head + b"1;" + b"e" * 4096 + b"\r\na\r\n0\r\n\r\n"))
        self.check(g, "trailer flood", "a 16 KiB trailer section", "16 KiB", {431},
                   self.send(head + b"1\r\na\r\n0\r\n" + b"".join(f"X-T{i}: {'t' * 100}\r\n".encode() for i in range(160)) + b"\r\n"))
        # Huge: 1 MiB chunks past the body limit; the server must stop at 8 MiB with 413.
        mib = b"x" * (1 << 20)
        huge = [head] + [b"100000\r\n" + mib + b"\r\n" for _ in range(12)] + [b"0\r\n\r\n"]
        self.check(g, "huge chunked body (12 MiB, limit 8)", "twelve 1 MiB chunks", "12 MiB", {413, "closed"}, self.send(b"", chunks=huge, timeout=60),
                   note="refused at the limit; the rest is not read")
        # Endless: chunks keep coming until the server refuses; the client gives up after 64 MiB.
        sent = 0
        outcome = None
        try:
            with connect(self.port, 60) as s:
                s.sendall(head)
                s.settimeout(0.5)
                while sent < (64 << 20):
                    try:
                        s.sendall(b"10000\r\n" + b"y" * 0x10000 + b"\r\n")
                        sent += 0x10000
                    except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
                        break
                outcome = read_response(s, 30)
        except Exception as error:  # noqa: BLE001
            outcome = error
        self.check(g, "endless chunked body", "64 KiB chunks until refused", f"{human(sent)} offered (the client stops at 64 MiB; past the 413 the server drains for its lingering close)", {413, "closed"}, outcome)

    # MARK: multipart

    def multipart(self):
        g = "multipart"
        img = photo()
        body = form([("image", img, "p.jpg")], close=False)
        self.check(g, "no closing boundary", "form ends without --boundary--", human(len(body)), {400}, self.post(body))
        body = form([("image", img, "p.jpg")])[:-40]
        self.check(g, "cut inside the image part", "form truncated mid-part", human(len(body)), {400}, self.post(body))
        self.check(g, "boundary not in body", "Content-Type boundary differs from the body's", human(len(body)), {400},
                   self.post(form([("image", img, "p.jpg")], boundary="other")))
        self.check(g, "no boundary parameter", "multipart/form-data without boundary", "small", {400},
                   self.post(form([("image", img, "p.jpg")]), content_type="multipart/form-data"))
        self.check(g, "photo as the body", "image/jpeg body posted directly (a supported way in)", human(len(img)), {200},
                   self.post(img, content_type="image/jpeg"), problem_required=False)
        self.check(g, "not multipart", "the photo posted as text/plain", human(len(img)), {415},
                   self.post(img, content_type="text/plain"))
        self.check(g, "boundary of 200 chars", "boundary parameter past 70 chars", "small", {400},
                   self.post(form([("x", b"1", None)], boundary="b" * 200), content_type="multipart/form-data; boundary=" + "b" * 200))
        many = form([(f"f{i}", b"1", None) for i in range(5000)])
        self.check(g, "5000 parts", "5000 tiny fields", human(len(many)), {400, 413}, self.post(many))
        head_flood = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"image\"\r\n".encode() + b"".join(
            f"X-H{i}: {'h' * 100}\r\n".encode() for i in range(200)) + b"\r\nabc\r\n" + f"--{BOUNDARY}--\r\n".encode()
        self.check(g, "part header flood", "one part with 20 KiB of headers", human(len(head_flood)), {400, 413, 431}, self.post(head_flood))
        self.check(g, "unknown field", "a field 'evil' next to the image", "small", {400}, self.post(form([("image", img, "p.jpg"), ("evil", b"1", None)])))
        self.check(g, "image twice", "two image fields", "small", {400}, self.post(form([("image", img, "p.jpg"), ("image", img, "q.jpg")])))
        self.check(g, "empty form", "only the close delimiter", "small", {400}, self.post(f"--{BOUNDARY}--\r\n".encode()))
        self.check(g, "quality 1000", "quality out of range (a value the pipeline judges: 422)", "small", {422}, self.post(form([("image", img, "p.jpg"), ("quality", b"1000", None)])))
        self.check(g, "max_side -5", "negative max_side (422, like quality)", "small", {422}, self.post(form([("image", img, "p.jpg"), ("max_side", b"-5", None)])))
        self.check(g, "unknown style", "style=../../etc/passwd", "small", {422}, self.post(form([("image", img, "p.jpg"), ("style", b"../../etc/passwd", None)])))
        self.check(g, "bad image_id", "image_id of 5000 bytes", "5 KiB", {400}, self.post(form([("image_id", b"z" * 5000, None)])))
        self.check(g, "unknown image_id", "32 hex digits never issued", "small", {404}, self.post(form([("image_id", b"0" * 32, None)])))
        # Declared too large: refused from the head, before any body byte is read.
        raw = (f"POST /v1/adjust HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
               f"Content-Length: {100 << 20}\r\nExpect: 100-continue\r\n\r\n").encode()
        self.check(g, "Content-Length 100 MiB with Expect", "head only, 100-continue never earned", "head", {413}, self.send(raw))
        raw = raw.replace(b"Expect: 100-continue\r\n", b"")
        self.check(g, "Content-Length 100 MiB", "head, then the server must not wait for the body", "head", {413}, self.send(raw))

    # MARK: images

    def images(self):
        g = "image"
        hostile = "hostile/"
        for name, expected in [("jpeg_60000x60000.jpg", {413}), ("jpeg_65535_wide.jpg", {413}), ("jpeg_10000x9000.jpg", {413}),
                               ("png_100000x100000.png", {413}), ("png_10000x9000.png", {413}),
                               ("png_chunk_length_4g.png", {413, 422}), ("scans190.jpg", {413, 422}),
                               ("jpeg_cut_in_scan.jpg", {422}), ("jpeg_cut_in_header.jpg", {422}),
                               ("png_cut_in_idat.png", {422}), ("png_idat_crc.png", {422}),
                               ("jpeg_bad_huffman_counts.jpg", {422}), ("jpeg_zero_width.jpg", {422}),
                               ("png_zero_width.png", {422}), ("gif.gif", {415}), ("soi_only.jpg", {422})]:
            data = fixture(hostile + name)
            self.check(g, name, "hostile fixture as image", human(len(data)), expected, self.post(form([("image", data, name)])))
        # WebP, HEIC, AVIF and TIFF: per format a decode bomb, the wrong magic and a cut file
        # (Fixtures/formats/make_formats.py), each as a form part and as a body of its own.
        manifest = json.loads(fixture("formats/formats.json"))
        statuses = {"tooManyPixels": {413}, "sideTooLarge": {413}, "sizeLimit": {413}, "unrecognizedFormat": {415},
                    "truncated": {422}, "corrupt": {422}, "truncatedOrCorrupt": {422}}
        for case in manifest["hostile"]:
            data = fixture("formats/" + case["file"])
            expected = statuses[case["error"]]
            self.check(g, case["file"], f"{case['error']} (formats fixture) as image", human(len(data)), expected,
                       self.post(form([("image", data, case["file"])])))
            self.check(g, case["file"] + " as the body", f"{case['error']}, Content-Type image/*", human(len(data)), expected,
                       self.post(data, content_type="image/" + case["file"].rsplit(".", 1)[1]))
        # A PNG declaring 100k x 100k whose IDAT really inflates a lot: refused from IHDR.
        self.check(g, "random bytes", "8 KiB of random bytes", "8 KiB", {415}, self.post(form([("image", random.Random(9).randbytes(8192), "r.bin")])))
        real = photo()
        for half in [len(real) // 2, 200]:
            cut = real[:half]
            self.check(g, f"photo truncated to {half} B", "the normal photo cut short", human(half), {200, 422},
                       self.post(form([("image", cut, "cut.jpg")])), note="libjpeg pads a cut scan; a cut header is 422")
        pngs = fixture("rgb8.png")
        counts = {}
        worst = None
        for seed in range(40):
            for name, data in [("jpg", real), ("png", pngs)]:
                outcome = self.post(form([("image", flipped(data, seed, 1 + seed % 8), f"f.{name}")]))
                status = outcome[0] if not isinstance(outcome, Exception) else "no response"
                counts[status] = counts.get(status, 0) + 1
                bad = isinstance(outcome, Exception) or status >= 500 or (status >= 400 and not is_problem(outcome[1], outcome[2]))
                if bad:
                    worst = outcome
        got = ", ".join(f"{v}×{k}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
        # Summarised as one row: "200" stands for "every upload answered 200 or a 4xx problem".
        outcome = worst if worst is not None else (200, {}, b"")
        self.check(g, "80 bit-flipped images", "photo JPEG and RGB PNG with 1–8 flipped bits each", "80 uploads",
                   {200}, outcome, note=f"statuses {got}", expected_text="each 200 or a 4xx problem+json, never 5xx")

    # MARK: maps

    def maps(self):
        g = "map"
        k = self.k
        img = photo()

        def post_map(data):
            return self.post(form([("image", img, "p.jpg"), ("map", data, "m.png")]))
        self.check(g, "1×1 label map", "one pixel, label 0 (stretched to the photo)", "1 px", {200}, post_map(png(1, 1, 0, [[0]])), problem_required=False)
        wide = png(20000, 1, 0, [[i % k for i in range(20000)]])
        self.check(g, "20000×1 label map", "a 20000-pixel line of labels", human(len(wide)), {200, 422}, post_map(wide), problem_required=False,
                   note="valid but absurd: resized to the photo")
        self.check(g, f"label {k} with K={k}", "every pixel one index past the last preset", "8×8", {422},
                   post_map(png(8, 8, 0, [[k] * 8] * 8)))
        self.check(g, "label 255", "indices far past K", "8×8", {422}, post_map(png(8, 8, 0, [[255] * 8] * 8)))
        wrong = 3 if k != 3 else 2
        channels = {2: 4, 3: 2, 4: 6}
        if k not in channels:
            self.check(g, "colour map for K without a layout", "RGB with unequal channels", "8×8", {422},
                       post_map(png(8, 8, 2, [[1, 2, 3] * 8] * 8)))
        else:
            self.check(g, f"weights with {wrong} channels for K={k}", "a weight PNG with the wrong channel count",
                       "8×8", {422}, post_map(png(8, 8, channels.get(wrong, 2), [[1, 2, 3] * 8] * 8 if wrong == 3 else [[1, 2] * 8] * 8)))
        if k in channels:
            zero = png(4, 4, channels[k], [[0] * (4 * k)] * 4)
            self.check(g, "zero weights", f"{k}-channel weights all zero", "4×4", {422}, post_map(zero))
        else:
            self.check(g, "zero weights", "not applicable: K has no weight layout", "-", {422}, post_map(png(4, 4, 6, [[0] * 16] * 4)))
        bomb = fixture("hostile/png_100000x100000.png")
        self.check(g, "100000×100000 map", "PNG bomb as the map", human(len(bomb)), {413, 422}, post_map(bomb))
        self.check(g, "JPEG as map", "the photo itself as the map", human(len(img)), {422}, post_map(img))
        self.check(g, "empty map", "zero bytes", "0 B", {400, 422}, post_map(b""))
        self.check(g, "16-bit gray map", "16-bit samples", "8×8", {200, 422}, post_map(png(8, 8, 0, [[0, 0] * 8] * 8, bit_depth=16)),
                   problem_required=False, note="libpng strips to 8 bits: label 0 everywhere")
        self.check(g, "map with image_id of nothing", "map + unknown image_id", "small", {404},
                   self.post(form([("image_id", b"f" * 32, None), ("map", png(1, 1, 0, [[0]]), "m.png")])))


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(out, exist_ok=True)
    results = Results(os.path.join(out, "hostile.json"))
    server = Server("--workers", "1", "--queue", "8", "--max-body-bytes", str(MAX_BODY), "--shutdown-grace", "5")
    started = time.time()
    try:
        suite = Suite(server, results)
        for part in [suite.smuggling, suite.floods, suite.chunked, suite.multipart, suite.images, suite.maps]:
            part()
    finally:
        code = server.stop()
    print(f"hostile: {len(results.rows)} cases in {time.time() - started:.0f} s, {len(results.failures)} failed; server exit {code}")
    if results.failures:
        print(server.log_text()[-3000:])
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
