#!/usr/bin/env python3
"""Decode + encode of a 12-megapixel JPEG, the decode of a 12 MP label map PNG, and the decode and
encode of the same photo in every other format the service reads and writes: Imaging (Swift,
libjpeg-turbo, libdeflate/libpng, libwebp, libheif, libavif, libtiff, LittleCMS) vs Pillow.

Run by `make bench-imaging`, or directly:
    python3 bench/imaging/bench.py [--bin PATH] [--iterations N] [--package-path DIR]
Needs Pillow and numpy (pip install pillow numpy). Without --bin it builds the
`semadjust-imaging-bench` product in release mode first.

Both sides do the same work on the same file in the same run: decode the JPEG
to RGB8, encode it again at quality 90, 4:2:0, optimised Huffman tables.
Medians over N iterations after one warm-up round; the ratio printed is
Imaging time / Pillow time (below 1 means Imaging is faster).
"""
import argparse
import glob
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WIDTH, HEIGHT = 4000, 3000  # 12 MP
QUALITY = 90


def make_input(path):
    """A photo scaled to 12 MP plus sensor-like noise, so the entropy coder
    sees camera-like data rather than an unnaturally smooth upscale. Falls
    back to a synthetic scene when the shared photo datasets are absent."""
    rng = np.random.default_rng(12)
    photos = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "data", "*", "images", "*.jpg")))
    if photos:
        base = Image.open(photos[len(photos) // 2]).convert("RGB").resize((WIDTH, HEIGHT), Image.LANCZOS)
        arr = np.asarray(base).astype(np.int16)
    else:
        y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
        arr = np.stack([x * 255 // WIDTH, y * 255 // HEIGHT, ((x // 97 + y // 89) % 2) * 180 + 40], -1).astype(np.int16)
    arr = np.clip(arr + rng.normal(0, 4, arr.shape), 0, 255).astype(np.uint8)
    Image.fromarray(arr).save(path, "JPEG", quality=92, subsampling=2)


def bench_pillow(data, iterations):
    def once():
        t0 = time.perf_counter()
        im = Image.open(io.BytesIO(data))
        im.load()
        t1 = time.perf_counter()
        out = io.BytesIO()
        im.save(out, "JPEG", quality=QUALITY, subsampling=2, optimize=True)
        t2 = time.perf_counter()
        return (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t2 - t0) * 1e3, out.tell()

    once()  # warm-up
    runs = [once() for _ in range(iterations)]
    return {
        "decode_ms": statistics.median(r[0] for r in runs),
        "encode_ms": statistics.median(r[1] for r in runs),
        "total_ms": statistics.median(r[2] for r in runs),
        "output_bytes": runs[-1][3],
    }


def make_label_map(path):
    """A 12 MP label map as a client's editor writes it: an ECSSD salient-object mask scaled to the
    photo's size, values 0/1, saved by Pillow (adaptive row filters, zlib level 6); a synthetic blob
    without the datasets."""
    masks = sorted(glob.glob(os.path.join(ROOT, "..", "shared", "data", "ecssd", "masks", "*.png")))
    if masks:
        mask = Image.open(masks[len(masks) // 2]).convert("L").resize((WIDTH, HEIGHT), Image.NEAREST)
        labels = (np.asarray(mask) > 127).astype(np.uint8)
    else:
        y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
        labels = (((x - WIDTH / 2) / (WIDTH / 3)) ** 2 + ((y - HEIGHT / 2) / (HEIGHT / 3)) ** 2 < 1).astype(np.uint8)
    Image.fromarray(labels, "L").save(path, "PNG")


def bench_pillow_png(data, iterations):
    def once():
        t0 = time.perf_counter()
        Image.open(io.BytesIO(data)).load()
        return (time.perf_counter() - t0) * 1e3

    once()
    return statistics.median(once() for _ in range(iterations))


def make_format_inputs(jpeg_path, tmp):
    """The 12 MP photo as WebP, AVIF and TIFF written by Pillow, as HEIC by heif-enc (when
    libheif-examples is installed), and as a Display P3 PNG (the colour-management case)."""
    photo = Image.open(jpeg_path).convert("RGB")
    paths = {}
    for fmt, ext, options in [("WEBP", "webp", {"quality": 90}), ("AVIF", "avif", {"quality": 90, "speed": 9}),
                              ("TIFF", "tif", {"compression": "tiff_lzw"})]:
        path = os.path.join(tmp, f"imaging-12mp.{ext}")
        if not os.path.exists(path):
            photo.save(path, fmt, **options)
        paths[fmt] = path
    heic = os.path.join(tmp, "imaging-12mp.heic")
    if not os.path.exists(heic) and subprocess.run(["heif-enc", "-q", "90", jpeg_path, "-o", heic],
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        heic = None
    if heic:
        paths["HEIC"] = heic
    p3 = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures", "formats", "display-p3.icc")
    p3_png = os.path.join(tmp, "imaging-12mp-p3.png")
    if not os.path.exists(p3_png):
        from PIL import ImageCms
        icc = open(p3, "rb").read()
        stored = ImageCms.profileToProfile(photo, ImageCms.createProfile("sRGB"), ImageCms.ImageCmsProfile(io.BytesIO(icc)))
        stored.save(p3_png, "PNG", icc_profile=icc, compress_level=1)
    paths["PNG (Display P3)"] = p3_png
    return paths


def pillow_formats(paths, iterations, threads):
    """Pillow's decode of each file (with ImageCms to sRGB for the P3 one) and its encode of the
    photo into each output format at the settings the service uses."""
    from PIL import ImageCms

    def median_ms(work):
        work()
        times = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            work()
            times.append((time.perf_counter() - t0) * 1e3)
        return statistics.median(times)

    decode = {}
    srgb = ImageCms.createProfile("sRGB")
    for name, path in paths.items():
        if name == "HEIC":
            continue  # Pillow reads HEIC only through the pillow-heif plugin, not installed here
        data = open(path, "rb").read()

        def work(data=data, name=name):
            im = Image.open(io.BytesIO(data))
            im.load()
            if "Display P3" in name:
                ImageCms.profileToProfile(im, ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"])), srgb, renderingIntent=0)
        decode[name] = median_ms(work)
    photo = Image.open(paths["TIFF"]).convert("RGB")
    photo.load()
    encode = {}
    for key, fmt, options in [("png", "PNG", {"compress_level": 3}), ("webp", "WEBP", {"quality": 90, "method": 2}),
                              ("webp_lossless", "WEBP", {"lossless": True, "quality": 25, "method": 4}),
                              ("avif", "AVIF", {"quality": 90, "speed": 9, "max_threads": threads})]:
        encode[key] = median_ms(lambda fmt=fmt, options=options: photo.save(io.BytesIO(), fmt, **options))
    return decode, encode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", help="path to semadjust-imaging-bench (built if absent)")
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--package-path", default=ROOT)
    args = ap.parse_args()

    binary = args.bin
    if binary is None:
        subprocess.check_call(["swift", "build", "-c", "release", "--package-path", args.package_path,
                               "--product", "semadjust-imaging-bench"])
        bin_dir = subprocess.check_output(["swift", "build", "-c", "release", "--package-path",
                                           args.package_path, "--show-bin-path"], text=True).strip()
        binary = os.path.join(bin_dir, "semadjust-imaging-bench")

    tmp = os.path.join(ROOT, "bench", "results", "tmp")
    os.makedirs(tmp, exist_ok=True)
    path = os.path.join(tmp, "imaging-12mp.jpg")
    if not os.path.exists(path):
        make_input(path)
    with open(path, "rb") as f:
        data = f.read()

    swift = json.loads(subprocess.check_output([binary, path, str(args.iterations), str(QUALITY)], text=True))
    pillow = bench_pillow(data, args.iterations)

    import PIL
    print(f"input: {path} ({WIDTH}x{HEIGHT}, {len(data) / 1e6:.1f} MB); encode quality {QUALITY}, 4:2:0, optimised")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs; Pillow {PIL.__version__}; "
          f"median of {args.iterations} after 1 warm-up")
    print(f"{'':10}{'decode ms':>12}{'encode ms':>12}{'total ms':>12}{'out MB':>10}")
    for name, r in (("Imaging", swift), ("Pillow", pillow)):
        print(f"{name:10}{r['decode_ms']:12.1f}{r['encode_ms']:12.1f}{r['total_ms']:12.1f}{r['output_bytes'] / 1e6:10.2f}")
    print(f"ratio Imaging/Pillow: decode {swift['decode_ms'] / pillow['decode_ms']:.2f}, "
          f"encode {swift['encode_ms'] / pillow['encode_ms']:.2f}, total {swift['total_ms'] / pillow['total_ms']:.2f}")
    map_path = os.path.join(tmp, "label-map-12mp.png")
    if not os.path.exists(map_path):
        make_label_map(map_path)
    with open(map_path, "rb") as f:
        map_data = f.read()
    png = json.loads(subprocess.check_output([binary, map_path, str(args.iterations)], text=True))
    pillow_png = bench_pillow_png(map_data, args.iterations)
    print(f"12 MP label map PNG ({len(map_data) / 1e3:.0f} kB), gray decode ms: Imaging {png['png_gray_decode_direct_ms']:.1f} "
          f"(libdeflate path), {png['png_gray_decode_libpng_ms']:.1f} (libpng/zlib path), Pillow {pillow_png:.1f}; "
          f"ratio Imaging/Pillow {png['png_gray_decode_direct_ms'] / pillow_png:.2f}")
    paths = make_format_inputs(path, tmp)
    swift_decode, swift_encode = {}, {}
    for name, file in paths.items():
        row = json.loads(subprocess.check_output([binary, "--formats", file, str(args.iterations), str(QUALITY), "2"], text=True))
        swift_decode[name] = row["decode_ms"]
        if name == "TIFF":
            swift_encode = {k[7:-3]: v for k, v in row.items() if k.startswith("encode_") and k.endswith("_ms")}
            codec = row.get("avif_codec")
    pillow_decode, pillow_encode = pillow_formats(paths, args.iterations, 2)
    print(f"other formats, the same 12 MP photo (decode: Pillow-written files, heif-enc for HEIC; the P3 PNG "
          f"converted to sRGB by LittleCMS on both sides; AVIF encoder {codec}, 2 threads on both sides)")
    print(f"{'':22}{'Imaging ms':>12}{'Pillow ms':>12}{'ratio':>8}")
    for name in paths:
        theirs = pillow_decode.get(name)
        print(f"decode {name:<15}{swift_decode[name]:12.1f}{(theirs or float('nan')):12.1f}"
              f"{(swift_decode[name] / theirs if theirs else float('nan')):8.2f}")
    for key in ["png", "webp", "webp_lossless", "avif"]:
        ours, theirs = swift_encode[key], pillow_encode[key]
        print(f"encode {key:<15}{ours:12.1f}{theirs:12.1f}{ours / theirs:8.2f}")
    print(f"Imaging only, same image (ms): RGB8->planes {swift['rgb8_to_planes_ms']:.1f}, "
          f"sRGB->Lab {swift['srgb_to_lab_ms']:.1f}, Lab->sRGB {swift['lab_to_srgb_ms']:.1f}, "
          f"Lanczos-3 resize to 1024 px {swift['resize_to_1024_ms']:.1f}")


if __name__ == "__main__":
    sys.exit(main())
