"""Train SA-AdjustNet heads on the frozen, cached trunk (the 2-core recipe).

  nice -n 19 python3 -m training.train --pairs pairs/popout --cache cache/popout \
      --splits training/splits/popout --mode map --K 2 --mt 0.01 --phases kmeans:2,em:8 --out runs/popout_s

--mode context : the +MSE / +Huber / +Huber+MT rows (--loss mse|huber, --mt 0 or 0.01)
--mode map     : +S. --phases is a schedule of S-recipes, e.g. "paper:10" (the paper's expected loss with
                 class re-weighting alpha/beta) or "kmeans:2,em:8" (see README: initialise presets from
                 k-means of target-input residuals, then EM with the target-based posterior), or
                 "mixture:1,paper:3" (initialise from a mixture of K global colour transforms fitted
                 to the training pixels, see README: the xpro recipe).
"""
import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from .cache import load_cached, trunk_features
from .data import Pair, read_split, to_unit_lab
from .metrics import quantise_unit, lab_error, confusion, best_match_accuracy, miou
from .model import SAAdjustNet

DELTA = 0.04


def seed_all(s):
    random.seed(s); np.random.seed(s); torch.manual_seed(s)


class PointData(torch.utils.data.Dataset):
    """Streams one photo at a time: cached features from disk + n random full-resolution pixels.
    With mirror_cache (features of the mirrored photos, `training.cache --mirror`), half the draws
    are the mirrored pair: the paper's flip augmentation, with the trunk still cached."""

    def __init__(self, pairs, cache, names, n_points=2048, mirror_cache=None):
        self.pairs, self.cache, self.names, self.n = Path(pairs), Path(cache), names, n_points
        self.mirror_cache = Path(mirror_cache) if mirror_cache else None

    def __len__(self):
        return len(self.names)

    def __getitem__(self, i):
        name = self.names[i]
        inp, tgt, groups, labels = Pair(self.pairs, name).load()
        cache = self.cache
        if self.mirror_cache is not None and np.random.rand() < 0.5:
            inp, tgt, groups, labels = (None if x is None else np.ascontiguousarray(x[:, ::-1]) for x in (inp, tgt, groups, labels))
            cache = self.mirror_cache
        H, W = inp.shape[:2]
        idx = np.random.randint(0, H * W, self.n)
        yy, xx = idx // W, idx % W
        grid = torch.from_numpy(np.stack([(2 * xx + 1) / W - 1, (2 * yy + 1) / H - 1], -1)).float()
        lab = to_unit_lab(inp[yy, xx][None])[:, 0].t()  # N,3
        tl = to_unit_lab(tgt[yy, xx][None])[:, 0].t()
        item = {"feat": load_cached(cache, name), "grid": grid, "lab": lab, "tgt": tl}
        item["labels"] = torch.from_numpy(labels[yy, xx].astype(np.int64)) if labels is not None else None
        item["groups"] = torch.from_numpy(groups[yy, xx].astype(np.int64)) if groups is not None else None
        return item


def collate(b):
    return {k: [x[k] for x in b] for k in b[0]}


def residual_features(lab, tgt):
    """Per-pixel description of the edit, for k-means initialisation: delta Lab and delta chroma."""
    d = tgt - lab
    dc = tgt[:, 1:].norm(dim=1, keepdim=True) - lab[:, 1:].norm(dim=1, keepdim=True)
    return torch.cat([d, dc], 1)


def kmeans(x, K, iters=50, seed=0):
    g = torch.Generator().manual_seed(seed)
    c = x[torch.randint(0, len(x), (1,), generator=g)]
    for _ in range(1, K):  # k-means++
        d = torch.cdist(x, c).min(1).values ** 2
        c = torch.cat([c, x[torch.multinomial(d / d.sum(), 1, generator=g)]])
    for _ in range(iters):
        a = torch.cdist(x, c).argmin(1)
        c = torch.stack([x[a == k].mean(0) if (a == k).any() else c[k] for k in range(K)])
    return c


