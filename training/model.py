"""SA-AdjustNet reference network (paper.md), written for a 1:1 Swift port.

Tensor names (state-dict keys) are the names the exporter writes; every layer is a plain
Conv 1x1 / Linear / GRU / BatchNorm. Coordinates: a query point is given in normalised image
coordinates (x, y) in [-1, 1] with pixel centres at (2i+1)/W - 1 (grid_sample, align_corners=False);
sampling a feature map there equals bilinear upsampling (half-pixel centres, edge clamp) to the grid.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .colour import unit_to_feature

TRUNK_MEAN = (0.485, 0.456, 0.406)
TRUNK_STD = (0.229, 0.224, 0.225)
SCALES = ("layer1", "layer2", "layer3", "renet")
SCALE_CHANNELS = {"layer1": 256, "layer2": 512, "layer3": 1024, "renet": 1024}


class Bottleneck(nn.Module):
    """ResNet v1 bottleneck (MSRA): the stride sits on the first 1x1 conv; torchvision key names."""

    def __init__(self, cin, mid, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, mid, 1, stride, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Trunk(nn.Module):
    """ResNet-50 conv1..layer3 (blocks 3, 4, 6), v1 strides. base=64 is ResNet-50; the Swift parity
    fixtures use a reduced base (same structure, every width divided)."""

    def __init__(self, base=64, blocks=(3, 4, 6)):
        super().__init__()
        self.conv1 = nn.Conv2d(3, base, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = base
        for i, (n, stride) in enumerate(zip(blocks, (1, 2, 2))):
            mid = base * 2 ** i
            layer = []
            for j in range(n):
                layer.append(Bottleneck(cin, mid, mid * 4, stride if j == 0 else 1))
                cin = mid * 4
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
        self.register_buffer("mean", torch.tensor(TRUNK_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(TRUNK_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, rgb):  # rgb: B,3,H,W in [0,1]
        x = (rgb - self.mean) / self.std
        c1 = F.relu(self.bn1(self.conv1(x)))
        l1 = self.layer1(self.maxpool(c1))
        l2 = self.layer2(l1)
        l3 = self.layer3(l2)
        return {"conv1": c1, "layer1": l1, "layer2": l2, "layer3": l3}


def build_trunk(weights_path=None):
    """ResNet-50 trunk with the MSRA v1 stride placement, loaded from a trunk file with torchvision names
    (models/resnet50-imagenet-trunk.safetensors, or its fp32 source in ../shared/weights: the same values)."""
    t = Trunk()
    if weights_path is not None:
        from safetensors.torch import load_file
        sd = load_file(str(weights_path))
        load_trunk_state(t, {k: v for k, v in sd.items() if not k.startswith(("layer4", "fc"))})
    return t


def load_trunk_state(trunk, state):
    """Load trunk weights (torchvision names); only BN counters may be missing, nothing may be left over."""
    res = trunk.load_state_dict(state, strict=False)
    assert not res.unexpected_keys, res.unexpected_keys
    assert all(k.endswith("num_batches_tracked") for k in res.missing_keys), res.missing_keys
    return trunk


def l2n(x, dim=1, eps=1e-6):
    """L2-normalise over channels at every position: x / max(||x||, eps)."""
    return x / x.norm(dim=dim, keepdim=True).clamp_min(eps)


def sample(fmap, grid):
    """fmap C,h,w ; grid N,2 normalised (x,y) -> N,C (bilinear, half-pixel centres, edge clamp)."""
    out = F.grid_sample(fmap.unsqueeze(0), grid.view(1, 1, -1, 2).to(fmap.dtype), mode="bilinear",
                        padding_mode="border", align_corners=False)
    return out[0, :, 0, :].t()


def pixel_grid(h, w, device=None):
    """Normalised coordinates of every pixel centre of an h x w image, row-major, (h*w, 2)."""
    ys = (torch.arange(h, device=device, dtype=torch.float32) * 2 + 1) / h - 1
    xs = (torch.arange(w, device=device, dtype=torch.float32) * 2 + 1) / w - 1
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx, gy], -1).view(-1, 2)


class ReNet(nn.Module):
    """Two-stage ReNet: bidirectional GRU along rows, BN, bidirectional GRU along columns, BN, 1x1 conv.

    GRU gates follow PyTorch (weight_ih rows = [r; z; n], n = tanh(W_in x + b_in + r*(W_hn h + b_hn)),
    h' = (1-z)*n + z*h, h0 = 0); output channels = [forward ; backward].
    BatchNorm statistics are over all positions of all images in the batch.
    """

    def __init__(self, cin=1024, hidden=256, cout=1024):
        super().__init__()
        self.gru_h = nn.GRU(cin, hidden, batch_first=True, bidirectional=True)
        self.bn_h = nn.BatchNorm1d(2 * hidden)
        self.gru_v = nn.GRU(2 * hidden, hidden, batch_first=True, bidirectional=True)
        self.bn_v = nn.BatchNorm1d(2 * hidden)
        self.proj = nn.Conv2d(2 * hidden, cout, 1)

    def _bn(self, bn, maps):  # maps: list of (h, w, C) -> same, BN over every position of the batch
        flat = bn(torch.cat([m.reshape(-1, m.shape[-1]) for m in maps], 0))
        out, i = [], 0
        for m in maps:
            n = m.shape[0] * m.shape[1]
            out.append(flat[i:i + n].view(m.shape))
            i += n
        return out

    def forward(self, l3_list):  # list of (1024, h, w) -> list of (1024, h, w)
        rows = [self.gru_h(x.permute(1, 2, 0))[0] for x in l3_list]            # h, w, 512 (rows are sequences)
        rows = self._bn(self.bn_h, rows)
        cols = [self.gru_v(r.permute(1, 0, 2))[0].permute(1, 0, 2) for r in rows]  # columns are sequences
        cols = self._bn(self.bn_v, cols)
        return [self.proj(c.permute(2, 0, 1).unsqueeze(0))[0] for c in cols]


class SAAdjustNet(nn.Module):
    """Head of SA-AdjustNet on top of the trunk features.

    mode "context": out = lab + P(tanh(U x) * tanh(V y))            (the +MSE/+Huber/+MT rows)
    mode "map":     pi = softmax(W y); out_k = lab + P(tanh(U x) * tanh(V e_k)); out = sum_k m_k out_k  (+S)
    All colours in unit Lab (L/100, a/110, b/110).
    """

    def __init__(self, mode="context", K=2, d=256, ctx=512, parse_classes=0, zero_p=True,
                 base=64, hidden=256):
        super().__init__()
        assert mode in ("context", "map")
        self.mode, self.K, self.d = mode, K, d
        ch = {"layer1": 4 * base, "layer2": 8 * base, "layer3": 16 * base, "renet": 16 * base}
        self.renet = ReNet(16 * base, hidden, 16 * base)
        self.squeeze = nn.ModuleDict({s: nn.Conv2d(ch[s], ctx, 1, bias=(s == "renet")) for s in SCALES})
        self.U = nn.Linear(3 + base, d)
        self.V = nn.Linear(ctx if mode == "context" else K, d)
        self.P = nn.Linear(d, 3)
        if zero_p:  # the untrained model returns its input: no bad start for any preset
            nn.init.zeros_(self.P.weight)
            nn.init.zeros_(self.P.bias)
        self.map_head = nn.Linear(ctx, K) if mode == "map" else None
        self.parse_head = nn.Linear(ctx, parse_classes) if parse_classes else None

    # ---- per-image context pass (working resolution) ----
    def context_maps(self, feats, n_points=0):
        """feats: list of dicts (conv1, layer1, layer2, layer3: C,h,w). Returns per image the
        squeezed maps per scale (512,h_s,w_s) and the normalised conv1 map."""
        renet = self.renet([f["layer3"].float() for f in feats])
        out = []
        for f, r in zip(feats, renet):
            src = {"layer1": f["layer1"], "layer2": f["layer2"], "layer3": f["layer3"], "renet": r}
            maps = {}
            for s in SCALES:
                fn = l2n(src[s].float(), dim=0)   # unbatched C,h,w: channels are dim 0
                if n_points and fn.shape[1] * fn.shape[2] > n_points:
                    maps[s] = (fn, self.squeeze[s])
                else:
                    maps[s] = self.squeeze[s](fn.unsqueeze(0))[0]
            maps["conv1n"] = l2n(f["conv1"].float(), dim=0)
            out.append(maps)
        return out

    def point_features(self, maps, grid, lab_unit):
        """maps from context_maps (one image), grid N,2, lab_unit N,3 -> x (N,67), y (N,512)."""
        y = 0
        for s in SCALES:  # project at the scale's own resolution, or after sampling when that is cheaper
            m = maps[s]
            if isinstance(m, tuple):  # (normalised features, conv): sample first, then the 1x1 conv
                f, conv = m
                y = y + F.linear(sample(f, grid), conv.weight[:, :, 0, 0], conv.bias)
            else:
                y = y + sample(m, grid)
        x = torch.cat([unit_to_feature(lab_unit, dim=-1), sample(maps["conv1n"], grid)], -1)
        return x, y

    def presets(self):
        """tanh(V e_k + b_v) for every preset: K,d."""
        return torch.tanh(self.V.weight.t() + self.V.bias)

    def head(self, x, y):
        """x N,67 ; y N,512 -> dict with 'delta' (context) or 'delta_k' N,K,3 and 'logits' N,K (map)."""
        hx = torch.tanh(self.U(x))
        res = {}
        if self.mode == "context":
            res["delta"] = self.P(hx * torch.tanh(self.V(y)))
        else:
            res["delta_k"] = self.P(hx.unsqueeze(1) * self.presets().unsqueeze(0))
            res["logits"] = self.map_head(y)
        if self.parse_head is not None:
            res["parse"] = self.parse_head(y)
        return res

    def forward_points(self, feats, grids, labs):
        """Batched training forward: lists per image. Returns list of head dicts with 'lab' added."""
        outs = []
        for maps, g, lab in zip(self.context_maps(feats, n_points=len(grids[0])), grids, labs):
            x, y = self.point_features(maps, g, lab)
            r = self.head(x, y)
            if self.mode == "context":
                r["out"] = lab + r["delta"]
            else:
                r["out_k"] = lab.unsqueeze(1) + r["delta_k"]
            outs.append(r)
        return outs

    @torch.no_grad()
    def predict_image(self, feat, lab_unit_img, chunk=65536, user_map=None, soft=False, fast=True):
        """Full-resolution colour pass. lab_unit_img 3,H,W; feat one cached feature dict.
        Returns out (3,H,W) unit Lab and, in map mode, pi (K,H,W).

        fast=True: the context y enters the head only through one linear layer (the map head in map
        mode, V in context mode), so that layer is applied to each scale's squeezed map at the scale's
        own resolution and only its K (or d) channels are upsampled, instead of the 512 of y (1x1 maps
        commute with bilinear upsampling; paper.md "efficient inference"). Equal to fast=False up to
        float rounding."""
        H, W = lab_unit_img.shape[1:]
        maps = self.context_maps([feat])[0]
        grid = pixel_grid(H, W, device=lab_unit_img.device)
        lab = lab_unit_img.reshape(3, -1).t()
        outs, pis = [], []
        lin = self.map_head if self.mode == "map" else self.V
        proj = {s: torch.einsum("oc,chw->ohw", lin.weight, maps[s]) for s in SCALES} if fast else None
        for i in range(0, H * W, chunk):
            if fast:
                g, lb = grid[i:i + chunk], lab[i:i + chunk]
                z = lin.bias + sum(sample(proj[s], g) for s in SCALES)
                hx = torch.tanh(self.U(torch.cat([unit_to_feature(lb, dim=-1), sample(maps["conv1n"], g)], -1)))
                if self.mode == "context":
                    r = {"delta": self.P(hx * torch.tanh(z))}
                else:
                    r = {"delta_k": self.P(hx.unsqueeze(1) * self.presets().unsqueeze(0)), "logits": z}
            else:
                x, y = self.point_features(maps, grid[i:i + chunk], lab[i:i + chunk])
                r = self.head(x, y)
            if self.mode == "context":
                outs.append(lab[i:i + chunk] + r["delta"])
            else:
                pi = torch.softmax(r["logits"], -1)
                if user_map is not None:
                    m = user_map.reshape(self.K, -1).t()[i:i + chunk]
                elif soft:
                    m = pi
                else:
                    m = F.one_hot(pi.argmax(-1), self.K).float()
                outs.append(lab[i:i + chunk] + (m.unsqueeze(-1) * r["delta_k"]).sum(1))
                pis.append(pi)
        out = torch.cat(outs).t().reshape(3, H, W)
        pi = torch.cat(pis).t().reshape(self.K, H, W) if pis else None
        return out, pi
