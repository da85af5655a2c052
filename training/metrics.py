"""Table-1 metrics: mean per-pixel CIELab distance of 8-bit sRGB images, map accuracy under best matching."""
import itertools

import numpy as np
import torch

from .colour import unit_to_lab, lab_to_rgb, rgb_to_lab


def quantise_unit(out_unit: torch.Tensor) -> torch.Tensor:
    """Unit Lab -> 8-bit sRGB image (what is shipped) -> Lab (float64)."""
    rgb = lab_to_rgb(unit_to_lab(out_unit.double()))
    return rgb_to_lab(torch.round(rgb * 255.0) / 255.0)


def lab_error(lab_a: torch.Tensor, lab_b: torch.Tensor) -> float:
    """Mean per-pixel Euclidean distance (3,H,W Lab)."""
    return float((lab_a.double() - lab_b.double()).pow(2).sum(0).sqrt().mean())


def confusion(pred: np.ndarray, groups: np.ndarray, K: int, G: int) -> np.ndarray:
    return np.bincount(pred.ravel().astype(np.int64) * G + groups.ravel().astype(np.int64),
                       minlength=K * G).reshape(K, G)


def best_match_accuracy(conf: np.ndarray):
    """Pixel accuracy of the map under the best one-to-one matching of presets to groups (K == G)
    and the matching itself (preset k -> group perm[k])."""
    K, G = conf.shape
    best, best_p = -1, None
    for perm in itertools.permutations(range(G), K):
        s = sum(conf[k, perm[k]] for k in range(K))
        if s > best:
            best, best_p = s, perm
    return best / max(conf.sum(), 1), best_p


def miou(conf: np.ndarray, perm) -> float:
    ious = []
    for k, g in enumerate(perm):
        tp = conf[k, g]
        ious.append(tp / max(conf[k].sum() + conf[:, g].sum() - tp, 1))
    return float(np.mean(ious))
