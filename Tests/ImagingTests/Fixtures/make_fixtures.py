#!/usr/bin/env python3
"""Generates the Imaging test fixtures next to this script.

Run:  python3 -m venv .venv && .venv/bin/pip install pillow scikit-image numpy
      .venv/bin/python Tests/ImagingTests/Fixtures/make_fixtures.py
Needs a C compiler and libjpeg-dev for the two files Pillow cannot write
(a 190-scan progressive JPEG and a YCCK JPEG).

Every expected value comes from an independent implementation, never from the
Swift code under test:
  * decoded JPEG pixels: Pillow (its own libjpeg-turbo), `ImageOps.exif_transpose`
    for orientation, `Image.convert("RGB")` for CMYK/YCCK;
  * decoded PNG pixels: computed in numpy from the arrays this script wrote with
    its own small PNG writer (first principles: 16→8 bit is round(v/257),
    compositing is round((c·a + bg·(255−a))/255)), cross-checked against Pillow
    where Pillow reads the same thing;
  * Lab: scikit-image `rgb2lab` / `lab2rgb`;
  * antialiased resize: Pillow `Image.resize` on mode "F" images;
  * bilinear: PyTorch's documented formula for
    F.interpolate(mode="bilinear", align_corners=False), implemented here in
    numpy float32 (no PyTorch needed): scale = in/out,
    src = max(scale·(dst + 0.5) − 0.5, 0), i0 = floor(src),
    i1 = i0 + (i0 < in − 1), l1 = src − i0, l0 = 1 − l1,
    out = (x[i0,j0]·w0 + x[i0,j1]·w1)·h0 + (x[i1,j0]·w0 + x[i1,j1]·w1)·h1.
  * hostile files: the expected error follows from how each file is built.
"""
import io
import json
import os
import struct
import subprocess
import tempfile
import warnings
import zlib

