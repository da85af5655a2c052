"""Your own style from before/after pairs, in one command: check, split, cache, train, select, export,
evaluate, contact sheet.

  python3 -m training.own_style PAIRS --name mystyle --K 2 --out ~/styles/mystyle

PAIRS holds input/NAME.(jpg|png|webp|tif) and target/NAME.(...) of the same size (optional labels/NAME.png
for the parsing head, groups/NAME.png to measure the map). Everything is written under --out (splits,
feature cache, checkpoints, the exported NAME.safetensors, NAME-contact.jpg, report.json); nothing is
written into the repository. Point the server at the model's folder (`semadjust serve --models DIR`, or
copy the file into a served folder: the server picks it up without a restart).

The map starts from a mixture of K global colour transforms fitted to the pairs (one epoch), then
the paper's loss: from the paper's loss alone, 25 pairs of a graduated look collapsed onto one
preset (36.6 % of the error removed on 30 other photos, against 46.6 % from the mixture start).
Selection is on the validation photos only (the lowest val Lab error; training stops early when it has
not improved for --patience epochs); the test photos are held back and evaluated once, at the end.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from . import cache as cache_cli
from . import export as export_cli
from . import train as train_cli
from .data import IMG_EXT, Pair, find, list_pairs, read_split, to_unit_lab
from .evaluate import load_model
from .train import evaluate

MIN_PAIRS = 8  # one val and one test photo and six to train on: fewer cannot be evaluated honestly
PALETTE = np.array([[40, 40, 160], [240, 200, 40], [60, 180, 75], [230, 25, 75], [145, 30, 180], [70, 240, 240]], np.uint8)


class FolderProblem(Exception):
    pass


def check_folder(root: Path, max_side=8192):
    """The pairs of root, or FolderProblem with every problem found (missing folders, unpaired photos,
    unreadable files, sizes that differ). Returns (names, summary dict)."""
    problems = []
    for sub in ("input", "target"):
        if not (root / sub).is_dir():
            problems.append(f"{root / sub} is missing: a pairs folder holds input/ and target/ with the same file names")
    if problems:
        raise FolderProblem("\n".join(problems))
    stems = lambda d: {p.stem for p in d.iterdir() if p.suffix.lower() in IMG_EXT}
    inputs, targets = stems(root / "input"), stems(root / "target")
    other = sorted(p.name for d in ("input", "target") for p in (root / d).iterdir()
                   if p.is_file() and p.suffix.lower() not in IMG_EXT and not p.name.startswith("."))
    if other:
        problems.append(f"not read (formats: {', '.join(IMG_EXT)}): {', '.join(other[:10])}"
                        + (f" and {len(other) - 10} more" if len(other) > 10 else ""))
    for what, names in (("no target for", inputs - targets), ("no input for", targets - inputs)):
        if names:
            problems.append(f"{what} {len(names)}: {', '.join(sorted(names)[:10])}" + (" ..." if len(names) > 10 else ""))
    names = sorted(inputs & targets)
    sizes, formats = [], {}
    for n in names:
        try:
            with Image.open(find(root / "input", n)) as a, Image.open(find(root / "target", n)) as b:
                formats[a.format] = formats.get(a.format, 0) + 1
                if a.size != b.size:
                    hint = " (rotated? save both with the same orientation)" if a.size == b.size[::-1] else ""
                    problems.append(f"{n}: input {a.size[0]}x{a.size[1]}, target {b.size[0]}x{b.size[1]}{hint}")
                elif max(a.size) > max_side:
                    problems.append(f"{n}: {a.size[0]}x{a.size[1]} is larger than {max_side} px on a side")
                sizes.append(a.size)
        except (OSError, ValueError) as e:
            problems.append(f"{n}: cannot be read ({e})")
    if len(names) < MIN_PAIRS:
        problems.append(f"{len(names)} pairs: at least {MIN_PAIRS} are needed (50 or more give a style that holds; "
                        "training/README.md measures 25/50/100)")
    if problems:
        raise FolderProblem("\n".join(problems))
    px = [w * h for w, h in sizes]
    return names, {"pairs": len(names), "formats": formats, "megapixels_median": round(float(np.median(px)) / 1e6, 2),
                   "labels": (root / "labels").is_dir(), "groups": (root / "groups").is_dir()}


def split(names, seed=0):
    """75/10/15 % train/val/test, at least one val and one test photo (seeded, so a rerun is the same)."""
    rng = np.random.default_rng(seed)
    order = [names[i] for i in rng.permutation(len(names))]
    n_test = max(1, round(0.15 * len(names)))
    n_val = max(1, round(0.10 * len(names)))
    return {"test": sorted(order[:n_test]), "val": sorted(order[n_test:n_test + n_val]),
            "train": sorted(order[n_test + n_val:])}


@torch.no_grad()
def preset_effects(model, pairs: Path, cache: Path, names):
    """Per preset: the mean Lab change (dL, da, db, dC) it makes over the pixels the map gives it, on
    names. What the names are made from."""
    K = model.K
    sums, counts = np.zeros((K, 4)), np.zeros(K)
    for n in names:
        inp, _, _, _ = Pair(pairs, n).load()
        lab = to_unit_lab(inp)
        feat = cache_cli.load_cached(cache, n)
        out, pi = model.predict_image(feat, lab)
        k = pi.argmax(0).reshape(-1).numpy()
        scale = torch.tensor([100.0, 110.0, 110.0]).view(3, 1)
        li, lo = (lab.reshape(3, -1) * scale).numpy(), (out.reshape(3, -1) * scale).numpy()
        d = lo - li
        dc = np.hypot(lo[1], lo[2]) - np.hypot(li[1], li[2])
        for j in range(K):
            m = k == j
            if m.any():
                sums[j] += [d[0][m].sum(), d[1][m].sum(), d[2][m].sum(), dc[m].sum()]
                counts[j] += m.sum()
    return [dict(zip(("dL", "da", "db", "dC"), (sums[j] / max(counts[j], 1)).round(2).tolist()),
                 share=round(float(counts[j] / max(counts.sum(), 1)), 3)) for j in range(K)]


def describe(effect, threshold=1.5):
    """A name from a preset's mean Lab change: 'brighter, more saturated, warmer', or 'nearly unchanged'."""
    words = []
    if abs(effect["dL"]) >= threshold:
        words.append(("much " if abs(effect["dL"]) >= 10 else "") + ("brighter" if effect["dL"] > 0 else "darker"))
    if abs(effect["dC"]) >= threshold:
        words.append("more saturated" if effect["dC"] > 0 else "less saturated")
    if abs(effect["db"]) >= threshold and abs(effect["db"]) >= abs(effect["da"]):
        words.append("warmer" if effect["db"] > 0 else "cooler")
    elif abs(effect["da"]) >= threshold:
        words.append("more magenta" if effect["da"] > 0 else "greener")
    return ", ".join(words) or "nearly unchanged"


