#!/usr/bin/env python3
"""Generates the WebP, HEIC, AVIF and TIFF fixtures and the colour-management fixtures here.

Run:  apt-get install webp libheif-examples libavif-bin gcc liblcms2-dev colord-data
      python3 -m pip install pillow numpy
      python3 Tests/ImagingTests/Fixtures/formats/make_formats.py

Every file is written by another implementation than the one under test, and every expected value
comes from a third where one exists:
  * WebP: written by cwebp / webpmux / img2webp (libwebp's tools), or Pillow; expected pixels from
    Pillow's decode, lossless ones also equal to the source array;
  * HEIC: written by heif-enc (libheif + x265); expected pixels from heif-convert;
  * AVIF: written by avifenc (libavif + aom); expected pixels from Pillow's AVIF plugin (its own
    libavif + dav1d build, not Debian's libheif that the service decodes with);
  * TIFF: written by Pillow (libtiff inside Pillow's wheel) or, for 16-bit RGB, by the small writer
    below (first principles); expected pixels from the source arrays in numpy (16 -> 8 bit is
    round(v * 255 / 65535), alpha over white round((c*a + 255*(255-a)) / 255));
  * colour: a Display P3 profile built by LittleCMS (cmsCreateRGBProfile with the P3 primaries and
    the sRGB curve, a C program compiled here), Adobe RGB (1998) and ProPhoto RGB from colord; the
    photo-like source array converted to each space by Pillow's ImageCms (as a camera would store
    it) and the expected sRGB pixels by ImageCms back (perceptual intent), the reference the
    colour-management test measures mean ΔE against.
"""
import io
import json
import os
import struct
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageCms

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 64, 48
cases = []


