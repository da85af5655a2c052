"""Write the ImageNet trunk that ships with the product: models/resnet50-imagenet-trunk.safetensors.

  python3 -m training.export_trunk [--source ../shared/weights/resnet50-imagenet-trunk.safetensors] \
      [--out models/resnet50-imagenet-trunk.safetensors] [--dtype f16|f32]

The source is the MSRA ResNet-50 (conv1..layer3, torchvision names, MIT licence; provenance in
models/README.md). The shipped file keeps the convolution weights in fp32 (--dtype f32, the default):
fp16 weights (--dtype f16, half the bytes) moved 1-5 % of the output pixels to the other preset at
near-tied map decisions, ΔE up to 28 (models/eval/trunk-precision.json, training.trunk_precision).
Batch-norm tensors are fp32 in either case: bn1.running_var reaches 83 615, beyond fp16's 65 504, and
layer1.0.bn3.running_var holds values near 1e-6, where fp16 keeps only a few bits. The
metadata names the fp32 source by its sha256 (`source_sha256`), the value every head's `trunk_sha256`
carries, so the engine can tell a head trained on these weights from one trained on others.
"""
import argparse
import hashlib
import json
import struct
from pathlib import Path

import numpy as np
from safetensors import safe_open

FORMAT = "resnet50-trunk/1"
SOURCE_SHA256 = "7aee2671da19e570a6fe97197279c957caef7a932ba04823b0d9322d51171023"
ROOT = Path(__file__).resolve().parents[1]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_deterministic(tensors, path, metadata):
    """safetensors with the header's keys sorted: the library's writer orders the metadata by a hash
    map, so the same tensors got another sha256 on every run."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name in sorted(tensors):
        v = tensors[name]
        dtype = {np.dtype(np.float16): "F16", np.dtype(np.float32): "F32"}[v.dtype]
        blob = v.astype(v.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(v.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for blob in blobs:
            f.write(blob)


def is_batch_norm(name):
    return name.startswith("bn1.") or ".bn" in name or ".downsample.1." in name


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=ROOT.parent / "shared/weights/resnet50-imagenet-trunk.safetensors")
    ap.add_argument("--out", type=Path, default=ROOT / "models/resnet50-imagenet-trunk.safetensors")
    ap.add_argument("--dtype", choices=["f16", "f32"], default="f32", help="storage of the convolution weights")
    a = ap.parse_args()

    found = sha256(a.source)
    if found != SOURCE_SHA256:
        raise SystemExit(f"{a.source}: sha256 {found}, expected the MSRA trunk {SOURCE_SHA256}")
    conv_dtype = np.float16 if a.dtype == "f16" else np.float32
    tensors = {}
    with safe_open(str(a.source), "np") as f:
        for name in f.keys():
            v = f.get_tensor(name)
            tensors[name] = np.ascontiguousarray(v.astype(np.float32 if is_batch_norm(name) else conv_dtype))
    metadata = {
        "format": FORMAT,
        "model": "ResNet-50 (He, Zhang, Ren, Sun 2015; MSRA original Caffe release) ImageNet-1k, conv1/bn1/layer1-3",
        "licence": "MIT (weights released by Kaiming He under the MIT licence)",
        "source_sha256": SOURCE_SHA256,
        "storage": f"convolution weights {a.dtype}, batch-norm tensors f32",
        "trunk_strides": "v1 (stride 2 on conv1 of layer2.0 and layer3.0, conv2 stride 1)",
        "trunk_input": "RGB in [0,1], mean 0.485,0.456,0.406 std 0.229,0.224,0.225 (input convention folded into conv1/bn1)",
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    save_deterministic(tensors, a.out, metadata)
    print(f"{a.out}: {len(tensors)} tensors, {a.out.stat().st_size} bytes, sha256 {sha256(a.out)}")


if __name__ == "__main__":
    main()
