"""Export trained heads for the Swift engine: models/<style>.safetensors (fp16 + metadata).

  python3 -m training.export --run runs/popout_s --style popout --presets background,foreground \
      --out models/popout.safetensors [--eval-json runs/popout_s/test.json]

Only what the project trains is exported: with the frozen trunk (train.py) the engine loads the trunk
file the metadata names (`trunk`, found beside the head: models/resnet50-imagenet-trunk.safetensors,
whose `source_sha256` must equal the head's `trunk_sha256`); a trunk fine-tuned by
train_full.py is embedded in the file as "trunk.<torchvision name>" tensors and the engine uses it
instead. Layout: training/README.md.
"""
import argparse
import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from .model import SAAdjustNet

FORMAT = "sa-adjustnet/1"
TRUNK_SHA256 = "7aee2671da19e570a6fe97197279c957caef7a932ba04823b0d9322d51171023"


def export_tensors(model: SAAdjustNet, dtype=torch.float16):
    """State dict -> export names: 1x1 convs squeezed to 2-D [out, in]; no parsing head; no BN counters."""
    out = {}
    for k, v in model.state_dict().items():
        if k.startswith("parse_head") or k.endswith("num_batches_tracked"):
            continue
        if v.dim() == 4:
            v = v[:, :, 0, 0]
        out[k] = v.to(dtype).contiguous()
    return out


def layer_names(model):
    return list(export_tensors(model).keys())


def trunk_tensors(trunk_state, dtype=torch.float16):
    """A fine-tuned trunk's state dict -> embedded tensors "trunk.<name>" (no BN counters)."""
    return {f"trunk.{k}": v.to(dtype).contiguous() for k, v in trunk_state.items()
            if not k.endswith("num_batches_tracked") and k not in ("mean", "std")}


def metadata(model, style, presets, long_side=320, extra=None, embedded_trunk=False):
    md = {
        "format": FORMAT, "style": style, "mode": model.mode, "K": str(model.K),
        "presets": json.dumps(presets), "d": str(model.d), "ctx": str(model.U.in_features and model.V.in_features),
        "gru_hidden": str(model.renet.gru_h.hidden_size), "bn_eps": "1e-5",
        "working_long_side": str(long_side),
        "working_resize": "Pillow Image.resize BILINEAR (antialiased triangle), short side rounded",
        "trunk": "resnet50-imagenet-trunk.safetensors", "trunk_sha256": TRUNK_SHA256,
        "trunk_strides": "v1 (stride 2 on conv1 of layer2.0 and layer3.0)",
        "trunk_input": "RGB in [0,1], mean 0.485,0.456,0.406 std 0.229,0.224,0.225",
        "colour": "CIELab D65 (skimage); unit Lab = L/100, a/110, b/110; colour features = (L/50-1, a/110, b/110, l2n(conv1))",
        "upsampling": "bilinear, half-pixel centres, edge clamp (grid_sample align_corners=False, border)",
        "gru": "PyTorch GRU gates r,z,n; rows then columns; bidirectional outputs [fwd; bwd]",
        "output": "out_unit = lab_unit + sum_k m_k * (P(tanh(U x) * tanh(V[:,k] + b_v)))" if model.mode == "map"
        else "out_unit = lab_unit + P(tanh(U x) * tanh(V y))",
        "map_default": "argmax",
        "layer_names": json.dumps(layer_names(model)),
    }
    if model.mode == "map":
        md["ctx"] = str(model.map_head.in_features)
    else:
        md["ctx"] = str(model.V.in_features)
    if embedded_trunk:  # the trunk's tensors are in this file; its sha256 would be of itself
        md["trunk"] = "embedded"
        del md["trunk_sha256"]
    md.update({k: (v if isinstance(v, str) else json.dumps(v)) for k, v in (extra or {}).items()})
    return md


def load_exported(path):
    """Rebuild the model from an exported file (fp16 weights -> fp32), the shipped path."""
    with safe_open(str(path), "pt") as f:
        md = f.metadata()
        t = {k: f.get_tensor(k).float() for k in f.keys() if not k.startswith("trunk.")}
    base = t["squeeze.layer1.weight"].shape[1] // 4
    m = SAAdjustNet(md["mode"], K=int(md["K"]), d=int(md["d"]), ctx=int(md["ctx"]), base=base,
                    hidden=int(md["gru_hidden"]))
    sd = m.state_dict()
    for k, v in t.items():
        sd[k] = v.view(sd[k].shape)
    m.load_state_dict(sd)
    return m.eval()