def path(name):
    return os.path.join(HERE, name)


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def photo_like(seed=0, w=W, h=H):
    """Smooth colour gradients with texture and a few saturated patches, like a small photo."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 0.5 + 0.45 * np.sin(x / w * 3.1 + y / h * 1.3)
    g = 0.5 + 0.45 * np.sin(y / h * 2.7 + 1.0)
    b = 0.5 + 0.45 * np.cos((x + y) / (w + h) * 4.0)
    img = np.stack([r, g, b], -1) + rng.normal(0, 0.03, (h, w, 3))
    img[4:14, 4:20] = [0.95, 0.1, 0.1]
    img[20:30, 30:46] = [0.1, 0.85, 0.2]
    img[34:44, 8:24] = [0.15, 0.2, 0.9]
    return (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)


def save_expected(name, array):
    expected = name + ".rgb"
    with open(path(expected), "wb") as f:
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    return expected


def case(file, expected_rgb, fmt, **extra):
    h, w = expected_rgb.shape[:2]
    entry = {"file": file, "expected": save_expected(file, expected_rgb), "format": fmt, "width": w, "height": h}
    entry.update(extra)
    cases.append(entry)


def over_white(rgba):
    a = rgba[..., 3:4].astype(np.uint32)
    return ((rgba[..., :3].astype(np.uint32) * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)


def rgba_source():
    rgb = photo_like(3)
    y, x = np.mgrid[0:H, 0:W]
    alpha = np.clip((x * 255) // (W - 1), 0, 255).astype(np.uint8)
    alpha[:, :4] = 0
    alpha[:, -4:] = 255
    return np.dstack([rgb, alpha])


def webp_cases(tmp):
    src = photo_like(1)
    png = os.path.join(tmp, "src.png")
    Image.fromarray(src).save(png)
    run("cwebp", "-quiet", "-lossless", png, "-o", path("lossless.webp"))
    decoded = np.asarray(Image.open(path("lossless.webp")).convert("RGB"))
    assert (decoded == src).all()
    case("lossless.webp", src, "WebP", maxError=0)

    run("cwebp", "-quiet", "-q", "85", png, "-o", path("lossy.webp"))
    # WebP's lossy mode is 4:2:0: the saturated patches' edges and the texture cost it ~7 levels.
    case("lossy.webp", np.asarray(Image.open(path("lossy.webp")).convert("RGB")), "WebP", maxError=2,
         source=save_expected("lossy.webp.source", src), sourceMean=9)

    rgba = rgba_source()
    rgba_png = os.path.join(tmp, "rgba.png")
    Image.fromarray(rgba, "RGBA").save(rgba_png)
    run("cwebp", "-quiet", "-lossless", "-exact", rgba_png, "-o", path("alpha.webp"))
    decoded = np.asarray(Image.open(path("alpha.webp")).convert("RGBA"))
    assert (decoded == rgba).all()
    case("alpha.webp", over_white(rgba), "WebP", maxError=0, alpha=True)

    # EXIF orientation 6 in an EXIF chunk: the upright image is the stored one turned 90° clockwise.
    exif = Image.Exif()
    exif[0x0112] = 6
    exif_file = os.path.join(tmp, "exif.bin")
    with open(exif_file, "wb") as f:
        f.write(exif.tobytes())
    run("webpmux", "-set", "exif", exif_file, path("lossless.webp"), "-o", path("exif6.webp"))
    case("exif6.webp", np.rot90(src, k=-1), "WebP", maxError=0, orientation=6)

    frames = [Image.fromarray(photo_like(s)) for s in (1, 2)]
    frames[0].save(path("animated.webp"), save_all=True, append_images=frames[1:], duration=100, lossless=True)
    cases.append({"file": "animated.webp", "format": "WebP", "error": "unsupportedFeature"})


def heic_cases(tmp):
    src = photo_like(4)
    png = os.path.join(tmp, "heic.png")
    Image.fromarray(src).save(png)
    run("heif-enc", "-q", "92", png, "-o", path("photo.heic"))
    out = os.path.join(tmp, "heic-out.png")
    run("heif-convert", path("photo.heic"), out)
    case("photo.heic", np.asarray(Image.open(out).convert("RGB")), "HEIC", maxError=2,
         source=save_expected("photo.heic.source", src), sourceMean=4)

    rgba = rgba_source()
    rgba_png = os.path.join(tmp, "heic-rgba.png")
    Image.fromarray(rgba, "RGBA").save(rgba_png)
    run("heif-enc", "-L", rgba_png, "-o", path("alpha.heic"))
    out = os.path.join(tmp, "heic-alpha-out.png")
    run("heif-convert", path("alpha.heic"), out)
    decoded = np.asarray(Image.open(out).convert("RGBA"))
    case("alpha.heic", over_white(decoded), "HEIC", maxError=2, alpha=True)


def avif_cases(tmp):
    src = photo_like(5)
    png = os.path.join(tmp, "avif.png")
    Image.fromarray(src).save(png)
    run("avifenc", "-s", "8", "--min", "8", "--max", "16", png, path("photo.avif"))
    case("photo.avif", np.asarray(Image.open(path("photo.avif")).convert("RGB")), "AVIF", maxError=3,
         source=save_expected("photo.avif.source", src), sourceMean=4)
    # 10-bit: the source as 16-bit PNG, avifenc keeps 10 bits; both decoders reduce to 8 bits.
    png16 = os.path.join(tmp, "avif16.png")
    write_png16(png16, src.astype(np.uint16) * 257)
    run("avifenc", "-s", "8", "--min", "8", "--max", "16", "-d", "10", png16, path("tenbit.avif"))
    case("tenbit.avif", np.asarray(Image.open(path("tenbit.avif")).convert("RGB")), "AVIF", maxError=3)


def write_png16(file, rgb16):
    h, w, _ = rgb16.shape
    raw = b"".join(b"\x00" + rgb16[y].astype(">u2").tobytes() for y in range(h))
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(file, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_tiff16(file, rgb16):
    """A little-endian baseline TIFF, one uncompressed strip of 16-bit RGB."""
    h, w, _ = rgb16.shape
    data = rgb16.astype("<u2").tobytes()
    entries = [
        (256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, None), (259, 3, 1, 1), (262, 3, 1, 2),
        (273, 4, 1, None), (277, 3, 1, 3), (278, 4, 1, h), (279, 4, 1, len(data)), (284, 3, 1, 1),
    ]
    ifd_offset = 8
    ifd_size = 2 + 12 * len(entries) + 4
    bits_offset = ifd_offset + ifd_size
    strip_offset = bits_offset + 6
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 258:
            value = bits_offset
        if tag == 273:
            value = strip_offset
        if kind == 3 and count == 1:
            out += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, count, value)
    out += struct.pack("<I", 0)
    out += struct.pack("<HHH", 16, 16, 16)
    out += data
    with open(file, "wb") as f:
        f.write(out)


def tiff_cases(tmp):
    src = photo_like(6)
    Image.fromarray(src).save(path("rgb.tif"))
    case("rgb.tif", src, "TIFF", maxError=0)
    Image.fromarray(src).save(path("lzw.tif"), compression="tiff_lzw")
    case("lzw.tif", src, "TIFF", maxError=0)
    gray = src[..., 1]
    Image.fromarray(gray, "L").save(path("gray.tif"), compression="tiff_adobe_deflate")
    case("gray.tif", np.dstack([gray] * 3), "TIFF", maxError=0, grayscale=True)
    Image.fromarray(src).save(path("orient6.tif"), tiffinfo={274: 6})
    case("orient6.tif", np.rot90(src, k=-1), "TIFF", maxError=0, orientation=6)
    rgba = rgba_source()
    Image.fromarray(rgba, "RGBA").save(path("alpha.tif"))
    # Pillow marks RGBA's extra sample as unassociated alpha; libtiff premultiplies it (rounding
    # once more), hence a tolerance of 1.
    case("alpha.tif", over_white(rgba), "TIFF", maxError=1, alpha=True)
    rgb16 = (src.astype(np.uint32) * 257 + np.random.RandomState(7).randint(-128, 128, src.shape)).clip(0, 65535)
    write_tiff16(path("rgb16.tif"), rgb16.astype(np.uint16))
    case("rgb16.tif", ((rgb16 * 255 + 32767) // 65535).astype(np.uint8), "TIFF", maxError=1)


P3_PROGRAM = r"""
#include <lcms2.h>
#include <stdio.h>
int main(int argc, char **argv) {
    cmsCIExyY white = {0.3127, 0.3290, 1.0};
    cmsCIExyYTRIPLE p3 = {{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
    cmsFloat64Number srgb[5] = {2.4, 1.0 / 1.055, 0.055 / 1.055, 1.0 / 12.92, 0.04045};
    cmsToneCurve *curve = cmsBuildParametricToneCurve(NULL, 4, srgb);
    cmsToneCurve *curves[3] = {curve, curve, curve};
    cmsHPROFILE profile = cmsCreateRGBProfile(&white, &p3, curves);
    cmsMLU *text = cmsMLUalloc(NULL, 1);
    cmsMLUsetASCII(text, "en", "US", "Display P3");
    cmsWriteTag(profile, cmsSigProfileDescriptionTag, text);
    return cmsSaveProfileToFile(profile, argv[1]) ? 0 : 1;
}
"""


def colour_cases(tmp):
    program = os.path.join(tmp, "p3.c")
    with open(program, "w") as f:
        f.write(P3_PROGRAM)
    binary = os.path.join(tmp, "p3")
    run("gcc", program, "-o", binary, "-llcms2")
    run(binary, path("display-p3.icc"))
    colord = "/usr/share/color/icc/colord"
    profiles = {
        "display-p3": path("display-p3.icc"),
        "adobe-rgb": os.path.join(colord, "AdobeRGB1998.icc"),
        "prophoto": os.path.join(colord, "ProPhotoRGB.icc"),
    }
    srgb = ImageCms.createProfile("sRGB")
    src = Image.fromarray(photo_like(8, 96, 64))
    colour = []
    for name, profile_path in profiles.items():
        with open(profile_path, "rb") as f:
            icc = f.read()
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        stored = ImageCms.profileToProfile(src, srgb, profile, renderingIntent=0)
        file = f"{name}.png"
        stored.save(path(file), icc_profile=icc)
        # The reference: Pillow's ImageCms from the stored pixels back to sRGB.
        expected = ImageCms.profileToProfile(stored, profile, srgb, renderingIntent=0)
        colour.append({"file": file, "expected": save_expected(file, np.asarray(expected)),
                       "width": src.width, "height": src.height, "profile": name})
    # The same P3 photo as a HEIC (heif-enc copies the PNG's iCCP into a colr/prof box); x265 codes
    # it in YCbCr, so the reference converts what heif-convert decodes.
    run("heif-enc", "-q", "95", path("display-p3.png"), "-o", path("display-p3.heic"))
    heic_pixels = os.path.join(tmp, "p3-heic.png")
    run("heif-convert", path("display-p3.heic"), heic_pixels)
    p3 = ImageCms.ImageCmsProfile(path("display-p3.icc"))
    expected = ImageCms.profileToProfile(Image.open(heic_pixels).convert("RGB"), p3, srgb, renderingIntent=0)
    colour.append({"file": "display-p3.heic", "expected": save_expected("display-p3.heic", np.asarray(expected)),
                   "width": src.width, "height": src.height, "profile": "display-p3"})
    # An AVIF that states P3 by nclx code points only (primaries 12, sRGB transfer 13, lossless).
    p3_pixels = os.path.join(tmp, "p3-untagged.png")
    # From the array, so that no iCCP rides along (avifenc would store it and the nclx go unused).
    Image.fromarray(np.asarray(Image.open(path("display-p3.png")).convert("RGB"))).save(p3_pixels)
    run("avifenc", "-l", "--cicp", "12/13/0", "-y", "444", p3_pixels, path("display-p3-nclx.avif"))
    colour.append({"file": "display-p3-nclx.avif", "expected": "display-p3.png.rgb", "width": src.width,
                   "height": src.height, "profile": "display-p3 (nclx)"})
    # A second reference for P3 that is not LittleCMS: the conversion from first principles in
    # float64 (sRGB curve decoded, P3 -> XYZ -> sRGB by the primaries' matrices, both D65, clipped,
    # curve encoded, rounded).
    stored = np.asarray(Image.open(path("display-p3.png")).convert("RGB")).astype(np.float64) / 255
    linear = np.where(stored <= 0.04045, stored / 12.92, ((stored + 0.055) / 1.055) ** 2.4)
    srgb_linear = linear @ (np.linalg.inv(rgb_to_xyz(SRGB_XY)) @ rgb_to_xyz(P3_XY)).T
    srgb_linear = np.clip(srgb_linear, 0, 1)
    encoded = np.where(srgb_linear <= 0.0031308, srgb_linear * 12.92, 1.055 * srgb_linear ** (1 / 2.4) - 0.055)
    first_principles = (encoded * 255 + 0.5).astype(np.uint8)
    colour.append({"file": "display-p3.png", "expected": save_expected("display-p3.first-principles", first_principles),
                   "width": src.width, "height": src.height, "profile": "display-p3 (first principles)"})
    return colour


P3_XY = [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)]
SRGB_XY = [(0.640, 0.330), (0.300, 0.600), (0.150, 0.060)]


def rgb_to_xyz(primaries, white=(0.3127, 0.3290)):
    """The RGB -> XYZ matrix of a colour space from its primaries and white point (CIE xy)."""
    xyz = np.array([[x / y, 1.0, (1 - x - y) / y] for x, y in primaries]).T
    w = np.array([white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]])
    return xyz * np.linalg.solve(xyz, w)


def hostile_cases():
    """Per format: a decode bomb (a huge declared size in an otherwise intact file), the wrong magic
    (a container that is not the format's), and the file cut short; the expected error follows from
    how each is built."""
    hostile = []

    def write(name, data, error, **extra):
        with open(path(name), "wb") as f:
            f.write(data)
        hostile.append(dict(file=name, error=error, **extra))

    def patched(data, at, new):
        return data[:at] + new + data[at + len(new):]

    webp = open(path("lossless.webp"), "rb").read()
    # VP8L header after the 0x2f signature: 14 bits width-1, 14 bits height-1, alpha, 3-bit version.
    bits = 16383 | (16383 << 14)
    write("bomb.webp", patched(webp, 21, struct.pack("<I", bits)), "tooManyPixels", width=16384, height=16384)
    write("wrong_magic.webp", patched(webp, 8, b"WEBX"), "unrecognizedFormat")
    write("cut.webp", webp[: len(webp) // 2], "truncated")
    # HEIC declares 15000 x 15000 (under libheif's own 32768 limit and our side limit: refused by
    # our pixel limit, with the size),
    # AVIF 60000 x 60000 (refused by libheif's limit while it parses).
    for source, fmt, side, error in [("photo.heic", "heic", 15000, "tooManyPixels"), ("photo.avif", "avif", 60000, "sizeLimit")]:
        original = data = open(path(source), "rb").read()
        at = data.find(b"ispe")
        while at >= 0:  # every item's ispe (heif-enc writes one for the coded and the displayed image)
            data = patched(data, at + 8, struct.pack(">II", side, side))
            at = data.find(b"ispe", at + 4)
        write(f"bomb.{fmt}", data, error, width=side, height=side)
        data = original
        # An MP4's brands in the ftyp box (major isom, compatible isom iso2), the rest intact.
        size = struct.unpack(">I", data[:4])[0]
        brands = b"isom" + data[12:16] + b"isomiso2" * ((size - 16) // 8) + b"isom" * (((size - 16) % 8) // 4)
        write(f"wrong_magic.{fmt}", data[:8] + brands + data[size:], "unrecognizedFormat")
        write(f"cut.{fmt}", data[: len(data) // 2], "truncatedOrCorrupt")
    tiff = open(path("rgb.tif"), "rb").read()
    offset = struct.unpack("<I", tiff[4:8])[0]
    data = tiff
    for k in range(struct.unpack("<H", tiff[offset:offset + 2])[0]):
        entry = offset + 2 + 12 * k
        if struct.unpack("<H", tiff[entry:entry + 2])[0] in (256, 257):
            data = patched(data, entry + 8, struct.pack("<I", 100000))
    write("bomb.tif", data, "sideTooLarge", width=100000, height=100000)
    # The magic of TIFF with its first directory past the end of the file.
    write("wrong_magic.tif", b"II*\x00" + struct.pack("<I", 0xFFFFFF00) + tiff[8:], "truncatedOrCorrupt")
    write("cut.tif", tiff[: len(tiff) // 2], "truncatedOrCorrupt")
    return hostile


def main():
    with tempfile.TemporaryDirectory() as tmp:
        webp_cases(tmp)
        heic_cases(tmp)
        avif_cases(tmp)
        tiff_cases(tmp)
        colour = colour_cases(tmp)
    hostile = hostile_cases()
    with open(path("formats.json"), "w") as f:
        json.dump({"decode": cases, "colour": colour, "hostile": hostile}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