import numpy as np
from PIL import Image, ImageCms, ImageOps
from skimage.color import lab2rgb, rgb2lab

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get("FIXTURES_OUT", HERE)
rng = np.random.default_rng(20240611)
manifest = {"jpeg": [], "png": [], "hostile": []}


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def base_rgb(w, h):
    """Gradients, a hard edge and noise: exercises chroma and edge MCUs."""
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255 // max(w - 1, 1)).astype(np.int32)
    g = (y * 255 // max(h - 1, 1)).astype(np.int32)
    b = np.where((x // 6 + y // 6) % 2 == 0, 40, 210)
    img = np.stack([r, g, b], axis=-1) + rng.integers(-12, 13, size=(h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- JPEG
W, H = 45, 29  # not multiples of 8 or 16: partial MCUs at both edges
rgb = base_rgb(W, H)


def expected_from_pillow(data):
    im = Image.open(io.BytesIO(data))
    im = ImageOps.exif_transpose(im).convert("RGB")
    return np.asarray(im)


def add_jpeg(name, data, **extra):
    write(name, data)
    exp = expected_from_pillow(data)
    write(name + ".rgb", exp.tobytes())
    entry = {"file": name, "expected": name + ".rgb", "width": exp.shape[1], "height": exp.shape[0]}
    entry.update(extra)
    manifest["jpeg"].append(entry)


def pillow_jpeg(arr, mode="RGB", **kw):
    buf = io.BytesIO()
    im = Image.fromarray(arr) if mode == "RGB" else Image.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())
    im.save(buf, "JPEG", **kw)
    return buf.getvalue()


add_jpeg("baseline420.jpg", pillow_jpeg(rgb, quality=85, subsampling=2), orientation=1)
add_jpeg("baseline444.jpg", pillow_jpeg(rgb, quality=92, subsampling=0), orientation=1)
add_jpeg("progressive.jpg", pillow_jpeg(rgb, quality=85, progressive=True), orientation=1, progressive=True)
gray = (rgb.astype(np.int32).sum(axis=2) // 3).astype(np.uint8)
add_jpeg("gray.jpg", pillow_jpeg(gray, mode="L", quality=90), orientation=1)
cmyk = np.concatenate([255 - rgb, rng.integers(0, 80, size=(H, W, 1)).astype(np.uint8)], axis=2)
add_jpeg("cmyk.jpg", pillow_jpeg(cmyk, mode="CMYK", quality=90), orientation=1)

srgb_icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
# littleCMS stamps the creation time: pin it (and clear the MD5 profile ID,
# where zero means "not computed") so reruns produce identical files.
srgb_icc[24:36] = struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
srgb_icc[84:100] = bytes(16)
srgb_icc = bytes(srgb_icc)
write("srgb.icc", srgb_icc)
add_jpeg("icc.jpg", pillow_jpeg(rgb, quality=85, icc_profile=srgb_icc), orientation=1, icc="srgb.icc")

for o in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = o
    add_jpeg(f"orient{o}.jpg", pillow_jpeg(rgb, quality=90, exif=exif.tobytes()), orientation=o)

# The two files Pillow cannot write come from a tiny libjpeg program.
HELPER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
int main(int argc, char **argv) {
    /* mode: "scans" (RGB in, 190-scan progressive) or "ycck" (CMYK in) */
    const char *mode = argv[1]; int w = atoi(argv[3]), h = atoi(argv[4]);
    int comps = mode[0] == 's' ? 3 : 4;
    unsigned char *px = malloc((size_t)w * h * comps);
    FILE *in = fopen(argv[5], "rb"); fread(px, 1, (size_t)w * h * comps, in); fclose(in);
    struct jpeg_compress_struct c; struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e); jpeg_create_compress(&c);
    FILE *out = fopen(argv[2], "wb"); jpeg_stdio_dest(&c, out);
    c.image_width = w; c.image_height = h; c.input_components = comps;
    c.in_color_space = comps == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&c); jpeg_set_quality(&c, 90, TRUE);
    static jpeg_scan_info scans[1 + 3 * 63];
    if (comps == 3) {
        /* One DC scan, then every AC coefficient of every component alone:
           190 scans, all legal (spectral selection, no approximation). */
        int n = 0;
        scans[n].comps_in_scan = 3; for (int k = 0; k < 3; k++) scans[n].component_index[k] = k;
        scans[n].Ss = 0; scans[n].Se = 0; scans[n].Ah = 0; scans[n].Al = 0; n++;
        for (int comp = 0; comp < 3; comp++) for (int k = 1; k < 64; k++) {
            scans[n].comps_in_scan = 1; scans[n].component_index[0] = comp;
            scans[n].Ss = k; scans[n].Se = k; scans[n].Ah = 0; scans[n].Al = 0; n++;
        }
        c.scan_info = scans; c.num_scans = n;
    } else {
        jpeg_set_colorspace(&c, JCS_YCCK);
    }
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = px + (size_t)c.next_scanline * w * comps; jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c); fclose(out); jpeg_destroy_compress(&c); return 0;
}
"""
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "helper.c")
    exe = os.path.join(tmp, "helper")
    with open(src, "w") as f:
        f.write(HELPER)
    subprocess.check_call(["cc", "-O1", "-o", exe, src, "-ljpeg"])
    raw = os.path.join(tmp, "in.raw")
    with open(raw, "wb") as f:
        f.write(rgb.tobytes())
    subprocess.check_call([exe, "scans", os.path.join(tmp, "scans.jpg"), str(W), str(H), raw])
    with open(raw, "wb") as f:
        f.write(cmyk.tobytes())
    subprocess.check_call([exe, "ycck", os.path.join(tmp, "ycck.jpg"), str(W), str(H), raw])
    many_scans = open(os.path.join(tmp, "scans.jpg"), "rb").read()
    ycck = open(os.path.join(tmp, "ycck.jpg"), "rb").read()

add_jpeg("ycck.jpg", ycck, orientation=1)
# Decodes fine under a limit of 200 scans (checked against Pillow), and must be
# refused under the default limit of 100.
add_jpeg("scans190.jpg", many_scans, orientation=1, progressive=True, maxProgressiveScans=200)

# ---------------------------------------------------------------- PNG
def chunk(kind, payload):
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_rows(samples, bit_depth):
    """samples: (h, w*channels) ints -> list of row bytes (no filter byte)."""
    rows = []
    for row in samples:
        if bit_depth == 16:
            rows.append(row.astype(">u2").tobytes())
        elif bit_depth == 8:
            rows.append(row.astype(np.uint8).tobytes())
        else:
            per = 8 // bit_depth
            padded = np.concatenate([row, np.zeros((-len(row)) % per, dtype=row.dtype)])
            out = bytearray()
            for i in range(0, len(padded), per):
                v = 0
                for s in padded[i:i + per]:
                    v = (v << bit_depth) | int(s)
                out.append(v)
            rows.append(bytes(out))
    return rows


def png_bytes(samples, color_type, bit_depth, interlace=False, plte=None, trns=None, iccp=None, exif=None):
    """samples: (h, w, channels) integer array as stored."""
    h, w, ch = samples.shape
    raw = bytearray()
    if not interlace:
        for r in pack_rows(samples.reshape(h, w * ch), bit_depth):
            raw += b"\x00" + r
    else:
        # Adam7 passes: (x0, y0, dx, dy)
        for (x0, y0, dx, dy) in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            for r in pack_rows(sub.reshape(sub.shape[0], sub.shape[1] * ch), bit_depth):
                raw += b"\x00" + r
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if iccp is not None:
        out += chunk(b"iCCP", b"sRGB\x00\x00" + zlib.compress(iccp))
    if exif is not None:
        out += chunk(b"eXIf", exif)
    if plte is not None:
        out += chunk(b"PLTE", plte.astype(np.uint8).tobytes())
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    out += chunk(b"IEND", b"")
    return out


def composite(rgb8, a8, bg=(255, 255, 255)):
    c = rgb8.astype(np.int64)
    a = a8.astype(np.int64)[..., None]
    bgv = np.array(bg, dtype=np.int64)
    # round-half-up of an integer over 255 (never exactly .5)
    return ((c * a + bgv * (255 - a)) * 2 + 255) // 510


def add_png(name, data, expected_rgb, alpha=None, check_pillow=True, **extra):
    write(name, data)
    write(name + ".rgb", expected_rgb.astype(np.uint8).tobytes())
    entry = {"file": name, "expected": name + ".rgb", "width": expected_rgb.shape[1], "height": expected_rgb.shape[0]}
    if alpha is not None:
        write(name + ".alpha", alpha.astype(np.uint8).tobytes())
        entry["expectedAlpha"] = name + ".alpha"
    entry.update(extra)
    manifest["png"].append(entry)
    if check_pillow:  # the writer and the first-principles math agree with Pillow
        im = Image.open(io.BytesIO(data))
        im.load()
        if alpha is None:
            got = np.asarray(im.convert("RGB"))
            assert np.array_equal(got, expected_rgb.astype(np.uint8)), name
        else:
            got = np.asarray(im.convert("RGBA"))
            assert np.array_equal(got[..., :3], expected_rgb.astype(np.uint8)), name
            assert np.array_equal(got[..., 3], alpha.astype(np.uint8)), name


PW, PH = 23, 17
prgb = base_rgb(PW, PH)
palpha = rng.integers(0, 256, size=(PH, PW)).astype(np.uint8)
palpha[0, :4] = [0, 255, 128, 1]
g8 = prgb[..., 1]

add_png("gray8.png", png_bytes(g8[..., None], 0, 8), np.repeat(g8[..., None], 3, axis=2))
g16 = rng.integers(0, 65536, size=(PH, PW)).astype(np.int64)
g16[0, :4] = [0, 65535, 128, 32896]
g16_8 = (g16 * 2 + 257) // 514  # round(v / 257)
add_png("gray16.png", png_bytes(g16[..., None], 0, 16), np.repeat(g16_8[..., None], 3, axis=2), check_pillow=False)
g1 = (g8 > 128).astype(np.int64)
add_png("gray1.png", png_bytes(g1[..., None], 0, 1), np.repeat((g1 * 255)[..., None], 3, axis=2))
g4 = (g8 >> 4).astype(np.int64)
add_png("gray4.png", png_bytes(g4[..., None], 0, 4), np.repeat((g4 * 17)[..., None], 3, axis=2))
ga = np.stack([g8, palpha], axis=-1)
add_png("graya8.png", png_bytes(ga, 4, 8), composite(np.repeat(g8[..., None], 3, axis=2), palpha),
        compositeOverWhite=True, check_pillow=False)
add_png("graya8_preserve.png", png_bytes(ga, 4, 8), np.repeat(g8[..., None], 3, axis=2), alpha=palpha, policy="preserve")
add_png("rgb8.png", png_bytes(prgb, 2, 8), prgb)
add_png("rgb8_interlaced.png", png_bytes(prgb, 2, 8, interlace=True), prgb)
rgb16 = rng.integers(0, 65536, size=(PH, PW, 3)).astype(np.int64)
add_png("rgb16.png", png_bytes(rgb16, 2, 16), (rgb16 * 2 + 257) // 514, check_pillow=False)
rgba = np.concatenate([prgb, palpha[..., None]], axis=2)
add_png("rgba8.png", png_bytes(rgba, 6, 8), composite(prgb, palpha), check_pillow=False)
add_png("rgba8_preserve.png", png_bytes(rgba, 6, 8), prgb, alpha=palpha, policy="preserve")
add_png("rgba8_black.png", png_bytes(rgba, 6, 8), composite(prgb, palpha, (0, 0, 0)), check_pillow=False,
        background=[0, 0, 0])
rgba16 = rng.integers(0, 65536, size=(PH, PW, 4)).astype(np.int64)
r16_8 = (rgba16 * 2 + 257) // 514
add_png("rgba16_interlaced.png", png_bytes(rgba16, 6, 16, interlace=True), r16_8[..., :3], alpha=r16_8[..., 3],
        policy="preserve", check_pillow=False)
palette = rng.integers(0, 256, size=(16, 3))
idx = rng.integers(0, 16, size=(PH, PW))
trns = bytes([0, 64, 128, 200])  # entries 4..15 are opaque
pal_alpha = np.array(list(trns) + [255] * 12)[idx]
add_png("palette4_trns.png", png_bytes(idx[..., None], 3, 4, plte=palette, trns=trns),
        palette[idx], alpha=pal_alpha, policy="preserve")
add_png("palette8.png", png_bytes(idx[..., None], 3, 8, plte=palette), palette[idx])
add_png("icc.png", png_bytes(prgb, 2, 8, iccp=srgb_icc), prgb, icc="srgb.icc")
tiff_exif = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01" + struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0) + b"\x00\x00\x00\x00"
# orientation 6 (rotate 90° clockwise): out(x, y) = in(y, h-1-x) = np.rot90(a, k=-1)
add_png("exif6.png", png_bytes(prgb, 2, 8, exif=tiff_exif), np.rot90(prgb, k=-1), orientation=6, check_pillow=False)

# ---------------------------------------------------------------- hostile corpus
def hostile(name, data, error, **params):
    write("hostile/" + name, data)
    entry = {"file": "hostile/" + name, "error": error}
    entry.update(params)
    manifest["hostile"].append(entry)


os.makedirs(os.path.join(OUT, "hostile"), exist_ok=True)
base_jpeg = open(os.path.join(OUT, "baseline420.jpg"), "rb").read()
prog_jpeg = open(os.path.join(OUT, "progressive.jpg"), "rb").read()


def find_marker(data, marker):
    i = data.index(bytes([0xFF, marker]))
    return i


def with_sof_size(data, w, h):
    i = find_marker(data, 0xC0) if b"\xff\xc0" in data else find_marker(data, 0xC2)
    d = bytearray(data)
    d[i + 5:i + 7] = struct.pack(">H", h)
    d[i + 7:i + 9] = struct.pack(">H", w)
    return bytes(d)


sos = find_marker(base_jpeg, 0xDA)
hostile("empty.jpg", b"", "emptyInput")
hostile("soi_only.jpg", b"\xff\xd8\xff", "truncated", format="JPEG")
hostile("jpeg_cut_in_header.jpg", base_jpeg[:sos - 40], "truncated", format="JPEG")
hostile("jpeg_cut_in_scan.jpg", base_jpeg[:sos + (len(base_jpeg) - sos) // 2], "truncated", format="JPEG")
hostile("progressive_cut.jpg", prog_jpeg[:len(prog_jpeg) * 2 // 3], "truncated", format="JPEG")
hostile("jpeg_60000x60000.jpg", with_sof_size(base_jpeg, 60000, 60000), "sideTooLarge",
        format="JPEG", width=60000, height=60000, maxSide=20000)
hostile("jpeg_65535_wide.jpg", with_sof_size(base_jpeg, 65535, 16), "sideTooLarge",
        format="JPEG", width=65535, height=16, maxSide=20000)
hostile("jpeg_10000x9000.jpg", with_sof_size(base_jpeg, 10000, 9000), "tooManyPixels",
        format="JPEG", width=10000, height=9000, maxPixels=50000000)
hostile("jpeg_zero_width.jpg", with_sof_size(base_jpeg, 0, H), "zeroDimensions", format="JPEG", width=0, height=H)
hostile("jpeg_zero_height.jpg", with_sof_size(base_jpeg, W, 0), "zeroDimensions", format="JPEG", width=W, height=0)
d = bytearray(base_jpeg)
dht = find_marker(base_jpeg, 0xC4)
d[dht + 5:dht + 21] = b"\xff" * 16  # code counts summing far past 256
hostile("jpeg_bad_huffman_counts.jpg", bytes(d), "corrupt", format="JPEG")
d = bytearray(base_jpeg)
sof = find_marker(base_jpeg, 0xC0)
d[sof + 4] ^= 0x01  # sample precision 8 -> 9
hostile("jpeg_precision_flip.jpg", bytes(d), "corrupt", format="JPEG")
d = bytearray(base_jpeg)
mid = sos + 20 + (len(base_jpeg) - sos - 20) // 2
d[mid:mid + 2] = b"\xff\xd9"  # an EOI marker in the middle of entropy data
hostile("jpeg_marker_in_scan.jpg", bytes(d), "corrupt", format="JPEG")
hostile("scans190.jpg", many_scans, "tooManyProgressiveScans", limit=100)

base_png = open(os.path.join(OUT, "rgb8.png"), "rb").read()
idat = base_png.index(b"IDAT") - 4


def png_with_ihdr(w, h):
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return base_png[:8] + chunk(b"IHDR", ihdr) + base_png[33:]


hostile("png_signature_only.png", base_png[:8], "truncated", format="PNG")
hostile("png_cut_in_ihdr.png", base_png[:20], "truncated", format="PNG")
hostile("png_cut_in_idat.png", base_png[:idat + 8 + 40], "truncated", format="PNG")
hostile("png_100000x100000.png", png_with_ihdr(100000, 100000), "sideTooLarge",
        format="PNG", width=100000, height=100000, maxSide=20000)
hostile("png_10000x9000.png", png_with_ihdr(10000, 9000), "tooManyPixels",
        format="PNG", width=10000, height=9000, maxPixels=50000000)
hostile("png_zero_width.png", png_with_ihdr(0, PH), "zeroDimensions", format="PNG", width=0, height=PH)
d = bytearray(base_png)
d[19] ^= 0x01  # width byte flipped, CRC left alone
hostile("png_ihdr_crc.png", bytes(d), "corrupt", format="PNG")
d = bytearray(base_png)
d[idat + 8 + 30] ^= 0x10  # IDAT data flipped, CRC left alone
hostile("png_idat_crc.png", bytes(d), "corrupt", format="PNG")
idat_len = struct.unpack(">I", base_png[idat:idat + 4])[0]
payload = bytearray(base_png[idat + 8:idat + 8 + idat_len])
payload[-2] ^= 0xFF  # inside the Adler-32 trailer; CRC recomputed so only zlib can tell
hostile("png_idat_adler.png", base_png[:idat] + chunk(b"IDAT", bytes(payload)) + base_png[idat + 12 + idat_len:],
        "corrupt", format="PNG")
hostile("png_chunk_length_2g.png", base_png[:idat] + struct.pack(">I", 0x7FFFFFF0) + b"tEXt" + b"abc",
        "truncated", format="PNG")
hostile("png_chunk_length_4g.png", base_png[:idat] + struct.pack(">I", 0xFFFFFFFF) + b"tEXt" + b"abc" * 4,
        "corrupt", format="PNG")
text = chunk(b"tEXt", b"Comment\x00" + b"x" * 4992)  # 5000 bytes of payload
hostile("png_text_5000.png", base_png[:33] + text + base_png[33:], "chunkTooLarge",
        chunk="tEXt", length=5000, limit=4096, maxChunkBytes=4096)
d = bytearray(base_png)
d[12:16] = b"IDAT"
hostile("png_ihdr_not_first.png", bytes(d), "corrupt", format="PNG")
hostile("gif.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "unrecognizedFormat")

# An iCCP chunk whose profile inflates to 16 MiB (a zlib bomb in 16 KiB): over
# the 8 MiB chunk limit, so libpng drops it and the pixels still decode.
bomb = struct.pack(">I", 16 << 20) + bytes((16 << 20) - 4)
bomb_png = base_png[:33] + chunk(b"iCCP", b"bomb\x00\x00" + zlib.compress(bomb, 9)) + base_png[33:]
add_png("iccp_bomb.png", bomb_png, prgb, check_pillow=False, icc=None)

# ---------------------------------------------------------------- colour
def colour_fixture():
    grid = [0, 1, 10, 11, 12, 50, 127, 128, 200, 254, 255]  # 10/255 and 11/255 straddle 0.04045
    fixed = [[r, g, b] for r in grid[::2] for g in grid[::3] for b in grid]
    rand = rng.integers(0, 256, size=(400, 3)).tolist()
    rgb_in = np.array(fixed + rand, dtype=np.uint8)
    lab = rgb2lab(rgb_in[None, :, :].astype(np.float64) / 255.0)[0]
    lab_in = np.column_stack([rng.uniform(0, 100, 400), rng.uniform(-110, 110, 400), rng.uniform(-110, 110, 400)])
    lab_in = np.vstack([lab_in, [[0, 0, 0], [100, 0, 0], [50, 0, 0], [8, 0, 0], [7.9, 0, 0], [30, 20, -120]]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # negative-Z clipping warnings are expected
        rgb_out = lab2rgb(lab_in[None, :, :])[0]
    return {
        "rgb2lab": {"rgb": rgb_in.flatten().tolist(), "lab": [round(float(v), 7) for v in lab.flatten()]},
        "lab2rgb": {"lab": [round(float(v), 6) for v in lab_in.flatten()],
                    "rgb": [round(float(v), 8) for v in rgb_out.flatten()]},
    }


# ---------------------------------------------------------------- resampling
def resize_fixture():
    c, h, w = 2, 23, 37
    src = rng.uniform(-1, 2, size=(c, h, w)).astype(np.float32)
    src[0, 5:12, 10:20] = 3.0  # a hard-edged block to show ringing
    cases = []
    filters = {"lanczos3": Image.LANCZOS, "box": Image.BOX, "triangle": Image.BILINEAR}
    for (ow, oh, flt) in [(11, 7, "lanczos3"), (11, 7, "box"), (53, 31, "lanczos3"), (37, 10, "box"), (8, 23, "lanczos3"),
                          (11, 7, "triangle"), (53, 31, "triangle"), (8, 23, "triangle")]:
        f = filters[flt]
        out = np.stack([np.asarray(Image.fromarray(src[i], "F").resize((ow, oh), f)) for i in range(c)])
        cases.append({"width": ow, "height": oh, "filter": flt, "output": [float(v) for v in out.flatten()]})
    return {"channels": c, "width": w, "height": h, "input": [float(v) for v in src.flatten()], "cases": cases}


def torch_bilinear(x, oh, ow):
    """PyTorch upsample_bilinear2d, align_corners=False, no antialias, in float32."""
    c, ih, iw = x.shape

    def taps(insz, outsz):
        scale = np.float32(insz) / np.float32(outsz)
        i0s, i1s, l0s, l1s = [], [], [], []
        for d in range(outsz):
            src = scale * (np.float32(d) + np.float32(0.5)) - np.float32(0.5)
            src = np.float32(0) if src < 0 else np.float32(src)
            i0 = int(src)
            l1 = np.float32(min(max(src - np.float32(i0), np.float32(0)), np.float32(1)))
            i0s.append(i0)
            i1s.append(i0 + (1 if i0 < insz - 1 else 0))
            l1s.append(l1)
            l0s.append(np.float32(1) - l1)
        return i0s, i1s, l0s, l1s

    y0, y1, h0, h1 = taps(ih, oh)
    x0, x1, w0, w1 = taps(iw, ow)
    out = np.zeros((c, oh, ow), dtype=np.float32)
    for ch in range(c):
        for oy in range(oh):
            for ox in range(ow):
                top = x[ch, y0[oy], x0[ox]] * w0[ox] + x[ch, y0[oy], x1[ox]] * w1[ox]
                bot = x[ch, y1[oy], x0[ox]] * w0[ox] + x[ch, y1[oy], x1[ox]] * w1[ox]
                out[ch, oy, ox] = np.float32(top * h0[oy]) + np.float32(bot * h1[oy])
    return out


def bilinear_fixture():
    c, h, w = 3, 5, 7
    src = rng.uniform(-2, 2, size=(c, h, w)).astype(np.float32)
    cases = []
    for (oh, ow) in [(13, 17), (3, 4), (5, 7), (10, 14), (1, 1), (16, 3)]:
        cases.append({"width": ow, "height": oh, "output": [float(v) for v in torch_bilinear(src, oh, ow).flatten()]})
    return {"channels": c, "width": w, "height": h, "input": [float(v) for v in src.flatten()], "cases": cases}


with open(os.path.join(OUT, "colour.json"), "w") as f:
    json.dump(colour_fixture(), f, separators=(",", ":"))
with open(os.path.join(OUT, "resample.json"), "w") as f:
    json.dump({"resize": resize_fixture(), "bilinear": bilinear_fixture()}, f, separators=(",", ":"))
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, default=int)

total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(OUT) for fn in fns)
print(f"fixtures: {total} bytes")
