"""The paper's full recipe, for a GPU: the trunk is fine-tuned (at 0.5x the learning rate) instead of
frozen and cached, every photo is augmented (rotation in [-10°, 10°] with edge replication, horizontal
flip), the trunk sees the working image at long side 512, Adam at lr 1e-4, batch 4, 2048 sampled pixels
per photo. Same losses, +S recipes and logs as train.py (shared code: train.batch_losses, LossState).

  python3 -m training.train_full --pairs pairs/popout --splits training/splits/popout --device cuda \\
      --mode map --K 2 --mt 0.01 --parse-classes 2 --phases paper:40 --out runs/popout_full
  python3 -m training.export --run runs/popout_full --style popout --presets background,foreground \\
      --out models/popout.safetensors            # the fine-tuned trunk is embedded in the file

Differences from train.py: no feature cache (--cache unused), options --device, --long-side (512),
--trunk-lr-mult (0.5), --rotate (10 degrees), --no-flip, --weights (the ImageNet trunk to start from),
--workers (data-loading processes). The trunk's batch-norm statistics stay frozen (eval mode): with
4 photos of different sizes per batch, batch statistics would be noise; its weights are trained.
Checkpoints carry the trunk's state dict next to the head's, and export.py embeds it in the model file
(tensor names "trunk.*"), which the Swift engine then uses instead of the shared trunk.
"""
import json
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from .augment import augment_pair
from .cache import DEFAULT_WEIGHTS, KEYS
from .data import Pair, to_unit_lab, working_image
from .model import SAAdjustNet, build_trunk, load_trunk_state
from .train import (LossState, arg_parser, split_names, batch_losses, collate, epoch_record, evaluate, make_optimiser, optimise,
                    parse_phases, seed_all, write_epoch)


class AugmentedPoints(torch.utils.data.Dataset):
    """One augmented photo per item: the trunk's working image (3,h,w in [0,1]) and n random pixels of
    the augmented full-resolution pair (normalised grid, unit Lab input and target, labels)."""

    def __init__(self, pairs, names, n_points, long_side, rotate, flip, seed):
        self.pairs, self.names, self.n = Path(pairs), names, n_points
        self.long_side, self.rotate, self.flip, self.seed = long_side, rotate, flip, seed
        self.rng = np.random.default_rng(seed)

    def reseed(self, worker):
        self.rng = np.random.default_rng([self.seed, worker])

    def __len__(self):
        return len(self.names)

    def __getitem__(self, i):
        inp, tgt, _, labels = Pair(self.pairs, self.names[i]).load()
        inp, tgt, labels = augment_pair(self.rng, inp, tgt, labels, self.rotate, self.flip)
        H, W = inp.shape[:2]
        idx = self.rng.integers(0, H * W, self.n)
        yy, xx = idx // W, idx % W
        grid = torch.from_numpy(np.stack([(2 * xx + 1) / W - 1, (2 * yy + 1) / H - 1], -1)).float()
        rgb = torch.from_numpy(working_image(inp, self.long_side)).permute(2, 0, 1).float().div(255.0)
        item = {"rgb": rgb, "grid": grid, "lab": to_unit_lab(inp[yy, xx][None])[:, 0].t(),
                "tgt": to_unit_lab(tgt[yy, xx][None])[:, 0].t()}
        item["labels"] = torch.from_numpy(labels[yy, xx].astype(np.int64)) if labels is not None else None
        return item


def _reseed_worker(worker):
    info = torch.utils.data.get_worker_info()
    info.dataset.reseed(worker)


def to_device(b, dev):
    return {k: [x.to(dev, non_blocking=True) if isinstance(x, torch.Tensor) else x for x in v] for k, v in b.items()}


def main(argv=None):
    ap = arg_parser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--long-side", type=int, default=512, help="the trunk's working image (the paper: 512)")
    ap.add_argument("--trunk-lr-mult", type=float, default=0.5)
    ap.add_argument("--rotate", type=float, default=10.0, help="max rotation in degrees (0: none)")
    ap.add_argument("--no-flip", action="store_true")
    ap.add_argument("--weights", type=Path, default=DEFAULT_WEIGHTS)
    ap.add_argument("--workers", type=int, default=4)
    ap.set_defaults(lr=1e-4)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    seed_all(a.seed)
    dev = torch.device(a.device)
    a.out.mkdir(parents=True, exist_ok=True)
    train_names, val_names = split_names(a)
    parse_classes = a.parse_classes if a.mt > 0 else 0
    trunk = build_trunk(a.weights).to(dev).eval()
    model = SAAdjustNet(a.mode, K=a.K, d=a.d, parse_classes=parse_classes, zero_p=not a.no_zero_p).to(dev)
    if a.init:
        ck = torch.load(a.init, map_location="cpu", weights_only=False)
        model.load_state_dict(ck["state_dict"])
        if "trunk" in ck:
            load_trunk_state(trunk, ck["trunk"])
    opt = make_optimiser(model, a, [{"params": list(trunk.parameters()), "lr": a.lr * a.trunk_lr_mult}])
    data = AugmentedPoints(a.pairs, train_names, a.points, a.long_side, a.rotate, not a.no_flip, a.seed)
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch, shuffle=True, collate_fn=collate,
                                         num_workers=a.workers, drop_last=True, worker_init_fn=_reseed_worker,
                                         persistent_workers=a.workers > 0, pin_memory=dev.type == "cuda")
    schedule = parse_phases(a.phases) if a.mode == "map" else ["context"] * a.epochs
    state = LossState.prepare(a, schedule, data, len(train_names))
    cfg = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()} | {
        "train_n": len(train_names), "val_n": len(val_names), "parse_classes": parse_classes,
        "recipe_kind": "full (trunk fine-tuned, augmented)"}
    (a.out / "config.json").write_text(json.dumps(cfg, default=str, indent=1))
    log = open(a.out / "log.jsonl", "a")
    t_start = time.time()
    for ep, recipe in enumerate(schedule):
        state.start_epoch(ep, len(schedule))
        model.train()
        sums, cnt = {}, 0
        for b in tqdm(loader, desc=f"ep {ep} {recipe}", leave=False):
            b = to_device(b, dev)
            feats = []
            for rgb in b["rgb"]:  # photos differ in size: the trunk runs one at a time
                f = trunk(rgb.unsqueeze(0))
                feats.append({k: f[k][0] for k in KEYS})
            outs = model.forward_points(feats, b["grid"], b["lab"])
            optimise(opt, batch_losses(outs, b, state, recipe), sums)
            cnt += 1
        rec = epoch_record(ep, recipe, state, sums, cnt, t_start)
        rec["val"] = evaluate(model, a.pairs, None, val_names, trunk=trunk, long_side=a.long_side)
        write_epoch(log, rec, {"state_dict": {k: v.cpu() for k, v in model.state_dict().items()},
                               "trunk": {k: v.cpu() for k, v in trunk.state_dict().items()}, "config": cfg},
                    a.out, ep)
    print(f"done in {time.time() - t_start:.0f} s")


if __name__ == "__main__":
    main()
