"""A full-size random head in the export format, for timing before a trained model exists.

  python3 bench/inference/make_random_head.py OUT.safetensors [--mode map|context] [--K 2]

Same shapes as a trained popout head (d 256, ctx 512, GRU hidden 256, base 64), weights drawn as the
parity fixtures draw them (training/fixtures.py randomise) with P non-zero so the colour pass does work.
Timing depends on shapes, not on values; the guided-vs-exact error is reported for trained models too.
"""
import argparse
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from training.export import export_tensors, metadata  # noqa: E402
from training.fixtures import randomise  # noqa: E402
from training.model import SAAdjustNet  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--mode", default="map")
    ap.add_argument("--K", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    g = torch.Generator().manual_seed(a.seed)
    m = SAAdjustNet(a.mode, K=a.K, d=256, zero_p=False).eval()
    randomise(m, g)
    with torch.no_grad():  # residuals of a few Lab units, like a trained style
        m.P.weight.mul_(0.5)
    presets = [f"preset{k}" for k in range(a.K)]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    save_file(export_tensors(m), str(a.out), metadata=metadata(m, "random", presets))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
