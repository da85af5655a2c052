"""Edge-aware refinement of the soft adjustment map with the photo as the guide (issue: edges).

The map head sees 1/4..1/16-scale features, so the upsampled probabilities pi (K, H, W) cross object
boundaries as smooth ramps that ignore the photo's edges. A guided filter (He, Sun, Tang, "Guided
Image Filtering", TPAMI 2013) fits, in every window, each preset's probability as an affine function
of the guide colour, so that the refined map changes where the photo changes and stays flat where the
photo is flat. This is the reference the Swift engine's refinement is checked against.

- `guide_planes`, `engine_coefficients`, `engine_labels`: the engine's fast form (He & Sun 2015):
  coefficients fitted on a point-sampled guide (box windows of (2r+1)^2, integral images),
  bilinearly upsampled and applied to every full-resolution pixel, labels by first argmax.
- `renormalise(q)`: clamp at 0 and divide by the sum, so a refined soft map is a distribution again.
"""
import torch
import torch.nn.functional as F


def box(x, r):
    """Mean over (2r+1)^2 windows, clipped at the borders (divides by the count inside), x ...,H,W."""
    H, W = x.shape[-2:]
    c = F.pad(x.cumsum(-2).cumsum(-1), (1, 0, 1, 0))
    y0 = torch.arange(H).clamp(max=H) - r
    y0 = y0.clamp(min=0)
    y1 = (torch.arange(H) + r + 1).clamp(max=H)
    x0 = (torch.arange(W) - r).clamp(min=0)
    x1 = (torch.arange(W) + r + 1).clamp(max=W)
    s = (c[..., y1[:, None], x1[None]] - c[..., y0[:, None], x1[None]]
         - c[..., y1[:, None], x0[None]] + c[..., y0[:, None], x0[None]])
    n = (y1 - y0)[:, None] * (x1 - x0)[None]
    return s / n


def _coefficients(guide, p, radius, eps):
    """(a, b) of q = a . I + b in each window: a C x K per pixel (as K,C,H,W), b K,H,W."""
    C = guide.shape[0]
    mI = box(guide, radius)                                            # C,H,W
    mp = box(p, radius)                                                # K,H,W
    cIp = box(guide[None] * p[:, None], radius) - mI[None] * mp[:, None]  # K,C,H,W
    if C == 1:
        var = box(guide * guide, radius) - mI * mI                      # 1,H,W
        a = cIp / (var[None] + eps)
    else:
        cov = box(guide[:, None] * guide[None], radius) - mI[:, None] * mI[None]   # C,C,H,W
        sigma = cov.permute(2, 3, 0, 1) + eps * torch.eye(C, dtype=guide.dtype)     # H,W,C,C
        a = torch.linalg.solve(sigma[None], cIp.permute(0, 2, 3, 1)[..., None])[..., 0]  # K,H,W,C
        a = a.permute(0, 3, 1, 2)                                                   # K,C,H,W
    b = mp - (a * mI[None]).sum(1)
    return a, b


def renormalise(q):
    q = q.clamp_min(0)
    return q / q.sum(0, keepdim=True).clamp_min(1e-6)


# ---- The engine's form (Sources/Inference/Map/GuidedMapFilter.swift), step for step ----------------------

def guide_size(h, w, long_side):
    s = min(long_side, max(h, w)) / max(h, w)
    return max(1, round(h * s)), max(1, round(w * s))


def guide_planes(rgb8, long_side):
    """3 planes of RGB in [0, 1]: the photo pixel nearest each guide pixel's centre."""
    h, w = rgb8.shape[:2]
    gh, gw = guide_size(h, w, long_side)
    ys = [min(h - 1, int((y + 0.5) * h / gh)) for y in range(gh)]
    xs = [min(w - 1, int((x + 0.5) * w / gw)) for x in range(gw)]
    g = torch.from_numpy(rgb8[ys][:, xs].astype("float64") / 255.0)
    return g.permute(2, 0, 1).contiguous()


def engine_coefficients(weights, guide, radius_fraction, eps):
    """Window-averaged (a, b) of the guided filter on the guide: K,4,h,w (a for 8-bit colour)."""
    h, w = guide.shape[1:]
    r = max(1, round(radius_fraction * max(h, w)))
    a, b = _coefficients(guide.double(), weights.double(), r, eps)
    return torch.cat([box(a, r) / 255.0, box(b, r)[:, None]], 1)


def engine_q(coefficients, rgb8):
    """The refined map before any decision: coefficients bilinearly upsampled (align_corners=False,
    edges clamped), q_k = a_k . rgb + b_k at every full-resolution pixel (K,H,W)."""
    K = coefficients.shape[0]
    H, W = rgb8.shape[:2]
    up = F.interpolate(coefficients.reshape(1, K * 4, *coefficients.shape[2:]), size=(H, W), mode="bilinear",
                       align_corners=False)[0].reshape(K, 4, H, W)
    rgb = torch.from_numpy(rgb8.astype("float64")).permute(2, 0, 1)
    return (up[:, :3] * rgb[None]).sum(1) + up[:, 3]


def engine_labels(coefficients, rgb8):
    """Full-resolution labels: the first argmax of engine_q."""
    return engine_q(coefficients, rgb8).argmax(0).to(torch.uint8)


def engine_weights(coefficients, rgb8):
    """Full-resolution soft weights: engine_q clamped to [0, 1] and renormalised, so presets blend
    where the refined map is between them (soft where the photo's edge is soft)."""
    return renormalise(engine_q(coefficients, rgb8).clamp(0, 1))
