"""How well do edits alone separate the synthesis groups? Clusters sampled training pixels by their
input -> target change (no network) and prints the agreement with the groups under the best matching,
for the residual k-means variants and the colour-transform mixture that the `mixture` phase uses.

  python3 -m training.mixture_diagnostic --pairs pairs/xpro --splits training/splits/xpro --K 4

The groups are only read to score the clusterings, never to fit them.
"""
import argparse
from pathlib import Path

import numpy as np
import torch

from .data import Pair, read_split, to_unit_lab
from .metrics import best_match_accuracy, confusion
from .train import fit_colour_mixture, kmeans, mixture_assign, residual_features


def agreement(assign: torch.Tensor, groups: np.ndarray, K: int) -> float:
    return best_match_accuracy(confusion(assign.numpy(), groups, K, K))[0]


def clusters(x: torch.Tensor, K: int, seed: int) -> torch.Tensor:
    x = (x - x.mean(0)) / (x.std(0) + 1e-6)
    return torch.cdist(x, kmeans(x, K, seed=seed)).argmin(1)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--K", type=int, required=True)
    ap.add_argument("--photos", type=int, default=100)
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    lab, tgt, groups = [], [], []
    for name in read_split(a.splits, "train")[:a.photos]:
        inp, out, g, _ = Pair(a.pairs, name).load()
        idx = rng.integers(0, g.size, a.points)
        yy, xx = idx // g.shape[1], idx % g.shape[1]
        lab.append(to_unit_lab(inp[yy, xx][None])[:, 0].t())
        tgt.append(to_unit_lab(out[yy, xx][None])[:, 0].t())
        groups.append(g[yy, xx])
    lab, tgt, groups = torch.cat(lab), torch.cat(tgt), np.minimum(np.concatenate(groups), a.K - 1)
    print(f"{len(lab)} pixels of {a.photos} photos; group shares {np.round(np.bincount(groups, minlength=a.K) / len(groups), 3).tolist()}")
    print("| pixel clustering | agreement |\n|---|---|")
    print(f"| k-means of dL, da, db, dchroma | {agreement(clusters(residual_features(lab, tgt), a.K, a.seed), groups, a.K):.3f} |")
    ab = clusters((tgt - lab)[:, 1:], a.K, a.seed)
    print(f"| k-means of da, db | {agreement(ab, groups, a.K):.3f} |")
    W = fit_colour_mixture(lab, tgt, a.K, ab)
    print(f"| mixture of {a.K} colour transforms (from the da, db k-means) | {agreement(mixture_assign(W, lab, tgt), groups, a.K):.3f} |")


if __name__ == "__main__":
    main()
