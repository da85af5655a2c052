"""Table-1 figures for a folder of output images made elsewhere (e.g. by the Swift engine's
`semadjust adjust` batch mode): the same metric as evaluate.py, mean per-pixel CIELab L2 distance of
the 8-bit output to the target, averaged over the photos of a split.

  python3 -m training.evaluate_outputs --outputs runs/swift/popout --pairs pairs/popout \
      --splits training/splits/popout [--maps runs/swift/popout-maps --K 2] [--json out.json]

Outputs are looked up as OUTPUTS/NAME.(png|jpg|jpeg); a lossy (JPEG) output is measured as it is.
Optional --maps: a folder of index maps NAME.png (preset index per pixel, 0..K-1) for the map
accuracy against the synthesis groups (best preset<->group matching, as evaluate.py).
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

from .colour import rgb_to_lab
from .data import Pair, find, load_index, load_rgb, read_split
from .metrics import best_match_accuracy, confusion, lab_error, miou


def lab8(rgb8: np.ndarray) -> torch.Tensor:
    """uint8 HxWx3 -> 3xHxW Lab (float64)."""
    return rgb_to_lab(torch.from_numpy(rgb8).permute(2, 0, 1).double() / 255.0)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--outputs", type=Path, required=True)
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--maps", type=Path)
    ap.add_argument("--K", type=int, default=0, help="number of presets (for --maps)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    names = read_split(a.splits, a.split)[:a.limit or None]
    e_in, e_out, missing, conf = [], [], [], None
    for n in names:
        op = find(a.outputs, n)
        if op is None:
            missing.append(n)
            continue
        inp, tgt, groups, _ = Pair(a.pairs, n).load()
        out = load_rgb(op)
        assert out.shape == tgt.shape, (n, out.shape, tgt.shape)
        lt = lab8(tgt)
        e_in.append(lab_error(lab8(inp), lt))
        e_out.append(lab_error(lab8(out), lt))
        if a.maps is not None and groups is not None:
            mp = find(a.maps, n)
            if mp is not None:
                K = a.K or int(groups.max()) + 1
                c = confusion(np.minimum(load_index(mp), K - 1), np.minimum(groups, K - 1), K, K)
                conf = c if conf is None else conf + c
    res = {"n": len(e_out), "missing": missing, "input": float(np.mean(e_in)), "output": float(np.mean(e_out))}
    res["reduction"] = 1 - res["output"] / res["input"]
    if conf is not None:
        acc, perm = best_match_accuracy(conf)
        res.update(map_acc=float(acc), map_miou=miou(conf, perm), perm=list(perm))
    print(f"split {a.split}: {res['n']} photos of {a.pairs} ({len(missing)} outputs missing)")
    print(f"input {res['input']:.2f}  output {res['output']:.2f}  reduction {100 * res['reduction']:.1f} %"
          + (f"  map accuracy {res['map_acc']:.3f}" if "map_acc" in res else ""))
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
