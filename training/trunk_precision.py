"""How much the shipped trunk's storage changes the service's output: every style's test photos
retouched by the Swift engine (`semadjust adjust`, JPEG quality 100) once with the fp32 trunk of
../shared/weights and once with models/resnet50-imagenet-trunk.safetensors, then the per-pixel CIELab
(D65, training.colour) distance between the two outputs, per style: mean, 99th percentile and max.

  python3 -m training.trunk_precision [--binary .build/release/semadjust] [--json out.json]

The answer decides fp16 or fp32 storage (issue: mean ΔE ≤ 0.05 and max ≤ 1.0, else fp32).
"""
import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from .evaluate_outputs import lab8

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared/data"
# The dataset whose photos each style's test split names (models/README.md).
SOURCES = {"popout": "ecssd", "watercolor": "ecssd", "xpro": "camvid"}


def adjust(binary, photos, out, style, trunk):
    cmd = [str(binary), "adjust", str(photos), "-o", str(out), "--style", style, "--quality", "100", "-q",
           "--models", str(ROOT / "models")] + (["--trunk", str(trunk)] if trunk else [])
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", type=Path, default=ROOT / ".build/release/semadjust")
    ap.add_argument("--reference", type=Path, default=ROOT.parent / "shared/weights/resnet50-imagenet-trunk.safetensors")
    ap.add_argument("--styles", default="popout,watercolor,xpro")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    report = {}
    for style in a.styles.split(","):
        ids = (ROOT / f"training/splits/{style}/test.txt").read_text().split()
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            photos = tmp / "photos"
            photos.mkdir()
            for i in ids:
                (photos / f"{i}.jpg").symlink_to(DATA / SOURCES[style] / "images" / f"{i}.jpg")
            adjust(a.binary, photos, tmp / "fp32", style, a.reference)
            adjust(a.binary, photos, tmp / "shipped", style, None)  # the default: the trunk in models/
            dist = []
            for i in ids:
                x = lab8(np.array(Image.open(tmp / "fp32" / f"{i}.jpg").convert("RGB")))
                y = lab8(np.array(Image.open(tmp / "shipped" / f"{i}.jpg").convert("RGB")))
                dist.append(((x - y) ** 2).sum(0).sqrt().flatten().numpy())
        d = np.concatenate(dist)
        report[style] = {"photos": len(ids), "pixels": int(d.size), "mean_delta_e": float(d.mean()),
                         "p99_delta_e": float(np.percentile(d, 99)), "max_delta_e": float(d.max()),
                         "share_changed": float((d > 0).mean())}
        print(style, json.dumps(report[style]), flush=True)
    if a.json:
        a.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
