"""Golden fixture of the edge-aware map refinement for GuidedMapFilterParityTests.

  python3 -m training.fixtures_guided_map --out Tests/InferenceTests/Fixtures/guided-map.safetensors

A generated 61x45 photo with sharp edges (a disc, a bar, a gradient, noise) and K = 3 smooth weight
planes whose boundaries miss the edges, as a map head's do; for two guide sizes (28: the fast form,
coefficients upsampled; 64: the photo's own size, the exact filter) the guide, the weights sampled at
it and the refined full-resolution labels of map_refine.engine_* (float64).
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from . import map_refine

RADIUS_FRACTION, EPSILON = 0.15, 1e-3


def photo(h=45, w=61, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([40 + 3 * x, 90 + y, 160 - 2 * x], -1).astype(np.float64)
    img[(x - 40) ** 2 + (y - 20) ** 2 < 11 ** 2] = (230, 60, 40)
    img[30:38, 5:35] = (20, 200, 90)
    img += rng.normal(0, 4, img.shape)
    return np.clip(img, 0, 255).round().astype(np.uint8)


def weights(h, w, k=3):
    """Smooth planes summing to 1: logits that ramp across the disc's and the bar's region, offset."""
    y, x = torch.meshgrid(torch.linspace(0, 1, h, dtype=torch.float64), torch.linspace(0, 1, w, dtype=torch.float64),
                          indexing="ij")
    logits = torch.stack([4 * (x - 0.5), 5 * (0.45 - ((x - 0.62) ** 2 + (y - 0.42) ** 2) ** 0.5 * 2.5),
                          6 * (y - 0.72)])[:k]
    return torch.softmax(logits, 0)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    rgb = photo()
    tensors = {"photo": torch.from_numpy(rgb).contiguous()}
    for side in (28, 64):
        guide = map_refine.guide_planes(rgb, side)
        p = weights(*guide.shape[1:])
        coeffs = map_refine.engine_coefficients(p, guide, RADIUS_FRACTION, EPSILON)
        labels = map_refine.engine_labels(coeffs, rgb)
        tensors |= {f"guide{side}": guide.float().contiguous(), f"weights{side}": p.float().contiguous(),
                    f"labels{side}": labels.contiguous(),
                    f"unrefined{side}": map_refine.engine_labels(torch.cat([torch.zeros(3, 3, *p.shape[1:], dtype=torch.float64), p[:, None]], 1), rgb).contiguous()}
        print(f"guide {side}: {tuple(guide.shape[1:])}, labels changed by the refinement:",
              int((labels != tensors[f'unrefined{side}']).sum()), "of", labels.numel())
    save_file(tensors, str(a.out), metadata={"radius_fraction": str(RADIUS_FRACTION), "epsilon": str(EPSILON),
                                             "made_by": "python3 -m training.fixtures_guided_map"})


if __name__ == "__main__":
    main()
