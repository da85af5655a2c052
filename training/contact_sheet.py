"""Contact sheet of the shipped path: input | map | output | target | zoom on a boundary (output with
the map's boundaries in red, then the target), N test photos of every source, one row each.

  python3 -m training.contact_sheet --outputs runs/swift/popout --maps runs/swift/popout-maps \
      --pairs pairs/popout --splits training/splits/popout --per-source 5 --out models/popout-contact.jpg

The outputs and maps are the Swift engine's (`semadjust adjust --save-map`, as in models/README.md),
so the sheet shows what the service answers, edge refinement included. The zoom is the square of a
fifth of the photo's short side that holds the most true group boundary (where the synthesised effect
changes preset), enlarged to the row's height.
"""
import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.ndimage import uniform_filter

from .data import Pair, find, load_index, load_rgb, read_split
from .edge_eval import boundaries

PALETTE = np.array([[40, 40, 160], [240, 200, 40], [60, 180, 75], [230, 25, 75]], np.uint8)


def zoom_window(groups, side):
    """Top-left corner of the side x side window holding the most boundary pixels."""
    density = uniform_filter(boundaries(groups).astype(np.float64), side, mode="constant")
    h, w = groups.shape
    half = side // 2
    density[:half], density[h - (side - half) + 1:], density[:, :half], density[:, w - (side - half) + 1:] = 0, 0, 0, 0
    y, x = np.unravel_index(density.argmax(), density.shape)
    return max(0, min(h - side, y - half)), max(0, min(w - side, x - half))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--outputs", type=Path, required=True, help="the engine's outputs, OUTPUTS/source/stem.jpg")
    ap.add_argument("--maps", type=Path, required=True, help="the engine's label maps, MAPS/source/stem.png")
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--per-source", type=int, default=5)
    ap.add_argument("--height", type=int, default=128)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    rows, seen = [], {}
    for name in read_split(a.splits, a.split):
        source = name.rpartition("/")[0]
        if seen.get(source, 0) >= a.per_source:
            continue
        seen[source] = seen.get(source, 0) + 1
        inp, tgt, groups, _ = Pair(a.pairs, name).load()
        out, labels = load_rgb(find(a.outputs, name)), load_index(find(a.maps, name))
        side = max(16, min(inp.shape[:2]) // 5)
        y, x = zoom_window(groups, side)
        crop = lambda img: img[y:y + side, x:x + side]
        marked = crop(out).copy()
        marked[crop(boundaries(labels))] = (255, 0, 0)
        w = round(inp.shape[1] * a.height / inp.shape[0])
        tiles = [Image.fromarray(t).resize((w, a.height), Image.BILINEAR)
                 for t in (inp, PALETTE[np.minimum(labels, len(PALETTE) - 1)], out, tgt)]
        tiles += [Image.fromarray(t).resize((a.height, a.height), Image.NEAREST) for t in (marked, crop(tgt))]
        gap = np.full((a.height, 6, 3), 255, np.uint8)
        parts = [np.asarray(t) for t in tiles]
        rows.append(np.concatenate(parts[:4] + [gap] + parts[4:], 1))
    W = max(r.shape[1] for r in rows)
    sheet = np.concatenate([np.pad(r, ((0, 4), (0, W - r.shape[1]), (0, 0)), constant_values=255) for r in rows])
    a.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(a.out, quality=88, optimize=True)
    print(f"wrote {a.out} {sheet.shape}: {', '.join(f'{s} {n}' for s, n in seen.items())}")


if __name__ == "__main__":
    main()
