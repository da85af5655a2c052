"""Prepare a pairs folder: write labels/ for the parsing head from a dataset's masks, and split files.

  python3 -m training.prepare labels --data ../shared/data/ecssd --pairs pairs/popout
  python3 -m training.prepare splits --pairs pairs/popout --out training/splits/popout
A style made from several sources keeps one folder per source (pairs/<style>/<source>/, names
`source/stem`); `labels --data ../shared/data --pairs pairs/<style>` then reads each source's masks
from ../shared/data/<source>, and `splits` makes leak-free splits (leakfree_splits.py: CamVid by
sequence, near-duplicates kept in one split) and writes near-duplicates.json beside them.
Label maps (255 = ignore): saliency sets 0 bg / 1 salient; camvid 0..10 (11 void -> 255);
stanford_background 0..7 (255 unknown).
"""
import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from .data import Pair, list_pairs, make_splits, load_index

PARSE_CLASSES = {"ecssd": 2, "sod": 2, "weizmann_horse": 2, "camvid": 11, "stanford_background": 8}
# Sources whose labels mean the same share their classes; others get classes of their own in a
# style's joint label space (xpro: CamVid 0..10, Stanford Background 11..18).
LABEL_SPACE = {"ecssd": "saliency", "sod": "saliency", "weizmann_horse": "saliency", "camvid": "camvid",
               "stanford_background": "stanford_background"}


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
        if not (a.pairs / "input").is_dir():  # one folder per source, labels in a joint space
            sources = sorted(d for d in a.pairs.iterdir() if (d / "input").is_dir())
            offsets, total = {}, 0
            for space in sorted({LABEL_SPACE[d.name] for d in sources}):
                offsets[space] = total
                total += next(PARSE_CLASSES[d.name] for d in sources if LABEL_SPACE[d.name] == space)
            for source in sources:
                write_labels(a.data / source.name, source, offsets[LABEL_SPACE[source.name]])
            print(f"joint label space: {total} classes (--parse-classes {total}); offsets {offsets}")
        else:
            write_labels(a.data, a.pairs)
    elif not (a.pairs / "input").is_dir():
        from . import leakfree_splits
        by_source = {}
        for name in list_pairs(a.pairs):
            source, stem = name.split("/")
            by_source.setdefault(source, []).append(stem)
        sp, report = leakfree_splits.make(by_source, lambda n: Pair(a.pairs, n).input_path, seed=a.seed)
        leakfree_splits.write(a.out, sp, report)
        print(json.dumps({k: v for k, v in report.items() if k != "camvid_guard_frames"}, indent=1))
    else:
        sp = make_splits(list_pairs(a.pairs), seed=a.seed)
        a.out.mkdir(parents=True, exist_ok=True)
        for k, v in sp.items():
            (a.out / f"{k}.txt").write_text("\n".join(v) + "\n")
        print({k: len(v) for k, v in sp.items()})


def write_labels(data: Path, pairs: Path, offset=0):
    ds = data.resolve().name.lower()
    (pairs / "labels").mkdir(exist_ok=True)
    n = 0
    for name in list_pairs(pairs):
        mp = data / "masks" / f"{name}.png"
        if mp.exists():
            labels = to_labels(ds, load_index(mp))
            labels = np.where(labels == 255, 255, labels + offset).astype(np.uint8)
            Image.fromarray(labels).save(pairs / "labels" / f"{name}.png")
            n += 1
    print(f"{n} label maps ({PARSE_CLASSES[ds]} classes from {offset}) in {pairs / 'labels'}")


if __name__ == "__main__":
    main()
