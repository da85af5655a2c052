"""The paper's augmentation (paper.md, Training): a rotation in [-10°, 10°] with edge replication and a
horizontal flip, applied identically to the input, the target and the label images of a pair.

Photos are resampled bilinearly, label images with nearest neighbour (a label is never blended).
Both use the same sampling grid, so a pixel of the rotated target is the edit of the same place of the
rotated input. Edge replication (grid_sample's border padding) fills the corners a rotation uncovers
with the nearest edge pixel, as the paper does, instead of black that no edit would produce.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F


def rotation_grid(h, w, degrees):
    """Sampling grid (1,h,w,2) that rotates an h x w image by `degrees` about its centre, in pixel
    units (so non-square images rotate without shearing)."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    # output pixel (x, y) reads input pixel R^-1 (x, y) about the centre; normalised coordinates are
    # scaled by w/2 and h/2, hence the aspect factors on the off-diagonal terms.
    theta = torch.tensor([[c, s * h / w, 0.0], [-s * w / h, c, 0.0]], dtype=torch.float32).unsqueeze(0)
    return F.affine_grid(theta, (1, 1, h, w), align_corners=False)


def warp(img, grid, nearest=False):
    """img: HxW or HxWxC numpy array (uint8 or float) -> the same dtype and shape, resampled at grid."""
    a = torch.from_numpy(np.array(img, dtype=np.float32))  # a writable copy (PIL arrays are read-only)
    chw = a.unsqueeze(0) if a.dim() == 2 else a.permute(2, 0, 1)
    out = F.grid_sample(chw.unsqueeze(0), grid, mode="nearest" if nearest else "bilinear",
                        padding_mode="border", align_corners=False)[0]
    out = out[0] if a.dim() == 2 else out.permute(1, 2, 0)
    if img.dtype == np.uint8:
        out = out.round().clamp(0, 255)
    return out.numpy().astype(img.dtype)


def augment_pair(rng, inp, tgt, labels=None, max_degrees=10.0, flip=True):
    """One random draw of the augmentation for a pair; rng is a numpy Generator (seeded per worker).
    Returns (inp, tgt, labels) transformed alike; labels may be None."""
    deg = float(rng.uniform(-max_degrees, max_degrees)) if max_degrees > 0 else 0.0
    mirror = bool(flip and rng.random() < 0.5)
    return transform_pair(inp, tgt, labels, deg, mirror)


def transform_pair(inp, tgt, labels, degrees, mirror):
    """The deterministic transform behind augment_pair: rotate by degrees, then mirror if asked."""
    if degrees != 0.0:
        g = rotation_grid(inp.shape[0], inp.shape[1], degrees)
        inp, tgt = warp(inp, g), warp(tgt, g)
        labels = warp(labels, g, nearest=True) if labels is not None else None
    if mirror:
        inp, tgt = inp[:, ::-1], tgt[:, ::-1]
        labels = labels[:, ::-1] if labels is not None else None
    return (np.ascontiguousarray(inp), np.ascontiguousarray(tgt),
            np.ascontiguousarray(labels) if labels is not None else None)
