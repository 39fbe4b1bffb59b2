#!/usr/bin/python3
"""Writes the torchvision reference that tests/plugins/resnet_test.cpp compares the resnet encoder with.

Run with Debian's PyTorch and torchvision (python3-torch, python3-torchvision):

    /usr/bin/python3 tests/plugins/make_resnet_golden.py

The networks are torchvision's ResNet (torchvision.models.resnet), built by its own
_make_layer from its BasicBlock and Bottleneck, with fc replaced by nn.Identity. Two
things torchvision does not offer are set by a subclass that keeps every module name:
`width`, the channels of the stem and the first stage (torchvision's ResNet has 64), and
the cifar stem for 32x32 images (conv1 3x3 stride 1 padding 1, maxpool nn.Identity; He et
al.'s CIFAR networks and lightly's have this stem, solo-learn pads conv1 by 2). The subclass at width 64 is checked to give exactly
torchvision's resnet18/34/50 state dict (minus fc), names and shapes, before anything is
written.

tests/plugins/data/resnet.safetensors holds, for each case, under "<case>.<name>":

    state.<parameter or buffer>   the state_dict before the forward pass
    input                         the images (B, C, H, W)
    features                      the pooled features (train mode: batch statistics)
    feature_weight                w, for the loss sum(w * features)
    grad.<parameter>              d loss / d parameter
    updated.<buffer>              running_mean, running_var, num_batches_tracked after it

and, as metadata "keys.resnet<depth>", torchvision's resnet<depth>() state dict without
fc, one "<name> <d0,d1,...>" line per tensor, in state_dict order.

Parameters are drawn in float32 from a seeded generator and the networks evaluated in
float64, so the reference carries no float32 rounding of its own. The file is written by
tests/golden/make_golden.py's safetensors writer; rerunning rewrites identical bytes.
"""

import os
import sys
import zlib

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from make_golden import write_safetensors  # noqa: E402

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "resnet.safetensors")
GENERATOR = "tests/plugins/make_resnet_golden.py"
SEED = 20240613
RESIDUAL_SCALE = 0.3
ARCHITECTURES = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]), 50: (Bottleneck, [3, 4, 6, 3])}
TORCHVISION = {18: torchvision.models.resnet18, 34: torchvision.models.resnet34, 50: torchvision.models.resnet50}


class Encoder(ResNet):
    """torchvision's ResNet with `width` stem channels, a choice of stem and no fc."""

    def __init__(self, depth, width, stem, channels):
        nn.Module.__init__(self)
        block, layers = ARCHITECTURES[depth]
        # The attributes torchvision's _make_layer reads, at their ResNet defaults.
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        if stem == "imagenet":
            self.conv1 = nn.Conv2d(channels, width, kernel_size=7, stride=2, padding=3, bias=False)
        else:
            self.conv1 = nn.Conv2d(channels, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1) if stem == "imagenet" else nn.Identity()
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, 2 * width, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * width, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * width, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Identity()


def torchvision_keys(depth):
    """torchvision's resnet<depth>() state dict without fc: name -> shape."""
    state = TORCHVISION[depth]().state_dict()
    return {k: list(v.shape) for k, v in state.items() if not k.startswith("fc.")}


def check_matches_torchvision(depth):
    ours = {k: list(v.shape) for k, v in Encoder(depth, 64, "imagenet", 3).state_dict().items()}
    expected = torchvision_keys(depth)
    if list(ours.items()) != list(expected.items()):
        raise SystemExit(f"resnet{depth}: the subclass at width 64 differs from torchvision's state dict")
    return expected


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def randomize(module, generator):
    """Draws every parameter and running statistic, so that none keeps its default.

    Each block's last batch-norm weight (bn2, or bn3 in a Bottleneck) is drawn around RESIDUAL_SCALE, so that
    the residual branches start small, as zero_init_residual has them start at 0: with
    weights around 1, fifty random layers amplify the gradient of the first ones so much
    that float32 itself (PyTorch's included) no longer resolves them to the tolerances.
    """
    with torch.no_grad():
        for name, t in module.state_dict().items():
            noise = torch.randn(t.shape, generator=generator)
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith(".weight") and t.dim() == 1:
                t.copy_(1.0 + 0.2 * noise)
            elif name.endswith("running_var"):
                t.copy_(1.0 + 0.5 * noise.abs())
            elif t.dim() == 1:
                t.copy_(0.2 * noise)
            else:
                t.copy_(noise / t[0].numel() ** 0.5)
        for block in module.modules():
            if isinstance(block, (BasicBlock, Bottleneck)):
                (block.bn3 if isinstance(block, Bottleneck) else block.bn2).weight.mul_(RESIDUAL_SCALE)


def case(name, depth, width, stem, input_shape):
    generator = torch.Generator().manual_seed(SEED + zlib.crc32(name.encode()))
    module = Encoder(depth, width, stem, input_shape[1])
    randomize(module, generator)
    x = torch.randn(input_shape, generator=generator)
    out = {f"{name}.state.{k}": v.clone() for k, v in module.state_dict().items()}
    module = module.double().train()
    features = module(x.double())
    weight = torch.randn(features.shape, generator=generator)
    (weight.double() * features).sum().backward()
    out[f"{name}.input"] = x
    out[f"{name}.features"] = features
    out[f"{name}.feature_weight"] = weight
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad
    for k, b in module.named_buffers():
        out[f"{name}.updated.{k}"] = b
    return out


def main():
    torch.manual_seed(SEED)
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "compute": "float64", "stored": "float32"}
    for depth in ARCHITECTURES:
        keys = check_matches_torchvision(depth)
        metadata[f"keys.resnet{depth}"] = "".join(f"{k} {','.join(map(str, s))}\n" for k, s in keys.items())
    for stem in ("imagenet", "cifar"):
        print(f"resnet18, {stem} stem, width 64, without fc: {parameter_count(Encoder(18, 64, stem, 3)):,} parameters")
    tensors = {}
    tensors.update(case("resnet18_imagenet", 18, 2, "imagenet", (2, 3, 48, 48)))
    tensors.update(case("resnet18_cifar", 18, 2, "cifar", (2, 3, 16, 12)))
    tensors.update(case("resnet50_imagenet", 50, 2, "imagenet", (2, 1, 64, 64)))
    write_safetensors(PATH, tensors, metadata)
    print(f"{PATH}: {len(tensors)} tensors, {os.path.getsize(PATH):,} bytes")


if __name__ == "__main__":
    main()