def load_exported_trunk(path):
    """The embedded fine-tuned trunk of an exported file and its working long side, or (None, side)."""
    from .model import build_trunk, load_trunk_state
    with safe_open(str(path), "pt") as f:
        side = int(f.metadata().get("working_long_side", "320"))
        keys = [k for k in f.keys() if k.startswith("trunk.")]
        if not keys:
            return None, side
        sd = {k[len("trunk."):]: f.get_tensor(k).float() for k in keys}
    return load_trunk_state(build_trunk(), sd).eval(), side


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", type=Path, required=True)
    ap.add_argument("--style", required=True)
    ap.add_argument("--presets", required=True, help="preset names, K of them: comma-separated, or a JSON array (names that hold commas)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--eval-json", type=Path)
    ap.add_argument("--epoch", default="last",
                    help="which checkpoint: last, an epoch number, or best (the lowest val Lab error in log.jsonl "
                         "among the epochs whose val map accuracy is at least --min-map-acc)")
    ap.add_argument("--min-map-acc", type=float, default=0.0)
    ap.add_argument("--map-default", choices=["argmax", "soft"], default="argmax",
                    help="how the service blends the discovered map: argmax labels (snapped to edges), or soft "
                         "probabilities (a smooth look whose presets fade into each other)")
    a = ap.parse_args(argv)
    log = a.run / "log.jsonl"
    recs = [json.loads(l) for l in log.read_text().splitlines() if l.strip()] if log.exists() else []
    epoch = None if a.epoch == "last" else select_epoch(recs, a.min_map_acc) if a.epoch == "best" else int(a.epoch)
    ck = torch.load(a.run / ("model.pt" if epoch is None else f"model-ep{epoch}.pt"), map_location="cpu", weights_only=False)
    if epoch is not None:
        recs = [r for r in recs if r["epoch"] <= epoch]
        print(f"epoch {epoch}: val {recs[-1].get('val')}")
    c = ck["config"]
    m = SAAdjustNet(c["mode"], K=c["K"], d=c["d"], parse_classes=c["parse_classes"])
    m.load_state_dict(ck["state_dict"])
    presets = json.loads(a.presets) if a.presets.startswith("[") else a.presets.split(",")
    if len(presets) != m.K:
        raise SystemExit(f"--presets: {len(presets)} names for a model of K = {m.K}")
    extra = {"recipe": c.get("phases") if c["mode"] == "map" else f"{c['loss']} mt={c['mt']}",
             "train_photos": str(c["train_n"]), "seed": str(c["seed"]), "map_default": a.map_default}
    if recs:  # a checkpoint is saved after every epoch: record the epochs this one has seen
        extra["epochs_trained"] = str(len(recs))
        done = {}
        for r in recs:
            done[r["recipe"]] = done.get(r["recipe"], 0) + 1
        extra["recipe"] = ",".join(f"{k}:{v}" for k, v in done.items()) + f" trained (scheduled {extra['recipe']}); lr {c['lr']}, batch {c['batch']}, {c['points']} px, mt {c['mt']}"
        if c.get("mirror_cache"):
            extra["recipe"] += ", mirror augmentation"
    if a.eval_json:
        extra["eval"] = a.eval_json.read_text()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    tensors = export_tensors(m)
    if "trunk" in ck:  # fine-tuned by train_full.py: ship it inside the model file
        tensors |= trunk_tensors(ck["trunk"])
        extra["recipe"] = f"full recipe (trunk fine-tuned x{c['trunk_lr_mult']}, rotate {c['rotate']}, flip {not c['no_flip']}); " + extra["recipe"]
    md = metadata(m, a.style, presets, long_side=c.get("long_side", 320), extra=extra, embedded_trunk="trunk" in ck)
    save_file(tensors, str(a.out), metadata=md)
    a.out.chmod(0o644)  # save_file writes 0600: a server running as another user could not read it
    print(f"wrote {a.out} ({a.out.stat().st_size / 1e6:.2f} MB)")


def select_epoch(recs, min_map_acc=0.0):
    """The epoch with the lowest val Lab error among those whose val map accuracy reaches the floor
    (selection on val only; the test split is never looked at)."""
    ok = [r for r in recs if r.get("val", {}).get("map_acc", 1.0) >= min_map_acc]
    if not ok:
        raise SystemExit(f"no epoch has val map accuracy >= {min_map_acc}")
    return min(ok, key=lambda r: r["val"]["output"])["epoch"]


if __name__ == "__main__":
    main()
