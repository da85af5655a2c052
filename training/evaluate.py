"""Table 1 on a split (test by default): mean per-pixel Lab L2 distance of 8-bit outputs to targets,
and the +S map accuracy (argmax map vs synthesis groups, best preset<->group matching).

  nice -n 19 python3 -m training.evaluate --pairs pairs/popout --cache cache/popout \
      --splits training/splits/popout --mse runs/popout_mse --huber runs/popout_huber \
      --mt runs/popout_mt --s models/popout.safetensors

Each model argument is a run folder (model.pt) or an exported models/<style>.safetensors.
"""
import argparse
import json
from pathlib import Path

import torch

from .data import read_split
from .train import evaluate
from .model import SAAdjustNet, build_trunk, load_trunk_state


def load_model(path: Path):
    """(model, fine-tuned trunk or None, working long side) from a run folder / checkpoint / export."""
    path = Path(path)
    if path.suffix == ".safetensors":
        from .export import load_exported, load_exported_trunk
        return (load_exported(path), *load_exported_trunk(path))
    ck = torch.load(path / "model.pt" if path.is_dir() else path, map_location="cpu", weights_only=False)
    c = ck["config"]
    m = SAAdjustNet(c["mode"], K=c["K"], d=c["d"], parse_classes=c["parse_classes"])
    m.load_state_dict(ck["state_dict"])
    trunk = load_trunk_state(build_trunk(), ck["trunk"]).eval() if "trunk" in ck else None
    return m.eval(), trunk, c.get("long_side", 320)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--cache", type=Path, help="feature cache (models with an embedded, fine-tuned trunk need none)")
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--split", default="test")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    for row in ("mse", "huber", "mt", "s"):
        ap.add_argument(f"--{row}", type=Path)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    names = read_split(a.splits, a.split)[:a.limit or None]
    rows, res = [], {}
    labels = {"mse": "+ MSE", "huber": "+ Huber", "mt": "+ Huber + MT", "s": "+ Huber + MT + S"}
    for key in ("mse", "huber", "mt", "s"):
        p = getattr(a, key)
        if p is None:
            continue
        model, trunk, side = load_model(p)
        if trunk is None and a.cache is None:
            ap.error(f"{p} uses the shared frozen trunk: pass --cache")
        r = evaluate(model, a.pairs, a.cache, names, trunk=trunk, long_side=side)
        if key == "s" and not trained_with_parsing_head(p):  # say what the row is: an MT-less run is not "+ MT"
            labels["s"] = "+ Huber + S"
        r = r | {"label": labels[key]}
        res[key] = r | {"model": str(p)}
        if "input" not in res:
            res["input"] = {"output": r["input"]}
            rows.append(("input (no change)", r["input"], None))
        rows.append((labels[key], r["output"], r.get("map_acc")))
    print(f"split {a.split}: {len(names)} photos of {a.pairs}")
    print_table(rows)
    sources = next((r["by_source"] for r in res.values() if "by_source" in r), {})
    for source in sources:  # the same rows on each source's photos
        print(f"\n{source} ({sources[source]['n']} photos)")
        print_table([("input (no change)", sources[source]["input"], None)] +
                    [(labels[k], res[k]["by_source"][source]["output"], res[k]["by_source"][source].get("map_acc"))
                     for k in ("mse", "huber", "mt", "s") if k in res])
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


def trained_with_parsing_head(path: Path) -> bool:
    """Whether the model's run had the parsing head (mt > 0): from a run's config or an export's recipe."""
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors import safe_open
        with safe_open(str(path), "pt") as f:
            recipe = f.metadata().get("recipe", "")
        mt = recipe.rpartition("mt ")[2].split(",")[0].strip()
        try:
            return float(mt) > 0
        except ValueError:
            return True  # an older file that does not say: as the shipped ones, trained with it
    ck = torch.load(path / "model.pt" if path.is_dir() else path, map_location="cpu", weights_only=False)
    return ck["config"].get("mt", 0) > 0


def print_table(rows):
    base = rows[0][1]
    print("| method | Lab error | reduction | map accuracy |\n|---|---|---|---|")
    for name, e, acc in rows:
        red = "" if name.startswith("input") else f"{100 * (1 - e / base):.1f} %"
        print(f"| {name} | {e:.2f} | {red} | {'' if acc is None else f'{acc:.3f}'} |")


if __name__ == "__main__":
    main()
