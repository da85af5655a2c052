# Run from the package root: python3 Tests/InferenceTests/Fixtures/make_real_trunk_fixture.py
# Generates Tests/InferenceTests/Fixtures/real-trunk-64.safetensors from the reference trunk
# (training/model.py build_trunk, v1 strides) on the shipped ResNet-50 weights (models/; the same fp32 values as ../shared/weights).
import sys, torch
sys.path.insert(0, '.')
from safetensors.torch import save_file
from training.model import build_trunk
t = build_trunk('models/resnet50-imagenet-trunk.safetensors').eval()
g = torch.Generator().manual_seed(7)
# smooth structure + noise, in [0,1]
yy, xx = torch.meshgrid(torch.arange(64.), torch.arange(64.), indexing='ij')
rgb = torch.stack([0.5 + 0.4 * torch.sin(xx / (5 + c) + c) * torch.cos(yy / (7 - c)) for c in range(3)])
rgb = (rgb + 0.05 * torch.randn(rgb.shape, generator=g)).clamp(0, 1).float()
with torch.no_grad():
    f = t(rgb.unsqueeze(0))
save_file({'rgb': rgb.contiguous(), 'layer2': f['layer2'][0].contiguous(), 'layer3': f['layer3'][0].contiguous()},
          'Tests/InferenceTests/Fixtures/real-trunk-64.safetensors',
          metadata={'source': 'training/model.py build_trunk on resnet50-imagenet-trunk.safetensors, torch fp32 eval, input 1x3x64x64 in [0,1] (normalised inside)'})
print({k: v.shape for k, v in f.items()}, f['layer3'].abs().max())
