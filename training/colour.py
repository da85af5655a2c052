"""sRGB <-> CIELab (D65), identical to scikit-image's rgb2lab/lab2rgb, in torch.

Tensors are channel-first (..., 3, H, W) or channel-last via the `dim` argument.
The network works in "unit Lab": L/100, a/110, b/110 (the loss units, Huber delta 0.04),
and feeds the colour features Lab scaled to ~[-1, 1]: (L/50 - 1, a/110, b/110).
"""
import torch

XYZ_FROM_RGB = torch.tensor([[0.412453, 0.357580, 0.180423],
                             [0.212671, 0.715160, 0.072169],
                             [0.019334, 0.119193, 0.950227]], dtype=torch.float64)
WHITE_D65 = (0.95047, 1.0, 1.08883)
LAB_UNIT = (100.0, 110.0, 110.0)  # Lab / LAB_UNIT = unit Lab (loss units)


def _move(x, dim):
    return x.movedim(dim, -1)


def rgb_to_lab(rgb: torch.Tensor, dim: int = -3) -> torch.Tensor:
    """sRGB in [0,1] -> Lab (L in [0,100])."""
    x = _move(rgb, dim)
    lin = torch.where(x > 0.04045, ((x + 0.055) / 1.055) ** 2.4, x / 12.92)
    xyz = lin @ XYZ_FROM_RGB.to(lin).T
    xyz = xyz / torch.tensor(WHITE_D65, dtype=lin.dtype, device=lin.device)
    f = torch.where(xyz > 0.008856, xyz.clamp_min(1e-12) ** (1.0 / 3.0), 7.787 * xyz + 16.0 / 116.0)
    L = 116.0 * f[..., 1] - 16.0
    a = 500.0 * (f[..., 0] - f[..., 1])
    b = 200.0 * (f[..., 1] - f[..., 2])
    return torch.stack([L, a, b], -1).movedim(-1, dim)


def lab_to_rgb(lab: torch.Tensor, dim: int = -3) -> torch.Tensor:
    """Lab -> sRGB clipped to [0,1]."""
    x = _move(lab, dim)
    fy = (x[..., 0] + 16.0) / 116.0
    fx = fy + x[..., 1] / 500.0
    fz = fy - x[..., 2] / 200.0
    fz = fz.clamp_min(0.0)
    f = torch.stack([fx, fy, fz], -1)
    xyz = torch.where(f > 0.2068966, f ** 3, (f - 16.0 / 116.0) / 7.787)
    xyz = xyz * torch.tensor(WHITE_D65, dtype=x.dtype, device=x.device)
    lin = xyz @ torch.linalg.inv(XYZ_FROM_RGB).to(x).T
    rgb = torch.where(lin > 0.0031308, 1.055 * lin.clamp_min(1e-12) ** (1 / 2.4) - 0.055, 12.92 * lin)
    return rgb.clamp(0.0, 1.0).movedim(-1, dim)


def lab_to_unit(lab: torch.Tensor, dim: int = -3) -> torch.Tensor:
    s = torch.tensor(LAB_UNIT, dtype=lab.dtype, device=lab.device)
    return (_move(lab, dim) / s).movedim(-1, dim)


def unit_to_lab(u: torch.Tensor, dim: int = -3) -> torch.Tensor:
    s = torch.tensor(LAB_UNIT, dtype=u.dtype, device=u.device)
    return (_move(u, dim) * s).movedim(-1, dim)


def unit_to_feature(u: torch.Tensor, dim: int = -3) -> torch.Tensor:
    """Unit Lab -> colour-feature scaling (L/50 - 1, a/110, b/110)."""
    x = _move(u, dim)
    return torch.stack([2.0 * x[..., 0] - 1.0, x[..., 1], x[..., 2]], -1).movedim(-1, dim)