@torch.no_grad()
def blend_figures(model, pairs: Path, cache: Path, names):
    """Per blending (argmax labels, soft probabilities): the mean Lab error to the targets and the
    tonal step at the map's boundaries: the 99th percentile over boundary pixel pairs of
    |dL(output) - dL(target)| across the boundary (a seam the edit does not have)."""
    from .metrics import quantise_unit, lab_error
    res = {"argmax": {"error": [], "step": []}, "soft": {"error": [], "step": []}}
    for n in names:
        inp, tgt, _, _ = Pair(pairs, n).load()
        li, lt = to_unit_lab(inp), to_unit_lab(tgt)
        feat = cache_cli.load_cached(cache, n)
        lab_t = quantise_unit(lt)
        for mode in res:
            out, pi = model.predict_image(feat, li, soft=mode == "soft")
            lo = quantise_unit(out)
            res[mode]["error"].append(lab_error(lo, lab_t))
            labels = pi.argmax(0).numpy()
            steps = []
            for axis in (0, 1):
                cut = np.diff(labels, axis=axis) != 0
                if cut.any():
                    d = np.abs(np.diff(lo[0].numpy(), axis=axis) - np.diff(lab_t[0].numpy(), axis=axis))
                    steps.append(d[cut])
            if steps:
                res[mode]["step"].append(float(np.percentile(np.concatenate(steps), 99)))
    return {m: {"error": round(float(np.mean(v["error"])), 3), "step_p99": round(float(np.mean(v["step"])), 2) if v["step"] else 0.0}
            for m, v in res.items()}


