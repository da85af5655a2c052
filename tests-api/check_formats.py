#!/usr/bin/env python3
"""The service's answers in every output format, read back by another implementation (Pillow,
with its own libwebp, libavif, libjpeg and libpng builds): each must decode at the photo's size
and hold the pixels of the PNG answer of the same photo (exactly for lossless WebP). The photo is a
HEIC posted as the body.

usage: check_formats.py BASE_URL PHOTO.heic"""
import io
import sys
import urllib.request

import numpy as np
from PIL import Image


def post(url, body, content_type, accept):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type, "Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers.get("Content-Type"), response.read()


def main():
    base, heic_path = sys.argv[1], sys.argv[2]
    heic = open(heic_path, "rb").read()
    _, png = post(f"{base}/v1/adjust", heic, "image/heic", "image/png")
    reference = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)
    failures = 0
    # The PNG answer is the rendered pixels: lossless WebP must hold exactly them, the lossy formats
    # (q 90 on a 64x48 photo of noise-like texture) stay within a few levels on average.
    for accept, query, limit in [("image/webp", "?format=webp-lossless", 0.0), ("image/webp", "", 8.0),
                                 ("image/avif", "", 8.0), ("image/jpeg", "", 8.0)]:
        content_type, body = post(f"{base}/v1/adjust{query}", heic, "image/heic", accept)
        image = Image.open(io.BytesIO(body))
        pixels = np.asarray(image.convert("RGB")).astype(np.int16)
        difference = float(np.abs(pixels - reference).mean()) if pixels.shape == reference.shape else float("inf")
        expected_format = {"image/jpeg": "JPEG"}.get(accept, accept.split("/")[1].upper())
        ok = content_type == accept and image.format == expected_format and difference <= limit
        failures += not ok
        print(f"    {accept}{query}: {content_type}, Pillow reads {image.format} {image.size}, mean |Δ| from the PNG answer {difference:.2f}: "
              + ("ok" if ok else "FAILED"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
