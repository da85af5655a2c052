#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<Target>/ (committed; rerun after changing a seed).

Small valid inputs of each format, so that libFuzzer starts from the interesting grammar instead
of discovering CRLF and PNG chunk CRCs on its own. Images come from Tests/ImagingTests/Fixtures,
weights from Tests/InferenceTests/Fixtures; maps and safetensors files are built here.
"""
import json
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
IMAGING = os.path.join(ROOT, "Tests/ImagingTests/Fixtures")
INFERENCE = os.path.join(ROOT, "Tests/InferenceTests/Fixtures")


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def png(width, height, color_type, rows, bit_depth=8):
    """A minimal PNG: rows are lists of sample bytes (filter type 0 prepended here)."""
    def chunk(kind, payload):
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def main():
    shutil.rmtree(os.path.join(HERE, "corpus"), ignore_errors=True)

    # Request heads (first byte: where the fuzzer splits the read).
    heads = {
        "get": b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "post_cl": b"POST /v1/adjust HTTP/1.1\r\nHost: localhost:8080\r\nContent-Length: 12\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n\r\n",
        "post_chunked": b"POST /v1/adjust HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
        "absolute": b"GET http://example.com/v1/styles?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, close\r\n\r\n",
        "http10": b"\r\nHEAD /healthz HTTP/1.0\r\nConnection: keep-alive\r\nX-Request-Id: abc\r\n\r\n",
        "options_star": b"OPTIONS * HTTP/1.1\r\nHost: a\r\nOrigin: http://x\r\nAccess-Control-Request-Method: POST\r\n\r\n",
        "connect": b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
        "cl_te": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    }
    for i, (name, head) in enumerate(heads.items()):
        write("FuzzRequestHead", name, bytes([7 * i + 3]) + head)

    # Chunked bodies (first byte: the piece size minus one).
    chunked = {
        "simple": b"5\r\nhello\r\n0\r\n\r\n",
        "extensions": b"3;name=value;x\r\nabc\r\nA \t;e=\"q\"\r\n0123456789\r\n0\r\n\r\n",
        "trailers": b"4\r\nwiki\r\n0\r\nExpires: never\r\nX-Checksum: abc\r\n\r\n",
        "uppercase_hex": b"1F\r\n" + b"x" * 31 + b"\r\n0\r\n\r\ntrailing",
    }
    for i, (name, body) in enumerate(chunked.items()):
        write("FuzzChunked", name, bytes([i * 5]) + body)

    # Multipart forms (first byte: piece size; then Content-Type, LF, body).
    ct = b"multipart/form-data; boundary=XyZ\n"
    form = (b"--XyZ\r\nContent-Disposition: form-data; name=\"style\"\r\n\r\npopout\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            b"\xff\xd8\xff\xe0--X\r\n--Xy\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"quality\"\r\n\r\n90\r\n--XyZ--\r\nepilogue")
    write("FuzzMultipart", "form", b"\x03" + ct + form)
    write("FuzzMultipart", "quoted_boundary", b"\x10" + b"multipart/form-data; charset=utf-8; boundary=\"a b'()+_,-./:=?\"\n"
          + b"preamble\r\n--a b'()+_,-./:=?  \r\ncontent-disposition: form-data; name=x; filename*=UTF-8''%E2%82%AC.png\r\n\r\nv\r\n--a b'()+_,-./:=?--")
    write("FuzzMultipart", "empty_form", b"\x00" + ct + b"--XyZ--\r\n")
    write("FuzzMultipart", "unterminated", b"\x01" + ct + b"--XyZ\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\nabc")

    # Images: small fixtures of each kind, and a few hostile ones.
    for name in ["baseline420.jpg", "baseline444.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg", "icc.jpg", "orient6.jpg",
                 "hostile/jpeg_60000x60000.jpg", "hostile/progressive_cut.jpg"]:
        write("FuzzJPEG", os.path.basename(name), open(os.path.join(IMAGING, name), "rb").read())
    for name in ["rgb8.png", "rgba8.png", "gray1.png", "gray4.png", "gray16.png", "graya8.png", "palette4_trns.png",
                 "palette8.png", "rgb8_interlaced.png", "exif6.png", "icc.png", "hostile/png_100000x100000.png"]:
        write("FuzzPNG", os.path.basename(name), open(os.path.join(IMAGING, name), "rb").read())

    formats = os.path.join(IMAGING, "formats")
    for target, names in [("FuzzWebP", ["lossless.webp", "lossy.webp", "alpha.webp", "exif6.webp", "animated.webp"]),
                          ("FuzzHEIF", ["photo.heic", "alpha.heic", "display-p3.heic", "photo.avif", "tenbit.avif",
                                        "display-p3-nclx.avif"]),
                          ("FuzzTIFF", ["rgb.tif", "lzw.tif", "gray.tif", "orient6.tif", "alpha.tif", "rgb16.tif"])]:
        for name in names:
            write(target, name, open(os.path.join(formats, name), "rb").read())

    # User maps (first three bytes: K-2, photo width-1, photo height-1).
    labels = [[(x + y) % 3 for x in range(8)] for y in range(6)]
    write("FuzzUserMap", "labels_k3", bytes([1, 15, 11]) + png(8, 6, 0, labels))
    write("FuzzUserMap", "labels_rgb_k4", bytes([2, 7, 5]) + png(8, 6, 2, [[v for x in r for v in (x, x, x)] for r in labels]))
    write("FuzzUserMap", "weights_gray_alpha_k2", bytes([0, 3, 3]) + png(4, 4, 4, [[v for x in range(4) for v in (x * 60, 255 - x * 60)] for _ in range(4)]))
    write("FuzzUserMap", "weights_rgb_k3", bytes([1, 4, 4]) + png(5, 5, 2, [[v for x in range(5) for v in (x * 50, 255 - x * 50, 7)] for _ in range(5)]))
    write("FuzzUserMap", "weights_rgba_k4", bytes([2, 2, 9]) + png(3, 3, 6, [[v for x in range(3) for v in (x, 1, 2, 3)] for _ in range(3)]))
    write("FuzzUserMap", "zero_weights_k3", bytes([1, 2, 2]) + png(2, 2, 2, [[0] * 6, [0] * 6]))
    write("FuzzUserMap", "wide_k3", bytes([1, 63, 0]) + png(200, 1, 0, [[x % 3 for x in range(200)]]))

    # Safetensors: tiny synthetic files of every dtype the loader reads, and the tiny test model.
    write("FuzzSafetensors", "f32", safetensors({"w": ("F32", [2, 3], struct.pack("<6f", 1, 2, 3, 4, 5, 6))}, {"format": "pt"}))
    write("FuzzSafetensors", "mixed", safetensors({
        "a": ("F16", [4], struct.pack("<4e", 1, -2, 0.5, 65504)),
        "b": ("BF16", [1, 2, 1], b"\x80\x3f\x00\xc0"),
        "c": ("U8", [3], b"\x00\x7f\xff"),
        "scalar": ("F32", [], struct.pack("<f", 3.25)),
        "empty": ("F32", [0, 4], b""),
    }))
    write("FuzzSafetensors", "i64_unsupported", safetensors({"i": ("I64", [1], struct.pack("<q", 7))}))
    write("FuzzSafetensors", "tiny-model", open(os.path.join(INFERENCE, "tiny-model.safetensors"), "rb").read())


if __name__ == "__main__":
    main()
