"""The shipped path over a split: every photo of the split retouched by the Swift engine
(`semadjust adjust`, the release binary, the models in models/), outputs and maps written as
OUT/outputs/<source>/<stem>.jpg and OUT/maps/<source>/<stem>.png for training.evaluate_outputs and
training.contact_sheet.

  python3 -m training.engine_outputs --style popout --pairs pairs/popout --splits training/splits/popout \
      --out runs/engine/popout [--no-refine] [--binary .build/release/semadjust]
  python3 -m training.evaluate_outputs --outputs runs/engine/popout/outputs --maps runs/engine/popout/maps \
      --K 2 --pairs pairs/popout --splits training/splits/popout --json runs/engine/popout/test.json

JPEG quality 100, so the figures measure the model more than the encoder (a q100 JPEG of the target
itself is 0.58 Lab from it). By default the discovered map snapped to the photo's edges (`--refine`,
the page's default); --no-refine gives the map as the network predicted it (the API's default and the
form PyTorch's evaluate.py measures).
"""
import argparse
import subprocess
import tempfile
from pathlib import Path

from .data import find, read_split

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--style", required=True)
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--binary", type=Path, default=ROOT / ".build/release/semadjust")
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--no-refine", action="store_true")
    a = ap.parse_args(argv)
    by_source = {}
    for name in read_split(a.splits, a.split):
        source, _, stem = name.rpartition("/")
        by_source.setdefault(source, []).append(stem)
    for source, stems in by_source.items():
        with tempfile.TemporaryDirectory() as tmp:
            photos = Path(tmp)
            for stem in stems:
                src = find(a.pairs / source / "input", stem)
                (photos / f"{stem}{src.suffix}").symlink_to(src.resolve())
            cmd = [str(a.binary), "adjust", str(photos), "-o", str(a.out / "outputs" / source),
                   "--save-map", str(a.out / "maps" / source), "--style", a.style, "--quality", "100", "-q",
                   "--models", str(a.models), "--no-refine" if a.no_refine else "--refine"]
            subprocess.run(cmd, check=True)
        print(f"{a.style} {source}: {len(stems)} photos", flush=True)


if __name__ == "__main__":
    main()
