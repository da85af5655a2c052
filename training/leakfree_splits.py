"""Train/val/test splits over all of a style's sources that leak nothing into the test split.

Names are `source/stem` (pairs/<style>/<source>/input/<stem>.jpg). Two rules:
- **Video by sequence.** CamVid frames 1 s apart are near-copies, so a whole sequence is the unit:
  `0006R0` is the test split; `Seq05VD`'s last frames are val, after a guard of frames that belong to
  no split, so that val (model selection) is not a near-copy of training either; the rest is train.
- **Near-duplicates stay together.** Photos linked by near_duplicates (the same photo in two
  datasets — ECSSD holds dozens of SOD's Berkeley photos — or two shots of one scene) form groups
  (connected components), and a group goes to one split whole. Groups are drawn in a seeded random
  order into test, then val, until each source has its share; the rest is train.
A final check compares every test and val photo with every training photo and fails on any pair.
"""
import random
from collections import defaultdict
from pathlib import Path

from . import near_duplicates

CAMVID_TEST_SEQUENCES = {"0006R0"}
CAMVID_VAL_SEQUENCE, CAMVID_VAL_FRAMES, CAMVID_GUARD_FRAMES = "Seq05VD", 40, 10


def _camvid_split(stems):
    """split name (or None for the guard) of each CamVid frame stem."""
    out = {}
    by_sequence = defaultdict(list)
    for s in stems:
        by_sequence[s.split("_")[0]].append(s)
    for sequence, frames in by_sequence.items():
        frames.sort()
        for i, s in enumerate(frames):
            if sequence in CAMVID_TEST_SEQUENCES:
                out[s] = "test"
            elif sequence == CAMVID_VAL_SEQUENCE and i >= len(frames) - CAMVID_VAL_FRAMES:
                out[s] = "val"
            elif sequence == CAMVID_VAL_SEQUENCE and i >= len(frames) - CAMVID_VAL_FRAMES - CAMVID_GUARD_FRAMES:
                out[s] = None
            else:
                out[s] = "train"
    return out


def _groups(names, pairs):
    parent = {n: n for n in names}

    def root(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b, _, _ in pairs:
        parent[root(a)] = root(b)
    groups = defaultdict(list)
    for n in names:
        groups[root(n)].append(n)
    return sorted(sorted(g) for g in groups.values())


def make(names_by_source, input_path, seed=0, val=0.10, test=0.15):
    """(splits {train,val,test: [names]}, report) for names_by_source {source: [stems]};
    input_path(name) gives the photo of a `source/stem` name."""
    names = [f"{src}/{s}" for src, stems in sorted(names_by_source.items()) for s in sorted(stems)]
    descs = {n: near_duplicates.descriptors(input_path(n)) for n in names}
    pairs = near_duplicates.find(descs, descs)
    split = {}
    if "camvid" in names_by_source:
        for s, sp in _camvid_split(names_by_source["camvid"]).items():
            split[f"camvid/{s}"] = sp
    groups = [g for g in _groups(names, pairs) if not any(n in split for n in g)]
    random.Random(seed).shuffle(groups)
    quota = {src: {"test": round(len(st) * test), "val": round(len(st) * val)} for src, st in names_by_source.items()}
    filled = defaultdict(int)
    for g in groups:
        sources = {n.split("/")[0] for n in g}
        target = next((sp for sp in ("test", "val") if all(filled[(s, sp)] < quota[s][sp] for s in sources)), "train")
        for n in g:
            split[n] = target
            filled[(n.split("/")[0], target)] += 1
    # Video frames of other sequences (or any photo) that still resemble a held-out photo leave training.
    held = {n: descs[n] for n in names if split[n] in ("test", "val")}
    train = {n: descs[n] for n in names if split[n] == "train"}
    dropped = sorted({t for _, t, _, _ in near_duplicates.find(held, train)})
    for n in dropped:
        split[n] = None
    train = {n: descs[n] for n in names if split[n] == "train"}
    assert not near_duplicates.find(held, train), "a held-out photo still has a near-duplicate in training"
    out = {sp: sorted(n for n in names if split[n] == sp) for sp in ("train", "val", "test")}
    cross_source = sum(1 for a, b, _, _ in pairs if a < b and a.split("/")[0] != b.split("/")[0])
    report = {
        "near_duplicate_pairs": sum(1 for a, b, _, _ in pairs if a < b),
        "of_which_across_sources": cross_source,
        "groups_of_two_or_more": sum(1 for g in _groups(names, pairs) if len(g) > 1),
        "dropped_from_train": dropped,
        "pairs": [[a, b, bits, round(dist, 2)] for a, b, bits, dist in pairs if a < b],
        "camvid_guard_frames": sorted(n for n in names if n.startswith("camvid/") and split[n] is None and n not in dropped),
        "thresholds": {"hash_bits": near_duplicates.HASH_BITS_MAX, "thumbnail_lab": near_duplicates.THUMB_LAB_MAX},
        "counts": {src: {sp: sum(1 for n in out[sp] if n.startswith(src + "/")) for sp in out}
                   for src in sorted(names_by_source)},
    }
    return out, report


def write(out_dir: Path, splits, report):
    import json

    out_dir.mkdir(parents=True, exist_ok=True)
    for sp, names in splits.items():
        (out_dir / f"{sp}.txt").write_text("\n".join(names) + "\n")
    (out_dir / "near-duplicates.json").write_text(json.dumps(report, indent=1) + "\n")