def colour_design(lab, features=5):
    """Per-pixel regressors of a global colour transform: L, a, b, L^2, 1 (unit Lab), or with
    features=8 the rich design. A mixture's transforms (K x features x 3) say which they use."""
    if features == 8:
        return rich_colour_design(lab)
    return torch.cat([lab, lab[:, :1] ** 2, torch.ones(len(lab), 1)], 1)


def rich_colour_design(lab):
    """L, a, b, L^2, L^3, L*a, L*b, 1: a tone curve with an inflection and chroma changes that depend on
    lightness. On xpro's val photos its mixture agrees with the groups (one matching for both sources)
    at 0.756 CamVid / 0.904 Stanford Background per pixel, against 0.700 / 0.850 for the quadratic."""
    L, a, b = lab[:, :1], lab[:, 1:2], lab[:, 2:3]
    return torch.cat([lab, L ** 2, L ** 3, L * a, L * b, torch.ones(len(lab), 1, device=lab.device)], 1)



def fit_colour_mixture(lab, tgt, K, init, iters=50, features=5):
    """Hard-EM mixture of K global colour transforms (least-squares Lab -> Lab, quadratic in L):
    each pixel goes to the transform that best maps its input colour to its target colour, each
    transform is refitted to its pixels. Unsupervised (inputs and targets only, never the groups):
    it finds *which edits* the photos contain, the starting point the map head is then taught.
    Returns the K x 5 x 3 transforms."""
    X, a = colour_design(lab, features), init
    W = torch.zeros(K, X.shape[1], 3)
    for _ in range(iters):
        for k in range(K):
            m = a == k
            if m.sum() >= 4 * X.shape[1]:
                W[k] = torch.linalg.lstsq(X[m], tgt[m]).solution
        new = mixture_assign(W, lab, tgt)
        if torch.equal(new, a):
            break
        a = new
    return W


def fit_best_mixture(lab, tgt, K, restarts, seed, features=5):
    """fit_colour_mixture from `restarts` k-means starts of the a/b residuals; the one that maps the
    pixels closest to their targets (summed squared error: unsupervised, the groups are never read).
    Why restarts: hard EM stops in the first fixed point, and from one start the agreement with the
    groups varied from 0.54 to 0.93 between samples of the same photos. Returns (transforms, sse)."""
    d = (tgt - lab)[:, 1:]
    d = (d - d.mean(0)) / (d.std(0) + 1e-6)
    best = None
    for r in range(max(restarts, 1)):
        init = torch.cdist(d, kmeans(d, K, seed=seed + r)).argmin(1)
        W = fit_colour_mixture(lab, tgt, K, init, features=features)
        pred = torch.einsum("nf,kfc->nkc", colour_design(lab, features), W)
        sse = float((pred - tgt.unsqueeze(1)).pow(2).sum(-1).min(1).values.sum())
        if best is None or sse < best[1]:
            best = (W, sse)
    return best


def mixture_assign(W, lab, tgt):
    """Index of the transform that maps each input colour closest to its target."""
    pred = torch.einsum("nf,kfc->nkc", colour_design(lab, W.shape[1]), W)
    return (pred - tgt.unsqueeze(1)).pow(2).sum(-1).argmin(1)


def per_pixel_loss(out, tgt, kind):
    """out ...,3 ; tgt broadcastable -> per-pixel loss (mean over channels)."""
    if kind == "mse":
        return (out - tgt).pow(2).mean(-1)
    return F.huber_loss(out, tgt.expand_as(out), delta=DELTA, reduction="none").mean(-1)


