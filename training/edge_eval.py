"""Boundary figures of a +S model's map, with and without edge-aware refinement (issue: edges).

  nice -n 10 python3 -m training.edge_eval --model models/popout.safetensors --pairs pairs/popout \
      --cache cache/popout --splits training/splits/popout --per-source 20 --json runs/edges-popout.json

For every photo and every variant (the argmax map, the soft map, guided-filter refinements of the
soft map), per source and pooled:
- `band`: mean CIELab error of the 8-bit output in the 6 px band around the true group boundaries
  (where the synthesised effect changes preset), against the target;
- `whole`: the same over the whole photo (Table 1's figure);
- `boundary_f`: F-measure of the map's preset boundaries against the groups' boundaries, a boundary
  pixel counting as matched within 2 px (the BSDS convention).
The refinement is evaluated in the engine's form (map_refine.engine_*, checked against the Swift
GuidedMapFilter by GuidedMapFilterParityTests), so these are the shipped path's figures.
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
from scipy.ndimage import distance_transform_edt, gaussian_filter

from . import map_refine
from .cache import load_cached
from .data import Pair, read_split, to_unit_lab
from .evaluate import load_model
from .metrics import best_match_accuracy, confusion, quantise_unit
from .model import SCALES, pixel_grid, sample
from .colour import unit_to_feature

BAND_PX, MATCH_PX = 6, 2


@torch.no_grad()
def presets_and_map(model, feat, lab_unit, chunk=65536):
    """delta_k (K,3,H,W) of every preset and the soft map pi (K,H,W), one pass (predict_image's fast path)."""
    H, W = lab_unit.shape[1:]
    maps = model.context_maps([feat])[0]
    grid = pixel_grid(H, W)
    lab = lab_unit.reshape(3, -1).t()
    proj = {s: torch.einsum("oc,chw->ohw", model.map_head.weight, maps[s]) for s in SCALES}
    deltas, pis = [], []
    for i in range(0, H * W, chunk):
        g, lb = grid[i:i + chunk], lab[i:i + chunk]
        z = model.map_head.bias + sum(sample(proj[s], g) for s in SCALES)
        hx = torch.tanh(model.U(torch.cat([unit_to_feature(lb, dim=-1), sample(maps["conv1n"], g)], -1)))
        deltas.append(model.P(hx.unsqueeze(1) * model.presets().unsqueeze(0)))  # n,K,3
        pis.append(torch.softmax(z, -1))
    delta = torch.cat(deltas).permute(1, 2, 0).reshape(model.K, 3, H, W)
    pi = torch.cat(pis).t().reshape(model.K, H, W)
    return delta, pi


def boundaries(labels):
    b = np.zeros(labels.shape, bool)
    b[:, 1:] |= labels[:, 1:] != labels[:, :-1]
    b[1:, :] |= labels[1:, :] != labels[:-1, :]
    return b


def boundary_f(pred, truth):
    bp, bt = boundaries(pred), boundaries(truth)
    if not bt.any() and not bp.any():
        return 1.0
    if not bt.any() or not bp.any():
        return 0.0
    dt, dp = distance_transform_edt(~bt), distance_transform_edt(~bp)
    precision = float((dt[bp] <= MATCH_PX).mean())
    recall = float((dp[bt] <= MATCH_PX).mean())
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


@torch.no_grad()
def probabilities_at(model, feat, h, w):
    """The soft map at an h x w grid (the engine's ContextResult.mapProbabilities)."""
    maps = model.context_maps([feat])[0]
    proj = {s: torch.einsum("oc,chw->ohw", model.map_head.weight, maps[s]) for s in SCALES}
    z = model.map_head.bias + sum(sample(proj[s], pixel_grid(h, w)) for s in SCALES)
    return torch.softmax(z, -1).t().reshape(model.K, h, w)


def variants(model, feat, pi, rgb8, settings, soft_refined=False, guide_long_side=512):
    """name -> map used for blending (K,H,W): the argmax and soft maps, and the engine's refinement
    (GuidedMapFilter: coefficients on the point-sampled guide, labels at full resolution) for each
    (window fraction, epsilon) of `settings`; with `soft_refined` also its clamped, renormalised q as
    blending weights (measured worse than the labels: its ramps are wider than the photo's edges)."""
    K = pi.shape[0]
    onehot = lambda labels: torch.nn.functional.one_hot(labels.long(), K).permute(2, 0, 1).float()
    out = {"argmax": onehot(pi.argmax(0)), "soft": pi}
    guide = map_refine.guide_planes(rgb8, guide_long_side)
    weights = probabilities_at(model, feat, *guide.shape[1:])
    for fraction, eps in settings:
        coefficients = map_refine.engine_coefficients(weights, guide, fraction, eps)
        out[f"refined-w{fraction:g}-e{eps:g}"] = onehot(map_refine.engine_labels(coefficients, rgb8))
        if soft_refined:
            out[f"refined-soft-w{fraction:g}-e{eps:g}"] = map_refine.engine_weights(coefficients, rgb8).float()
    return out


def oracle_maps(pi, groups):
    """The true groups as maps, the presets matched to the groups by pixel agreement with the argmax
    map: one-hot (what a perfect label map could do) and feathered as the synthesis feathers them
    (Gaussian, sigma 0.004 of the long side: what the colour model could do with a perfect soft map).
    The gap between these and a variant is the map's share of the error; the rest is the colour model's."""
    K = pi.shape[0]
    clipped = np.clip(groups, 0, K - 1)
    _, group_of = best_match_accuracy(confusion(pi.argmax(0).numpy(), clipped, K, K))
    preset_of = np.argsort(group_of)[clipped]  # group_of[k] = g, so argsort gives the preset of each group
    onehot = np.stack([(preset_of == k).astype(np.float64) for k in range(K)])
    sigma = 0.004 * max(groups.shape)
    soft = np.stack([gaussian_filter(m, sigma) for m in onehot])
    soft /= soft.sum(0, keepdims=True)
    return {"oracle-labels": torch.from_numpy(onehot).float(), "oracle-feathered": torch.from_numpy(soft).float()}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--per-source", type=int, default=0, help="only the first N photos of each source")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--fractions", default="0.04,0.08,0.12", help="window radii, fractions of the guide's long side")
    ap.add_argument("--epsilons", default="1e-4,1e-3")
    ap.add_argument("--soft-refined", action="store_true", help="also blend by the refined map's clamped q")
    ap.add_argument("--oracle", action="store_true", help="also the true groups as maps (oracle_maps)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, _, _ = load_model(a.model)
    settings = [(float(f), float(e)) for f in a.fractions.split(",") for e in a.epsilons.split(",")]
    names = read_split(a.splits, a.split)
    if a.per_source:
        kept, seen = [], {}
        for n in names:
            s = n.rpartition("/")[0]
            if seen.get(s, 0) < a.per_source:
                kept.append(n)
                seen[s] = seen.get(s, 0) + 1
        names = kept
    rows = {}  # (source, variant) -> list of (band, whole, f)
    for n in names:
        inp, tgt, groups, _ = Pair(a.pairs, n).load()
        li, lt = to_unit_lab(inp), to_unit_lab(tgt)
        feat = load_cached(a.cache, n)
        delta, pi = presets_and_map(model, feat, li)
        band = distance_transform_edt(~boundaries(groups)) <= BAND_PX
        lab_t = quantise_unit(lt)
        maps = variants(model, feat, pi, inp, settings, a.soft_refined)
        if a.oracle:
            maps.update(oracle_maps(pi, groups))
        for name, m in [("input", None), *maps.items()]:
            out = li if m is None else li + (m.unsqueeze(1) * delta).sum(0)
            m = pi if m is None else m
            err = (quantise_unit(out) - lab_t).pow(2).sum(0).sqrt().numpy()
            f = boundary_f(m.argmax(0).numpy(), groups)
            for key in (n.rpartition("/")[0], "pooled"):
                rows.setdefault((key, name), []).append((float(err[band].mean()) if band.any() else np.nan, float(err.mean()), f))
    res = {}
    for (source, name), v in rows.items():
        v = np.array(v)
        res.setdefault(source, {})[name] = {"band": float(np.nanmean(v[:, 0])), "whole": float(v[:, 1].mean()),
                                            "boundary_f": float(v[:, 2].mean()), "n": len(v)}
    for source, r in res.items():
        print(f"\n{source} ({r['argmax']['n']} photos)\n| map | band Lab | whole Lab | boundary F |\n|---|---|---|---|")
        for name, x in sorted(r.items(), key=lambda kv: kv[1]["band"]):
            print(f"| {name} | {x['band']:.2f} | {x['whole']:.2f} | {x['boundary_f']:.3f} |")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
