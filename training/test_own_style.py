"""The own-style flow end to end, as a photographer meets it (`make test-own-style`):

  1. 24 photos (procedural scenes: sky, horizon, ground, objects, texture) edited with ImageMagick,
     not with the project's synthesis: a graduated darkening from the top, more contrast, more
     saturation, as a photographer's preset would;
  2. `python3 -m training.own_style` on the folder (few epochs: CI-sized);
  3. the exported model is served by the release `semadjust serve` from its output folder,
     `/v1/styles` lists it with its named presets and `POST /v1/adjust` answers 200 with a photo
     closer to the ImageMagick edit than the input is.

  python3 -m training.test_own_style [--binary .build/release/semadjust] [--keep DIR]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def imagemagick():
    """The ImageMagick command (`magick`, else an ImageMagick `convert`), or exit with how to get it."""
    for name in ("magick", "convert-im6.q16", "convert"):
        path = shutil.which(name)
        if path and "ImageMagick" in subprocess.run([path, "-version"], capture_output=True, text=True).stdout:
            return path
    sys.exit("ImageMagick is needed to make the test's pairs: apt-get install imagemagick")


def scene(rng, w=192, h=144):
    """A photo-like scene: a sky gradient over a textured ground with a horizon at a random height,
    and a few coloured objects; smooth enough to compress like a photo."""
    y = np.linspace(0, 1, h)[:, None, None]
    horizon = rng.uniform(0.3, 0.6)
    sky = np.array([0.45, 0.65, 0.95]) * (1 - 0.4 * y) + rng.normal(0, 0.03, 3)
    ground_colour = rng.choice([[0.3, 0.55, 0.2], [0.55, 0.45, 0.3], [0.5, 0.5, 0.5]])
    noise = rng.normal(0, 1, (h // 8 + 1, w // 8 + 1))
    texture = np.kron(noise, np.ones((8, 8)))[:h, :w, None] * 0.04
    ground = np.array(ground_colour) * (0.7 + 0.5 * y) + texture
    img = np.where(y < horizon, sky * np.ones((h, w, 3)), ground * np.ones((h, w, 3)))
    yy, xx = np.mgrid[:h, :w]
    for _ in range(rng.integers(1, 4)):
        cy, cx = rng.uniform(horizon * h, h), rng.uniform(0, w)
        ry, rx = rng.uniform(8, 25), rng.uniform(8, 30)
        inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1
        img[inside] = rng.uniform(0.1, 0.9, 3)
    return (np.clip(img, 0, 1) * 255).astype(np.uint8)


def make_pairs(folder: Path, n: int, seed=0):
    """n pairs under folder/input and folder/target, the targets by ImageMagick."""
    magick = imagemagick()
    rng = np.random.default_rng(seed)
    (folder / "input").mkdir(parents=True)
    (folder / "target").mkdir()
    for i in range(n):
        name = f"photo{i:03d}"
        rgb = scene(rng)
        src = folder / "input" / f"{name}.jpg"
        Image.fromarray(rgb).save(src, quality=92)
        h, w = rgb.shape[:2]
        # Graduated filter (darkest at the top), then contrast and saturation: an editor's look.
        subprocess.run([magick, str(src), "(", "-size", f"{w}x{h}", "gradient:gray(55%)-white", ")",
                        "-compose", "Multiply", "-composite", "-sigmoidal-contrast", "4x50%",
                        "-modulate", "100,140,100", str(folder / "target" / f"{name}.png")], check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_adjust(binary: Path, models: Path, style: str, photo: Path, target: Path):
    """Serves models with the real binary; returns (/v1/styles JSON, the answer's Lab error against
    the target, the input's)."""
    from .colour import rgb_to_lab
    import torch
    port = free_port()
    proc = subprocess.Popen([str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), "--models", str(models),
                             "--trunk", str(ROOT / "models/resnet50-imagenet-trunk.safetensors"), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server never became ready")
        styles = json.load(urllib.request.urlopen(base + "/v1/styles"))
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"style\"\r\n\r\n{style}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"p.jpg\"\r\n"
                f"Content-Type: image/jpeg\r\n\r\n").encode() + photo.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        req = urllib.request.Request(base + "/v1/adjust", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": "image/png"})
        with urllib.request.urlopen(req, timeout=60) as r:
            status, answer = r.status, r.read()
        out = np.asarray(Image.open(__import__("io").BytesIO(answer)).convert("RGB"))
        lab = lambda a: rgb_to_lab(torch.from_numpy(a.astype(np.float64) / 255).permute(2, 0, 1))
        err = lambda a, b: float((lab(a) - lab(b)).pow(2).sum(0).sqrt().mean())
        tgt = np.asarray(Image.open(target).convert("RGB"))
        inp = np.asarray(Image.open(photo).convert("RGB"))
        return status, styles, err(out, tgt), err(inp, tgt)
    finally:
        proc.terminate()
        proc.wait(10)


def git_status():
    return subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=ROOT, capture_output=True, text=True).stdout


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", type=Path, default=ROOT / ".build/release/semadjust")
    ap.add_argument("--pairs", type=int, default=24)
    ap.add_argument("--keep", type=Path, help="work here and keep it (default: a temporary folder)")
    a = ap.parse_args(argv)
    work = a.keep or Path(tempfile.mkdtemp(prefix="own-style-"))
    before = git_status()
    try:
        pairs, out = work / "pairs", work / "out"
        if pairs.exists():
            shutil.rmtree(pairs)
        make_pairs(pairs, a.pairs)
        from . import own_style
        t = time.time()
        rc = own_style.main([str(pairs), "--name", "graduated", "--K", "2", "--out", str(out),
                             "--epochs", "6", "--patience", "2", "--threads", "2"])
        took = time.time() - t
        assert rc == 0, f"own_style exited {rc}"
        model = out / "graduated.safetensors"
        assert model.exists() and (model.stat().st_mode & 0o777) == 0o644, oct(model.stat().st_mode)
        report = json.loads((out / "report.json").read_text())
        assert report["split"]["test"] >= 1 and report["split"]["val"] >= 1, report["split"]
        assert report["test"]["reduction"] > 0.3, f"the style removes only {report['test']['reduction']:.1%} of the error"
        assert len(set(report["presets"])) == 2 and all(report["presets"]), report["presets"]
        assert (out / "graduated-contact.jpg").exists()
        assert report["map_default"] in ("argmax", "soft") and report["blend_test"]["soft"]["error"] > 0, report
        assert git_status() == before, "own_style wrote into the repository"
        test_photo = (out / "splits/test.txt").read_text().split()[0]
        status, styles, err_out, err_in = serve_and_adjust(
            a.binary, out, "graduated", pairs / "input" / f"{test_photo}.jpg", pairs / "target" / f"{test_photo}.png")
        assert status == 200, status
        served = {s["id"]: s for s in styles["styles"]}
        assert served.get("graduated", {}).get("presets") == report["presets"], styles
        assert err_out < 0.7 * err_in, f"served answer {err_out:.2f} Lab from the edit, input {err_in:.2f}"
        print(f"own style end to end: {a.pairs} ImageMagick pairs, {took:.0f} s of own_style; held-out reduction "
              f"{report['test']['reduction']:.1%}; presets {report['presets']}; blending {report['map_default']} "
              f"(steps at the map's boundaries: argmax {report['blend_test']['argmax']['step_p99']}, soft "
              f"{report['blend_test']['soft']['step_p99']}); served 200, Lab to the edit "
              f"{err_in:.2f} -> {err_out:.2f}")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
