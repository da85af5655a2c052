"""Contact sheet: input | discovered map | output | target, one row per photo.

  python3 -m training.contact_sheet --model models/popout.safetensors --pairs pairs/popout \
      --cache cache/popout --splits training/splits/popout --n 5 --out models/popout-contact.png
"""
import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .cache import load_cached
from .colour import lab_to_rgb, unit_to_lab
from .data import Pair, read_split, to_unit_lab
from .cache import trunk_features
from .evaluate import load_model

PALETTE = np.array([[40, 40, 160], [240, 200, 40], [60, 180, 75], [230, 25, 75]], np.uint8)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--cache", type=Path, help="feature cache (not used by a model with an embedded trunk)")
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--height", type=int, default=160)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    torch.set_num_threads(2)
    m, trunk, side = load_model(a.model)
    rows = []
    for name in read_split(a.splits, a.split)[:a.n]:
        inp, tgt, _, _ = Pair(a.pairs, name).load()
        feat = load_cached(a.cache, name) if trunk is None else trunk_features(trunk, inp, side)
        out, pi = m.predict_image(feat, to_unit_lab(inp))
        out8 = (lab_to_rgb(unit_to_lab(out.double())).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        mp = PALETTE[pi.argmax(0).numpy()] if pi is not None else np.zeros_like(inp)
        tiles = [Image.fromarray(x) for x in (inp, mp, out8, tgt)]
        w = round(inp.shape[1] * a.height / inp.shape[0])
        rows.append(np.concatenate([np.asarray(t.resize((w, a.height), Image.BILINEAR)) for t in tiles], 1))
    W = max(r.shape[1] for r in rows)
    sheet = np.concatenate([np.pad(r, ((0, 4), (0, W - r.shape[1]), (0, 0)), constant_values=255) for r in rows])
    a.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(a.out, optimize=True)
    print(f"wrote {a.out} {sheet.shape}")


if __name__ == "__main__":
    main()