@torch.no_grad()
def evaluate(model, pairs, cache, names, K=None, soft=False, trunk=None, long_side=320):
    """Full-resolution Table-1 figures on names: input/output Lab error, map accuracy.
    Features come from the cache, or, with trunk (a fine-tuned one), from running it on each photo
    at long_side on the trunk's device."""
    model.eval()
    per_photo = {}
    for n in names:
        inp, tgt, groups, _ = Pair(pairs, n).load()
        li, lt = to_unit_lab(inp), to_unit_lab(tgt)
        feat = load_cached(cache, n) if trunk is None else trunk_features(trunk, inp, long_side)
        dev = feat["layer3"].device
        out, pi = model.predict_image(feat, li.to(dev), soft=soft)
        out, pi = out.cpu(), (pi.cpu() if pi is not None else None)
        lab_t = quantise_unit(lt)
        conf = None
        if pi is not None and groups is not None:
            conf = confusion(pi.argmax(0).numpy(), np.minimum(groups, model.K - 1), model.K, model.K)
        per_photo[n] = (lab_error(quantise_unit(li), lab_t), lab_error(quantise_unit(out), lab_t), conf)
    res = summarise(per_photo.values())
    sources = sorted({n.rpartition("/")[0] for n in names})
    if sources != [""]:  # source/stem names: each source's figures under the pooled matching
        res["by_source"] = {s: summarise((v for n, v in per_photo.items() if n.rpartition("/")[0] == s), res.get("perm"))
                            for s in sources}
    model.train()
    return res


def summarise(photos, perm=None):
    """Table-1 figures of (input error, output error, map confusion or None) per photo: mean errors,
    and the map accuracy of the summed confusion under the given preset<->group matching (a subset
    is measured under the whole split's), else the best one."""
    photos = list(photos)
    res = {"input": float(np.mean([p[0] for p in photos])), "output": float(np.mean([p[1] for p in photos])),
           "n": len(photos)}
    confs = [p[2] for p in photos if p[2] is not None]
    if confs:
        conf = sum(confs)
        if perm is None:
            acc, perm = best_match_accuracy(conf)
        else:
            acc = sum(conf[k, g] for k, g in enumerate(perm)) / max(conf.sum(), 1)
        res.update(map_acc=float(acc), map_miou=miou(conf, perm), perm=list(perm),
                   shares=(conf.sum(1) / conf.sum()).round(3).tolist())
    return res


def worker_seeder(seed):
    """DataLoader worker seeding: the sampled pixels depend on --seed only, so a run can be repeated."""
    def init(worker):
        np.random.seed(seed * 1000 + worker)
        random.seed(seed * 1000 + worker)
    return init


def make_optimiser(model, a, extra_groups=()):
    """Adam over the head, the map head at --map-lr-mult; extra_groups (e.g. a fine-tuned trunk) appended."""
    map_params = list(model.map_head.parameters()) if model.map_head is not None else []
    other = [p for p in model.parameters() if all(p is not q for q in map_params)]
    return torch.optim.Adam([{"params": other, "lr": a.lr},
                             {"params": map_params, "lr": a.lr * a.map_lr_mult}, *extra_groups])


class LossState:
    """What the losses carry across batches: the +S moving frequencies, the k-means centroids or the
    fitted colour mixture of the initialisation recipes, the map temperature, the epoch's preset shares."""

    def __init__(self, a):
        self.a = a
        self.fbar = torch.full((a.K,), 1.0 / a.K)
        self.centroids = None
        self.transforms = None
        self.tau = 1.0
        self.share = torch.zeros(a.K)
        self.parse = a.parse_classes if a.mt > 0 else 0

    @classmethod
    def prepare(cls, a, schedule, dataset, n_train):
        """Fit what the schedule's initialisation recipes need on sampled training pixels."""
        st = cls(a)
        if "kmeans" in schedule:  # cluster the target-input residuals of sampled training pixels
            feats = []
            for i in range(min(n_train, 200)):
                it = dataset[i]
                feats.append(residual_features(it["lab"][:256], it["tgt"][:256]))
            x = torch.cat(feats)
            mu, sd = x.mean(0), x.std(0) + 1e-6
            st.centroids = (kmeans((x - mu) / sd, a.K, seed=a.seed), mu, sd)
        if "mixture" in schedule or a.anchor > 0:  # K global colour transforms (fit_best_mixture)
            # Photos at even steps through the training list, not its first 200: the list is sorted by
            # source, and a mixture fitted on CamVid alone agreed with Stanford Background's groups at
            # 0.71 (0.91 when fitted on both; 80 photos of each, 2026-12-07).
            lab, tgt = [], []
            for i in sorted({round(j * n_train / min(n_train, 200)) for j in range(min(n_train, 200))}):
                it = dataset[i]
                lab.append(it["lab"][:512]); tgt.append(it["tgt"][:512])
            lab, tgt = torch.cat(lab), torch.cat(tgt)
            st.transforms, sse = fit_best_mixture(lab, tgt, a.K, a.mixture_restarts, a.seed,
                                                  features=8 if a.mixture_design == "rich" else 5)
            shares = torch.bincount(mixture_assign(st.transforms, lab, tgt), minlength=a.K).float() / len(lab)
            print(json.dumps({"mixture_shares": shares.round(decimals=3).tolist(), "mixture_sse": round(sse, 4)}), flush=True)
        return st

    def start_epoch(self, ep, n_epochs):
        a = self.a
        self.tau = a.tau0 ** (1 - ep / max(n_epochs - 1, 1)) if a.tau0 != 1 else 1.0
        self.share = torch.zeros(a.K)


