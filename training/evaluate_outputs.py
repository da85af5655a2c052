"""Table-1 figures for a folder of output images made elsewhere (e.g. by the Swift engine's
`semadjust adjust` batch mode): the same metric as evaluate.py, mean per-pixel CIELab L2 distance of
the 8-bit output to the target, averaged over the photos of a split.

  python3 -m training.evaluate_outputs --outputs runs/swift/popout --pairs pairs/popout \
      --splits training/splits/popout [--maps runs/swift/popout-maps --K 2] [--json out.json]

Outputs are looked up as OUTPUTS/NAME.(png|jpg|jpeg); a lossy (JPEG) output is measured as it is.
Optional --maps: a folder of index maps NAME.png (preset index per pixel, 0..K-1) for the map
accuracy against the synthesis groups (best preset<->group matching of the whole split, each source
under it, as evaluate.py) and the boundary F-measure. Per source and pooled, also the error in the 6 px
band around the true group boundaries (edge_eval's figures, for the engine's own output).
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

from scipy.ndimage import distance_transform_edt

from .colour import rgb_to_lab
from .data import Pair, find, load_index, load_rgb, read_split
from .edge_eval import BAND_PX, boundaries, boundary_f
from .metrics import confusion
from .train import summarise


def lab8(rgb8: np.ndarray) -> torch.Tensor:
    """uint8 HxWx3 -> 3xHxW Lab (float64)."""
    return rgb_to_lab(torch.from_numpy(np.array(rgb8)).permute(2, 0, 1).double() / 255.0)


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
    per_photo, edges, missing = {}, {}, []
    for n in names:
        op = find(a.outputs, n)
        if op is None:
            missing.append(n)
            continue
        inp, tgt, groups, _ = Pair(a.pairs, n).load()
        out = load_rgb(op)
        assert out.shape == tgt.shape, (n, out.shape, tgt.shape)
        lt = lab8(tgt)
        err_in = (lab8(inp) - lt).pow(2).sum(0).sqrt().numpy()
        err_out = (lab8(out) - lt).pow(2).sum(0).sqrt().numpy()
        conf, f = None, None
        mp = find(a.maps, n) if a.maps is not None else None
        if mp is not None and groups is not None:
            K = a.K or int(groups.max()) + 1
            labels = np.minimum(load_index(mp), K - 1)
            conf = confusion(labels, np.minimum(groups, K - 1), K, K)
            f = boundary_f(labels, groups)
        per_photo[n] = (float(err_in.mean()), float(err_out.mean()), conf)
        if groups is not None:
            band = distance_transform_edt(~boundaries(groups)) <= BAND_PX
            if band.any():
                edges[n] = (float(err_in[band].mean()), float(err_out[band].mean()), f)
    res = summarise(per_photo.values())
    res["missing"] = missing
    sources = sorted({n.rpartition("/")[0] for n in per_photo})
    if sources != [""]:
        res["by_source"] = {s: summarise((v for n, v in per_photo.items() if n.rpartition("/")[0] == s), res.get("perm"))
                            for s in sources}
    def edge_figures(keys):
        v = [edges[k] for k in keys if k in edges]
        if not v:
            return {}
        fs = [x[2] for x in v if x[2] is not None]
        return {"band_input": float(np.mean([x[0] for x in v])), "band_output": float(np.mean([x[1] for x in v])),
                **({"boundary_f": float(np.mean(fs))} if fs else {})}
    res.update(edge_figures(per_photo))
    for s in res.get("by_source", {}):
        res["by_source"][s].update(edge_figures([n for n in per_photo if n.rpartition("/")[0] == s]))
    print(f"split {a.split}: {res['n']} photos of {a.pairs} ({len(missing)} outputs missing)")
    print("| source | photos | input | output | reduction | map accuracy | band input | band output | band reduction | boundary F |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in [*res.get("by_source", {}).items(), ("pooled", res)]:
        cell = lambda key, fmt: fmt.format(r[key]) if key in r else ""
        band = f"{100 * (1 - r['band_output'] / r['band_input']):.1f} %" if "band_input" in r else ""
        print(f"| {name} | {r['n']} | {r['input']:.2f} | {r['output']:.2f} | {100 * (1 - r['output'] / r['input']):.1f} % | "
              f"{cell('map_acc', '{:.3f}')} | {cell('band_input', '{:.2f}')} | {cell('band_output', '{:.2f}')} | {band} | "
              f"{cell('boundary_f', '{:.3f}')} |")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
