"""Frozen-trunk feature cache: one safetensors file per photo (fp16), streamed from disk in training.

  nice -n 19 python3 -m training.cache --pairs pairs/popout --out cache/popout --long-side 320
"""
import argparse
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file, load_file
from tqdm import tqdm

from .data import Pair, list_pairs, load_rgb, working_image
from .model import build_trunk

# The trunk that ships with the product: a clone can cache features for its own photos.
DEFAULT_WEIGHTS = Path(__file__).resolve().parents[1] / "models/resnet50-imagenet-trunk.safetensors"
KEYS = ("conv1", "layer1", "layer2", "layer3")


@torch.no_grad()
def trunk_features(trunk, rgb8, long_side):
    w = working_image(rgb8, long_side)
    if not w.flags.writeable:  # a view of a decoded image: torch warns on read-only arrays
        w = w.copy()
    x = torch.from_numpy(w).permute(2, 0, 1).float().div(255.0).unsqueeze(0).to(next(trunk.parameters()).device)
    f = trunk(x)
    return {k: f[k][0] for k in KEYS}


def load_cached(cache_dir, name):
    f = load_file(str(Path(cache_dir) / f"{name}.safetensors"))
    return {k: f[k].float() for k in KEYS}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    ap.add_argument("--long-side", type=int, default=320)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--splits", type=Path, help="cache val, then train, then test names from these split files")
    ap.add_argument("--split", action="append", help="only these splits of --splits (e.g. --split train)")
    ap.add_argument("--mirror", action="store_true",
                    help="features of the left-right mirrored photo (the flip augmentation of train.py --mirror-cache)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    trunk = build_trunk(a.weights).eval()
    a.out.mkdir(parents=True, exist_ok=True)
    names = list_pairs(a.pairs)
    if a.splits:
        from .data import read_split
        names = [n for s in (a.split or ("val", "train", "test")) for n in read_split(a.splits, s)]
    names = [n for n in names if not (a.out / f"{n}.safetensors").exists()]
    t0 = time.time()
    for n in tqdm(names, desc="cache"):
        rgb = load_rgb(Pair(a.pairs, n).input_path)
        f = trunk_features(trunk, np.ascontiguousarray(rgb[:, ::-1]) if a.mirror else rgb, a.long_side)
        (a.out / n).parent.mkdir(parents=True, exist_ok=True)  # source/stem names: one folder per source
        save_file({k: v.half().contiguous() for k, v in f.items()}, str(a.out / f"{n}.safetensors"),
                  metadata={"long_side": str(a.long_side), "mirrored": str(a.mirror).lower()})
    print(f"{len(names)} photos cached in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
