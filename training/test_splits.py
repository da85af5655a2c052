"""Checks of the near-duplicate search and the leak-free splits (python3 -m training.test_splits).

On generated photos: a re-encoded, slightly resized copy and a mirrored copy are found, a different
scene is not; a linked group never straddles two splits; CamVid frames split by sequence with the
guard frames in no split.
"""
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from . import leakfree_splits, near_duplicates


def scene(seed, size=(160, 120)):
    """A photo-like picture: smooth colour gradients and a few discs, different for every seed."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    img = np.stack([np.sin(x * rng.uniform(2, 6) + rng.uniform(0, 6)) * 0.5 + 0.5 for _ in range(3)], -1)
    for _ in range(4):
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 0.75), rng.uniform(0.05, 0.2)
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 1, 3)
    return Image.fromarray((img * 255).astype(np.uint8))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photos = {"a": scene(1), "b": scene(2), "c": scene(3)}
        photos["a_copy"] = photos["a"].resize((150, 112), Image.BILINEAR)
        photos["a_mirror"] = photos["a"].transpose(Image.FLIP_LEFT_RIGHT)
        for name, img in photos.items():
            img.save(tmp / f"{name}.jpg", quality=70 if name == "a_copy" else 92)
        descs = {n: near_duplicates.descriptors(tmp / f"{n}.jpg") for n in photos}
        found = {(q, r) for q, r, _, _ in near_duplicates.find(descs, descs)}
        assert ("a", "a_copy") in found and ("a", "a_mirror") in found, found
        assert not any("b" in (q, r) or "c" in (q, r) for q, r in found), found
        print("near_duplicates: a re-encoded resized copy and a mirror found, distinct scenes not:", sorted(found))

        # Groups stay whole: 20 distinct photos of one source, one of which has two copies in another.
        names = {"set1": [f"p{i:02d}" for i in range(20)], "set2": ["dup1", "dup2"]}
        paths = {}
        for i, stem in enumerate(names["set1"]):
            paths[f"set1/{stem}"] = tmp / f"set1_{stem}.jpg"
            scene(100 + i).save(paths[f"set1/{stem}"], quality=92)
        for stem in names["set2"]:
            paths[f"set2/{stem}"] = tmp / f"set2_{stem}.jpg"
            scene(100).resize((140, 105)).save(paths[f"set2/{stem}"], quality=80)
        for seed in range(5):
            splits, report = leakfree_splits.make(names, paths.__getitem__, seed=seed)
            where = {n: sp for sp, ns in splits.items() for n in ns}
            group = {where["set1/p00"], where["set2/dup1"], where["set2/dup2"]}
            assert len(group) == 1, (seed, group)
            assert sum(map(len, splits.values())) == 22
        assert report["near_duplicate_pairs"] == 3 and report["of_which_across_sources"] == 2, report
        print("leakfree_splits: a photo and its two copies in another source always share a split (5 seeds)")

        frames = ([f"0006R0_f{i:05d}" for i in range(0, 300, 30)] + [f"Seq05VD_f{i:05d}" for i in range(0, 3000, 30)]
                  + [f"0016E5_{i:05d}" for i in range(0, 600, 30)])
        split = leakfree_splits._camvid_split(frames)
        assert all(split[f] == "test" for f in frames if f.startswith("0006R0"))
        seq = sorted(f for f in frames if f.startswith("Seq05VD"))
        assert [split[f] for f in seq[-40:]] == ["val"] * 40 and [split[f] for f in seq[-50:-40]] == [None] * 10
        assert all(split[f] == "train" for f in seq[:-50]) and all(split[f] == "train" for f in frames if f.startswith("0016E5"))
        print("camvid: 0006R0 test, Seq05VD's last 40 val after a guard of 10, the rest train")


if __name__ == "__main__":
    main()