def batch_losses(outs, b, state, recipe):
    """The loss terms of one batch: outs from SAAdjustNet.forward_points, b the collated batch
    (tensors on the model's device). Returns a dict of scalar tensors (their sum is minimised)."""
    a = state.a
    tgt = torch.cat(b["tgt"])
    losses = {}
    if a.mode == "context":
        out = torch.cat([o["out"] for o in outs])
        losses["reg"] = per_pixel_loss(out, tgt, a.loss).mean()
    else:
        out_k = torch.cat([o["out_k"] for o in outs])              # N,K,3
        logits = torch.cat([o["logits"] for o in outs]) / state.tau  # N,K
        pi = torch.softmax(logits, -1)
        lk = per_pixel_loss(out_k, tgt.unsqueeze(1), a.loss)        # N,K
        if recipe == "paper":
            fbar = state.fbar.to(pi.device)
            fbar = a.beta * fbar + (1 - a.beta) * pi.mean(0).detach()
            state.fbar = fbar = fbar / fbar.sum()
            w = fbar ** a.alpha
            w = w / w.mean()
            # --detach-map: the expected loss fits the presets under the map but does not move it; the
            # map then learns from the anchor alone (the expected loss drifts it to partitions by fit).
            losses["reg"] = (w * (pi.detach() if a.detach_map else pi) * lk).sum(1).mean()
            r = pi.detach()
            if a.anchor > 0:  # keep the map on the mixture's edits: the expected loss alone drifts to partitions by fit
                m = F.one_hot(mixture_assign(state.transforms.to(tgt.device), torch.cat(b["lab"]), tgt), a.K).float()
                losses["anchor"] = a.anchor * -(m * torch.log_softmax(logits, -1)).sum(1).mean()
        else:
            if recipe == "kmeans":
                c, mu, sd = (t.to(tgt.device) for t in state.centroids)
                assign = torch.cdist((residual_features(torch.cat(b["lab"]), tgt) - mu) / sd, c).argmin(1)
                r = F.one_hot(assign, a.K).float()
            elif recipe == "mixture":
                r = F.one_hot(mixture_assign(state.transforms.to(tgt.device), torch.cat(b["lab"]), tgt), a.K).float()
            else:  # em: posterior from the gate prior and the per-preset fit to the target
                se = (out_k - tgt.unsqueeze(1)).pow(2).sum(-1).detach()
                T = a.em_temp * se.min(1).values.mean().clamp_min(1e-6)
                r = torch.softmax(torch.log_softmax(logits.detach(), -1) - se / T, -1)
                if a.hard:
                    r = F.one_hot(r.argmax(1), a.K).float()
                if a.reseed > 0:
                    sh = r.mean(0)
                    for k in range(a.K):
                        if sh[k] < a.reseed:  # give a dead preset the worst-fitted pixels
                            worst = se.min(1).values.topk(max(1, len(se) // (2 * a.K))).indices
                            r[worst] = F.one_hot(torch.full((len(worst),), k, device=r.device), a.K).float()
            losses["reg"] = (r * lk).sum(1).mean()
            losses["gate"] = a.gate_weight * -(r * torch.log_softmax(logits, -1)).sum(1).mean()
        if a.balance > 0:
            m = pi.mean(0)
            losses["balance"] = a.balance * (m * (m * a.K).clamp_min(1e-8).log()).sum()
        state.share += r.mean(0).cpu()
    if state.parse:
        lbl = torch.cat(b["labels"])
        plog = torch.cat([o["parse"] for o in outs])
        losses["parse"] = a.mt * F.cross_entropy(plog, lbl, ignore_index=255)
    return losses


def optimise(opt, losses, sums):
    """One step on the sum of the loss terms; adds each term to the epoch's sums. Returns the loss."""
    loss = sum(losses.values())
    opt.zero_grad()
    loss.backward()
    opt.step()
    for k, v in losses.items():
        sums[k] = sums.get(k, 0.0) + float(v.detach())
    return float(loss.detach())


def epoch_record(ep, recipe, state, sums, steps, t_start):
    """The epoch's log line without its val figures: mean loss terms, map temperature and preset shares."""
    rec = {"epoch": ep, "recipe": recipe, "tau": round(state.tau, 3), "time_s": round(time.time() - t_start),
           **{k: v / steps for k, v in sums.items()}}
    if state.a.mode == "map":
        rec["train_share"] = (state.share / steps).round(decimals=3).tolist()
    return rec


def write_epoch(log, rec, checkpoint, out, ep):
    """Print and log the epoch's record; save its checkpoint as the last one and as epoch ep's."""
    print(json.dumps(rec), flush=True)
    log.write(json.dumps(rec) + "\n"); log.flush()
    torch.save(checkpoint, out / "model.pt")
    torch.save(checkpoint, out / f"model-ep{ep}.pt")  # pick by val


def split_names(a):
    """The training and val photos of a run: --exclude-source left out, --limit and --val-limit applied."""
    kept = lambda split: [n for n in read_split(a.splits, split) if n.split("/")[0] not in a.exclude_source]
    return kept("train")[:a.limit or None], spread(kept("val"), a.val_limit)


def spread(names, limit):
    """At most limit names, taken at even steps through the sorted list, so that a limited val set
    still holds every source (a prefix would hold only the first source's photos)."""
    names = sorted(names)
    if not limit or limit >= len(names):
        return names
    return [names[round(i * len(names) / limit)] for i in range(limit)]


def parse_phases(s):
    out = []
    for p in s.split(","):
        name, ep = p.split(":")
        out += [name] * int(ep)
    return out


def arg_parser():
    """The trainer's options; train_full.py adds its own to the same set."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--cache", type=Path, help="feature cache of training.cache (required by this trainer)")
    ap.add_argument("--splits", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--mode", choices=["context", "map"], default="context")
    ap.add_argument("--K", type=int, default=2)
    ap.add_argument("--d", type=int, default=256)
    ap.add_argument("--loss", choices=["huber", "mse"], default="huber")
    ap.add_argument("--mt", type=float, default=0.0, help="parsing-head weight lambda (0.01 in the paper)")
    ap.add_argument("--parse-classes", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=10, help="context mode")
    ap.add_argument("--phases", default="paper:10", help="map mode: recipe:epochs,...")
    ap.add_argument("--alpha", type=float, default=0.8)
    ap.add_argument("--beta", type=float, default=0.99)
    ap.add_argument("--balance", type=float, default=0.0, help="batch-entropy (KL to uniform) weight")
    ap.add_argument("--tau0", type=float, default=1.0, help="map softmax temperature at start, annealed to 1")
    ap.add_argument("--em-temp", type=float, default=1.0)
    ap.add_argument("--hard", action="store_true", help="hard EM (one-hot posterior)")
    ap.add_argument("--reseed", type=float, default=0.0, help="re-seed presets whose batch share falls below")
    ap.add_argument("--gate-weight", type=float, default=1.0, help="EM: weight of the gate cross-entropy")
    ap.add_argument("--anchor", type=float, default=0.0,
                    help="paper epochs: weight of the cross-entropy of the map to the colour mixture's assignment")
    ap.add_argument("--detach-map", action="store_true",
                    help="paper epochs: the expected loss trains the presets only; the map learns from --anchor")
    ap.add_argument("--mixture-design", choices=["quadratic", "rich"], default="quadratic",
                    help="regressors of the mixture's global colour transforms (rich: + L^3, L*a, L*b)")
    ap.add_argument("--mixture-restarts", type=int, default=1, help="k-means starts of the colour mixture; the best fit kept")
    ap.add_argument("--map-lr-mult", type=float, default=1.0)
    ap.add_argument("--no-zero-p", action="store_true")
    ap.add_argument("--patience", type=int, default=0,
                    help="stop when the val Lab error has not improved for this many epochs (0: run the schedule)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--points", type=int, default=2048)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training photos")
    ap.add_argument("--val-limit", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", type=Path, help="continue from this run's model.pt (weights only; a fresh optimiser)")
    ap.add_argument("--mirror-cache", type=Path, help="features of the mirrored photos: flip augmentation (p 0.5)")
    ap.add_argument("--exclude-source", action="append", default=[],
                    help="train without this source's photos (the leave-one-source-out row)")
    return ap


def main(argv=None):
    ap = arg_parser()
    a = ap.parse_args(argv)
    if a.cache is None:
        ap.error("--cache is required (train_full.py trains without a cache, on a GPU)")
    torch.set_num_threads(a.threads)
    seed_all(a.seed)
    a.out.mkdir(parents=True, exist_ok=True)
    train_names, val_names = split_names(a)
    parse_classes = a.parse_classes if a.mt > 0 else 0
    model = SAAdjustNet(a.mode, K=a.K, d=a.d, parse_classes=parse_classes, zero_p=not a.no_zero_p)
    if a.init:
        model.load_state_dict(torch.load(a.init, map_location="cpu")["state_dict"])
    opt = make_optimiser(model, a)
    loader = torch.utils.data.DataLoader(PointData(a.pairs, a.cache, train_names, a.points, a.mirror_cache), batch_size=a.batch,
                                         shuffle=True, collate_fn=collate, num_workers=1, drop_last=True,
                                         persistent_workers=True, worker_init_fn=worker_seeder(a.seed))
    schedule = parse_phases(a.phases) if a.mode == "map" else ["context"] * a.epochs
    state = LossState.prepare(a, schedule, loader.dataset, len(train_names))
    cfg = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(a).items()} | {"train_n": len(train_names), "val_n": len(val_names), "parse_classes": parse_classes}
    (a.out / "config.json").write_text(json.dumps(cfg, default=str, indent=1))
    log = open(a.out / "log.jsonl", "a")
    t_start = time.time()
    best = (math.inf, -1)  # (val Lab error, epoch)
    for ep, recipe in enumerate(schedule):
        state.start_epoch(ep, len(schedule))
        sums, cnt = {}, 0
        bar = tqdm(loader, desc=f"ep {ep} {recipe}", leave=False)
        for b in bar:
            outs = model.forward_points(b["feat"], b["grid"], b["lab"])
            loss = optimise(opt, batch_losses(outs, b, state, recipe), sums)
            cnt += 1
            bar.set_postfix(loss=f"{loss:.5f}")
        rec = epoch_record(ep, recipe, state, sums, cnt, t_start)
        rec["val"] = evaluate(model, a.pairs, a.cache, val_names)
        write_epoch(log, rec, {"state_dict": model.state_dict(), "config": cfg}, a.out, ep)
        best = min(best, (rec["val"]["output"], ep))
        if a.patience and ep - best[1] >= a.patience:
            print(f"early stop: val Lab {best[0]:.3f} at epoch {best[1]} not improved for {a.patience} epochs", flush=True)
            break
    print(f"done in {time.time() - t_start:.0f} s")


if __name__ == "__main__":
    main()
