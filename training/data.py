"""Any folder of pairs: input/NAME.jpg, target/NAME.(jpg|png), optional groups/NAME.png, labels/NAME.png.

groups: the synthesis group per pixel (only to MEASURE the discovered map, never a training target).
labels: semantic labels for the multi-task parsing head (255 = ignore).
"""
import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .colour import rgb_to_lab, lab_to_unit

IMG_EXT = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff")


def find(folder: Path, name: str):
    for ext in IMG_EXT + tuple(e.upper() for e in IMG_EXT):
        p = folder / f"{name}{ext}"
        if p.exists():
            return p
    return None


def list_pairs(root: Path):
    """Names of the pairs under root: `stem` for a folder of pairs, `source/stem` for a folder of
    such folders (one per source, as pairs/<style>/<source>/)."""
    root = Path(root)
    if not (root / "input").is_dir():
        return [f"{d.name}/{n}" for d in sorted(root.iterdir()) if (d / "input").is_dir() for n in list_pairs(d)]
    names = sorted(p.stem for p in (root / "input").iterdir() if p.suffix.lower() in IMG_EXT)
    return [n for n in names if find(root / "target", n) is not None]


def pair_folder(root: Path, name: str):
    """(folder, stem) of a pair name: `source/stem` lives in root/source."""
    source, _, stem = name.rpartition("/")
    return (Path(root) / source if source else Path(root)), stem


def make_splits(names, seed=0, val=0.10, test=0.15):
    names = sorted(names)
    rng = random.Random(seed)
    rng.shuffle(names)
    n_test, n_val = round(len(names) * test), round(len(names) * val)
    return {"test": sorted(names[:n_test]), "val": sorted(names[n_test:n_test + n_val]),
            "train": sorted(names[n_test + n_val:])}


def read_split(split_dir: Path, split: str):
    return [l.strip() for l in (Path(split_dir) / f"{split}.txt").read_text().splitlines() if l.strip()]


def load_rgb(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def load_index(path) -> np.ndarray:
    a = np.asarray(Image.open(path))
    return a[..., 0] if a.ndim == 3 else a


def working_image(rgb8: np.ndarray, long_side: int) -> np.ndarray:
    """The working-resolution copy the trunk sees: Pillow BILINEAR (antialiased triangle filter),
    long side = long_side, short side rounded."""
    h, w = rgb8.shape[:2]
    s = long_side / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return np.asarray(Image.fromarray(rgb8).resize(size, Image.BILINEAR))


def to_unit_lab(rgb8: np.ndarray) -> torch.Tensor:
    """uint8 HxWx3 -> 3xHxW unit Lab (float32, computed in float64)."""
    t = torch.from_numpy(np.array(rgb8)).permute(2, 0, 1).double() / 255.0
    return lab_to_unit(rgb_to_lab(t)).float()


class Pair:
    def __init__(self, root: Path, name: str):
        self.name = name
        root, stem = pair_folder(root, name)
        self.input_path = find(root / "input", stem)
        self.target_path = find(root / "target", stem)
        self.groups_path = find(root / "groups", stem)
        self.labels_path = find(root / "labels", stem)

    def load(self):
        inp, tgt = load_rgb(self.input_path), load_rgb(self.target_path)
        assert inp.shape == tgt.shape, (self.name, inp.shape, tgt.shape)
        g = load_index(self.groups_path) if self.groups_path else None
        l = load_index(self.labels_path) if self.labels_path else None
        return inp, tgt, g, l
