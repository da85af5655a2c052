"""Golden fixtures for the Swift parity tests: a REDUCED configuration (same structure, tiny widths,
random weights) and the expected output of every stage.

  python3 -m training.fixtures --out Tests/InferenceTests/Fixtures

Writes tiny-trunk.safetensors (torchvision names, fp16), tiny-model.safetensors (export format, fp16)
and tiny-stages.safetensors (fp32 inputs and expected stage outputs, computed in fp32 from the
fp16-rounded weights). Shapes and names: training/README.md.
"""
import argparse
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from .data import working_image, to_unit_lab
from .export import export_tensors, metadata
from .model import Trunk, SAAdjustNet, pixel_grid, l2n, sample, SCALES


def randomise(module, g):
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g) * (0.5 / max(1, p[0].numel()) ** 0.5 if p.dim() > 1 else 0.1))
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=g) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)
        for name, p in module.named_parameters():  # BN gammas near 1
            if ".bn" in f".{name}" and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
        for sd in [module.state_dict()]:  # round to fp16, as shipped
            for k, v in sd.items():
                if v.is_floating_point():
                    v.copy_(v.half().float())


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1234)
    base, K = 4, 2
    trunk = Trunk(base=base).eval()
    model = SAAdjustNet("map", K=K, d=8, ctx=16, base=base, hidden=8, zero_p=False).eval()
    randomise(trunk, g)
    randomise(model, g)
    rng = np.random.default_rng(0)
    # a smooth random photo 50x60 with some structure
    yy, xx = np.mgrid[0:50, 0:60]
    full = np.stack([128 + 100 * np.sin(xx / 7 + c) * np.cos(yy / 9 - c) for c in range(3)], -1)
    full = np.clip(full + rng.normal(0, 10, full.shape), 0, 255).astype(np.uint8)
    work = working_image(full, 48)  # 40 x 48
    st = {"full_rgb8": torch.from_numpy(full.copy()), "working_rgb8": torch.from_numpy(work.copy())}
    with torch.no_grad():
        x = torch.from_numpy(work).permute(2, 0, 1).float().div(255).unsqueeze(0)
        f = trunk(x)
        for k, v in f.items():
            st[f"trunk.{k}"] = v[0]
        feat = {k: v[0] for k, v in f.items()}
        rn = model.renet
        l3 = feat["layer3"]
        rows = rn.gru_h(l3.permute(1, 2, 0))[0]
        st["renet.gru_h"] = rows                                   # h, w, 2*hidden
        rows = rn._bn(rn.bn_h, [rows])[0]
        st["renet.bn_h"] = rows
        cols = rn.gru_v(rows.permute(1, 0, 2))[0].permute(1, 0, 2)
        st["renet.gru_v"] = cols
        cols = rn._bn(rn.bn_v, [cols])[0]
        st["renet.bn_v"] = cols
        renet = rn.proj(cols.permute(2, 0, 1).unsqueeze(0))[0]
        st["renet.out"] = renet
        src = {"layer1": feat["layer1"], "layer2": feat["layer2"], "layer3": l3, "renet": renet}
        for s in SCALES:
            st[f"squeeze.{s}"] = model.squeeze[s](l2n(src[s], dim=0).unsqueeze(0))[0]   # ctx, h_s, w_s
        H, W = full.shape[:2]
        lab = to_unit_lab(full)
        st["lab_unit"] = lab
        grid = pixel_grid(H, W)
        labp = lab.reshape(3, -1).t()
        y = sum(sample(st[f"squeeze.{s}"], grid) for s in SCALES)
        xf = torch.cat([torch.stack([2 * labp[:, 0] - 1, labp[:, 1], labp[:, 2]], -1),
                        sample(l2n(feat["conv1"], dim=0), grid)], -1)
        st["x"], st["y"] = xf, y                                      # N=H*W row-major, channels last
        hx = torch.tanh(model.U(xf))
        st["tanh_Ux"] = hx
        st["presets"] = model.presets()                               # K, d
        st["logits"] = model.map_head(y)
        st["pi"] = torch.softmax(st["logits"], -1)
        st["delta_k"] = model.P(hx.unsqueeze(1) * st["presets"].unsqueeze(0))   # N, K, 3
        onehot = F.one_hot(st["pi"].argmax(-1), K).float()
        st["out_argmax"] = (labp + (onehot.unsqueeze(-1) * st["delta_k"]).sum(1)).t().reshape(3, H, W)
        st["out_soft"] = (labp + (st["pi"].unsqueeze(-1) * st["delta_k"]).sum(1)).t().reshape(3, H, W)
        user = torch.zeros(K, H, W); user[0, :, :30] = 1; user[1, :, 30:] = 1
        st["user_map"] = user
        st["out_user_map"] = model.predict_image(feat, lab, user_map=user)[0]
        ref, pi = model.predict_image(feat, lab)
        assert torch.allclose(ref, st["out_argmax"], atol=1e-5), (ref - st["out_argmax"]).abs().max()
    a.out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.half().contiguous() for k, v in trunk.state_dict().items()},
              str(a.out / "tiny-trunk.safetensors"), metadata={"base": str(base), "blocks": "3,4,6"})
    save_file(export_tensors(model), str(a.out / "tiny-model.safetensors"),
              metadata=metadata(model, "tiny", ["p0", "p1"], long_side=48))
    st = {k: (v.contiguous() if v.dtype == torch.uint8 else v.float().contiguous()) for k, v in st.items()}
    save_file(st, str(a.out / "tiny-stages.safetensors"),
              metadata={"shapes": json.dumps({k: list(v.shape) for k, v in st.items()})})
    for p in sorted(a.out.glob("tiny-*")):
        print(p, p.stat().st_size)


if __name__ == "__main__":
    main()
