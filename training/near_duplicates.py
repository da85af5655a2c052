"""Near-duplicate photos across a style's sources, so that no test photo has a copy in training.

Two photos are near-duplicates when either view of one (as is, or mirrored) is close to the other
in both of two pixel descriptors, computed on the photo alone:
- a 64-bit DCT perceptual hash (pHash: the signs of the 8x8 lowest DCT frequencies of the 32x32 gray
  thumbnail against their median), compared by Hamming distance; robust to re-encoding, resizing and
  small crops, blind to colour;
- a 16x16 CIELab thumbnail, compared by mean per-pixel distance; tells apart two different scenes
  that share a coarse layout (a hash collision) and catches colour-graded copies.
The thresholds were read off each photo's nearest neighbour over the 1,992 still photos of
../shared/data: the 138 copies (ECSSD holds SOD's Berkeley photos) sit at <= 4 bits and <= 2 Lab, one
re-shot horse (horse245 / horse313, another crop and grade) at 8 bits and 14.3 Lab, and every other
photo at >= 10 bits (looked at: distinct photos) or a thumbnail distance >= 9.9 with >= 12 bits.
"""
import numpy as np
from PIL import Image
from scipy.fft import dctn

from .colour import rgb_to_lab

HASH_BITS_MAX = 8         # of 64
THUMB_LAB_MAX = 16.0      # mean CIELab distance of the 16x16 thumbnails


def _phash(gray32: np.ndarray) -> np.ndarray:
    low = dctn(gray32, norm="ortho")[:8, :8].ravel()
    return low > np.median(low[1:])


def descriptors(path):
    """(hashes [2,64] bool for the photo and its mirror, thumbnails [2,3,16,16] Lab)."""
    import torch

    img = Image.open(path).convert("RGB")
    gray = np.asarray(img.convert("L").resize((32, 32), Image.BILINEAR), dtype=np.float64)
    thumb = np.asarray(img.resize((16, 16), Image.BILINEAR), dtype=np.float64) / 255.0
    lab = rgb_to_lab(torch.from_numpy(thumb).permute(2, 0, 1)).numpy()
    return (np.stack([_phash(gray), _phash(gray[:, ::-1])]),
            np.stack([lab, lab[:, :, ::-1]]))


def find(query, reference):
    """Pairs (q, r, hash bits, thumbnail distance) of near-duplicates between two dicts name ->
    descriptors; a name present in both is not compared with itself."""
    if not query or not reference:
        return []
    r_names = list(reference)
    r_hash = np.stack([reference[n][0][0] for n in r_names])            # R,64
    r_thumb = np.stack([reference[n][1][0] for n in r_names])           # R,3,16,16
    found = []
    for q, (q_hash, q_thumb) in query.items():
        bits = (q_hash[:, None, :] != r_hash[None]).sum(-1).min(0)                              # R
        dist = np.sqrt(((q_thumb[:, None] - r_thumb[None]) ** 2).sum(2)).mean((-1, -2)).min(0)  # R
        for i in np.flatnonzero((bits <= HASH_BITS_MAX) & (dist <= THUMB_LAB_MAX)):
            if r_names[i] != q:
                found.append((q, r_names[i], int(bits[i]), float(dist[i])))
    return found


def nearest(descs):
    """For each photo, its nearest other photo's (hash bits, thumbnail distance): the distribution the
    thresholds are read from."""
    names = list(descs)
    hashes = np.stack([descs[n][0][0] for n in names])
    thumbs = np.stack([descs[n][1][0] for n in names])
    out = {}
    for i, n in enumerate(names):
        bits = (descs[n][0][:, None, :] != hashes[None]).sum(-1).min(0)
        dist = np.sqrt(((descs[n][1][:, None] - thumbs[None]) ** 2).sum(2)).mean((-1, -2)).min(0)
        bits[i], dist[i] = 99, 1e9
        out[n] = (int(bits.min()), float(dist.min()), names[int(bits.argmin())], names[int(dist.argmin())])
    return out