def preset_names(effects):
    """describe() for every preset, made unique ('darker (2)')."""
    names, seen = [], {}
    for e in effects:
        n = describe(e)
        seen[n] = seen.get(n, 0) + 1
        names.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return names


@torch.no_grad()
def contact_sheet(model, pairs: Path, cache: Path, names, presets, out: Path, height=160, soft=False):
    """input | map | output | target for each photo, and the map's legend (colour and preset name)."""
    from PIL import ImageDraw
    from .colour import lab_to_rgb, unit_to_lab
    rows = []
    for n in names:
        inp, tgt, _, _ = Pair(pairs, n).load()
        o, pi = model.predict_image(cache_cli.load_cached(cache, n), to_unit_lab(inp), soft=soft)
        rgb = (lab_to_rgb(unit_to_lab(o)) * 255).round().byte().permute(1, 2, 0).numpy()
        labels = PALETTE[pi.argmax(0).numpy() % len(PALETTE)]
        w = round(inp.shape[1] * height / inp.shape[0])
        tiles = [np.asarray(Image.fromarray(t).resize((w, height), Image.BILINEAR)) for t in (inp, labels, rgb, tgt)]
        rows.append(np.concatenate(tiles, 1))
    W = max(r.shape[1] for r in rows)
    legend = Image.new("RGB", (W, 24 * len(presets) + 8), "white")
    draw = ImageDraw.Draw(legend)
    for k, name in enumerate(presets):
        draw.rectangle([8, 8 + 24 * k, 24, 24 + 24 * k], fill=tuple(int(c) for c in PALETTE[k % len(PALETTE)]))
        draw.text((32, 10 + 24 * k), f"preset {k}: {name}", fill="black")
    body = [np.pad(r, ((0, 4), (0, W - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
    Image.fromarray(np.concatenate(body + [np.asarray(legend)])).save(out, quality=88)


def label_max(path):
    l = np.asarray(Image.open(path))
    l = l[l != 255]
    return int(l.max()) if l.size else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", type=Path)
    ap.add_argument("--name", required=True, help="the style's name (the file is NAME.safetensors)")
    ap.add_argument("--out", type=Path, required=True, help="a folder for everything the command writes")
    ap.add_argument("--K", type=int, default=2, help="presets the map discovers (2 to 4)")
    ap.add_argument("--presets", help="comma-separated names, K of them (default: named from what each does)")
    ap.add_argument("--epochs", type=int, default=20, help="at most this many epochs")
    ap.add_argument("--patience", type=int, default=3, help="stop after this many epochs without a better val error")
    ap.add_argument("--threads", type=int, default=max(1, min(4, torch.get_num_threads())))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if not a.name.replace("-", "").replace("_", "").isalnum():
        ap.error("--name: letters, digits, - and _ only (it names the file and the style in the API)")
    if not 2 <= a.K <= 6:
        ap.error("--K: 2 to 6 presets")
    t0 = time.time()
    try:
        names, summary = check_folder(a.pairs)
    except FolderProblem as e:
        print(f"{a.pairs}: not a usable pairs folder:\n{e}", file=sys.stderr)
        return 2
    print(f"{summary['pairs']} pairs ({', '.join(f'{v} {k}' for k, v in summary['formats'].items())}, "
          f"median {summary['megapixels_median']} MP)")
    out = a.out.expanduser()
    splits = out / "splits"
    splits.mkdir(parents=True, exist_ok=True)
    sp = split(names, a.seed)
    for k, v in sp.items():
        (splits / f"{k}.txt").write_text("\n".join(v) + "\n")
    print(f"split: {len(sp['train'])} to train on, {len(sp['val'])} to choose the epoch, {len(sp['test'])} held back to evaluate")

    for n in names:  # a photo replaced since the last run: its cached features are stale
        cached = out / "cache" / f"{n}.safetensors"
        if cached.exists() and cached.stat().st_mtime < find(a.pairs / "input", n).stat().st_mtime:
            cached.unlink()
    t = time.time()
    cache_cli.main(["--pairs", str(a.pairs), "--out", str(out / "cache"), "--splits", str(splits), "--threads", str(a.threads)])
    timings = {"cache_s": round(time.time() - t, 1)}

    run = out / "run"
    labels = summary["labels"]
    train_args = ["--pairs", str(a.pairs), "--cache", str(out / "cache"), "--splits", str(splits), "--mode", "map",
                  "--K", str(a.K), "--phases", f"mixture:1,paper:{a.epochs - 1}", "--mixture-restarts", "4",
                  "--patience", str(a.patience), "--val-limit", "0",
                  "--batch", str(min(4, len(sp["train"]))), "--threads", str(a.threads), "--seed", str(a.seed), "--out", str(run)]
    if labels:
        classes = 1 + max(label_max(p) for p in (a.pairs / "labels").glob("*.png"))
        train_args += ["--mt", "0.01", "--parse-classes", str(classes)]
    if (run / "log.jsonl").exists():  # a fresh run: the log is appended to, and selection reads all of it
        for f in run.glob("*"):
            f.unlink()
    t = time.time()
    train_cli.main(train_args)
    timings["train_s"] = round(time.time() - t, 1)
    recs = [json.loads(l) for l in (run / "log.jsonl").read_text().splitlines() if l.strip()]
    best = export_cli.select_epoch(recs)

    model, _, _ = load_model(run / f"model-ep{best}.pt")
    effects = preset_effects(model, a.pairs, out / "cache", sp["val"])
    presets = a.presets.split(",") if a.presets else preset_names(effects)
    if len(presets) != a.K:
        ap.error(f"--presets: {a.K} names are needed")
    # argmax labels or soft probabilities: chosen on val by the Lab error (soft when within 1 %: a
    # smooth look then has no seam); both measured on the test photos.
    val_blend = blend_figures(model, a.pairs, out / "cache", sp["val"])
    map_default = "soft" if val_blend["soft"]["error"] <= 1.01 * val_blend["argmax"]["error"] else "argmax"
    test_blend = blend_figures(model, a.pairs, out / "cache", sp["test"])
    test = evaluate(model, a.pairs, out / "cache", sp["test"])
    report = {"style": a.name, "pairs": summary["pairs"], "split": {k: len(v) for k, v in sp.items()},
              "epoch_chosen": best, "epochs_trained": len(recs), "presets": presets, "preset_effects": effects,
              "test": {k: test[k] for k in ("input", "output", "n") if k in test} | (
                  {"map_acc": test["map_acc"]} if "map_acc" in test else {}),
              "map_default": map_default, "blend_val": val_blend, "blend_test": test_blend, "timings": timings}
    report["test"]["reduction"] = round(1 - test["output"] / test["input"], 4) if test["input"] > 0 else 0.0
    if map_default == "soft":  # the figures of the blending the service will use
        report["test"]["output"] = test_blend["soft"]["error"]
        report["test"]["reduction"] = round(1 - test_blend["soft"]["error"] / test["input"], 4)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    model_path = out / f"{a.name}.safetensors"
    export_cli.main(["--run", str(run), "--style", a.name, "--presets", json.dumps(presets), "--epoch", str(best),
                     "--out", str(model_path), "--eval-json", str(out / "report.json"), "--map-default", map_default])
    contact_sheet(model, a.pairs, out / "cache", sp["test"][:8], presets, out / f"{a.name}-contact.jpg",
                  soft=map_default == "soft")

    r = report["test"]
    print(f"\n{a.name}: epoch {best} of {len(recs)} chosen on {len(sp['val'])} val photos; "
          f"held-back test photos ({r['n']}): Lab error {r['input']:.2f} -> {r['output']:.2f} "
          f"({100 * r['reduction']:.1f} % removed)" + (f", map accuracy {r['map_acc']:.3f}" if "map_acc" in r else ""))
    print(f"  blending: {map_default} (test photos: argmax {test_blend['argmax']['error']:.2f} Lab, step at the map's "
          f"boundaries {test_blend['argmax']['step_p99']:.1f}; soft {test_blend['soft']['error']:.2f} Lab, step {test_blend['soft']['step_p99']:.1f})")
    for k, (name, e) in enumerate(zip(presets, effects)):
        print(f"  preset {k} '{name}': dL {e['dL']:+.1f}, dC {e['dC']:+.1f}, da {e['da']:+.1f}, db {e['db']:+.1f} "
              f"on {100 * e['share']:.0f} % of the pixels")
    print(f"wrote {model_path}, {out / f'{a.name}-contact.jpg'}, {out / 'report.json'} in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
