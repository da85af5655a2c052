"""Prepare a pairs folder: write labels/ for the parsing head from a dataset's masks, and split files.

  python3 -m training.prepare labels --data ../shared/data/ecssd --pairs pairs/popout
  python3 -m training.prepare splits --pairs pairs/popout --out training/splits/popout
Label maps (255 = ignore): saliency sets 0 bg / 1 salient; camvid 0..10 (11 void -> 255);
stanford_background 0..7 (255 unknown).
"""
import argparse
from pathlib import Path

import numpy as np
from PIL import Image

from .data import list_pairs, make_splits, load_index

PARSE_CLASSES = {"ecssd": 2, "sod": 2, "weizmann_horse": 2, "camvid": 11, "stanford_background": 8}


def to_labels(dataset, m):
    if dataset in ("ecssd", "sod", "weizmann_horse"):
        return (m > 127).astype(np.uint8)
    if dataset == "camvid":
        return np.where(m >= 11, 255, m).astype(np.uint8)
    if dataset == "stanford_background":
        return np.where(m > 7, 255, m).astype(np.uint8)
    raise SystemExit(f"unknown dataset {dataset}")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["labels", "splits"])
    ap.add_argument("--data", type=Path)
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if a.what == "labels":
        ds = a.data.resolve().name.lower()
        (a.pairs / "labels").mkdir(exist_ok=True)
        n = 0
        for name in list_pairs(a.pairs):
            mp = a.data / "masks" / f"{name}.png"
            if mp.exists():
                Image.fromarray(to_labels(ds, load_index(mp))).save(a.pairs / "labels" / f"{name}.png")
                n += 1
        print(f"{n} label maps ({PARSE_CLASSES[ds]} classes) in {a.pairs / 'labels'}")
    else:
        sp = make_splits(list_pairs(a.pairs), seed=a.seed)
        a.out.mkdir(parents=True, exist_ok=True)
        for k, v in sp.items():
            (a.out / f"{k}.txt").write_text("\n".join(v) + "\n")
        print({k: len(v) for k, v in sp.items()})


if __name__ == "__main__":
    main()
