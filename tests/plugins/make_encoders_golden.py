#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/encoders_test.cpp compares the encoders with.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_encoders_golden.py

It builds small PyTorch modules equivalent to the encoder plugins, with the plugins'
parameter names, and writes tests/plugins/data/encoders.safetensors. For each case
(mlp, mlp_tokens, convnet, vit) it stores, under "<case>.<name>":

    state.<parameter or buffer>   the module's state_dict before the forward pass
    input, mask                   the images (B, 1, 8, 8) and, with tokens, the mask (B, T)
    features, tokens, blocks.<i>  the outputs (train mode: batch norm by batch statistics)
    feature_weight                w, for the loss sum(w * features)
    grad.<parameter>              d loss / d parameter
    updated.<buffer>              batch-norm running statistics after the forward pass

Parameters are drawn in float32 from a seeded generator and the modules evaluated in
float64, so the reference carries no float32 rounding of its own. The file is written
by tests/golden/make_golden.py's safetensors writer; rerunning rewrites identical bytes.
"""

import os
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from make_golden import write_safetensors  # noqa: E402

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "encoders.safetensors")
GENERATOR = "tests/plugins/make_encoders_golden.py"
SEED = 20240612
BATCH = 3


def patchify(x, patch):
    """(B, C, H, W) -> (B, T, C*P*P), patches row-major, values in (c, py, px) order."""
    return F.unfold(x, patch, stride=patch).transpose(1, 2)


def replace_masked(tokens, mask, mask_token):
    return torch.where(mask.unsqueeze(-1) != 0, mask_token.expand_as(tokens), tokens)


class MlpLayer(nn.Module):
    def __init__(self, d_in, d_out, batch_norm):
        super().__init__()
        self.fc = nn.Linear(d_in, d_out)
        if batch_norm:
            self.bn = nn.BatchNorm1d(d_out)


class Mlp(nn.Module):
    """mlp: Linear -> BatchNorm1d -> ReLU per hidden layer, then a Linear."""

    def __init__(self, d_in, hidden, out_dim):
        super().__init__()
        widths = [d_in] + hidden
        self.layers = nn.ModuleList([MlpLayer(a, b, True) for a, b in zip(widths, widths[1:])])
        self.layers.append(MlpLayer(widths[-1], out_dim, False))

    def forward(self, x, mask):
        h = x.flatten(1)
        for layer in self.layers[:-1]:
            h = F.relu(layer.bn(layer.fc(h)))
        return self.layers[-1].fc(h), None, []


class TokenMlp(nn.Module):
    """mlp with patch > 0: ReLU(W token + b) per layer on every patch token."""

    def __init__(self, channels, patch, layers, dim):
        super().__init__()
        self.patch = patch
        self.mask_token = nn.Parameter(torch.zeros(1, 1, channels * patch * patch))
        widths = [channels * patch * patch] + [dim] * layers
        self.layers = nn.ModuleList([MlpLayer(a, b, False) for a, b in zip(widths, widths[1:])])

    def forward(self, x, mask):
        h = replace_masked(patchify(x, self.patch), mask, self.mask_token)
        blocks = []
        for layer in self.layers:
            h = F.relu(layer.fc(h))
            blocks.append(h)
        return h.mean(1), h, blocks


class Stage(nn.Module):
    def __init__(self, d_in, d_out, stride):
        super().__init__()
        self.conv = nn.Conv2d(d_in, d_out, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(d_out)


class ConvNet(nn.Module):
    """convnet: 3x3 conv (no bias) -> BatchNorm2d -> ReLU per stage, global average pool."""

    def __init__(self, channels, strides):
        super().__init__()
        widths = [1] + channels
        self.stages = nn.ModuleList([Stage(a, b, s) for a, b, s in zip(widths, widths[1:], strides)])

    def forward(self, x, mask):
        h = x
        for stage in self.stages:
            h = F.relu(stage.bn(stage.conv(h)))
        return h.mean((2, 3)), None, []


class PatchEmbed(nn.Module):
    def __init__(self, channels, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, patch)


class BlockMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = BlockMlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.norm2(x))))


class Vit(nn.Module):
    """vit: patch embedding, class token, learned positions, pre-norm blocks, final LayerNorm."""

    def __init__(self, channels, size, dim, depth, heads, patch, mlp_ratio):
        super().__init__()
        tokens = (size // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens + 1, dim))
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.patch_embed = PatchEmbed(channels, dim, patch)
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x, mask):
        h = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        h = replace_masked(h, mask, self.mask_token)
        h = torch.cat([self.cls_token.expand(h.shape[0], -1, -1), h], 1) + self.pos_embed
        blocks = []
        for block in self.blocks:
            h = block(h)
            blocks.append(h[:, 1:])
        h = self.norm(h)
        return h[:, 0], h[:, 1:], blocks


def randomize(module, generator):
    """Draws every parameter, so that no weight is 1 and no bias 0 by default."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            noise = torch.randn(p.shape, generator=generator)
            if name.endswith(("norm1.weight", "norm2.weight", "norm.weight", "bn.weight")):
                p.copy_(1.0 + 0.2 * noise)
            elif p.dim() == 1:
                p.copy_(0.2 * noise)
            else:
                p.copy_(noise / p[0].numel() ** 0.5)


def case(name, module, mask_tokens):
    generator = torch.Generator().manual_seed(SEED + zlib.crc32(name.encode()))
    randomize(module, generator)
    x = torch.randn(BATCH, 1, 8, 8, generator=generator)
    mask = None
    if mask_tokens:
        mask = (torch.rand(BATCH, mask_tokens, generator=generator) < 0.5).float()
        mask[0, 0], mask[0, 1] = 1.0, 0.0  # at least one masked and one visible token
    out = {f"{name}.state.{k}": v.clone() for k, v in module.state_dict().items()}
    module = module.double().train()
    features, tokens, blocks = module(x.double(), None if mask is None else mask.double())
    weight = torch.randn(features.shape, generator=generator)
    loss = (weight.double() * features).sum()
    loss.backward()
    out[f"{name}.input"] = x
    if mask_tokens:
        out[f"{name}.mask"] = mask
    out[f"{name}.features"] = features
    if tokens is not None:
        out[f"{name}.tokens"] = tokens
    for i, block in enumerate(blocks):
        out[f"{name}.blocks.{i}"] = block
    out[f"{name}.feature_weight"] = weight
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad
    for k, b in module.named_buffers():
        if "running" in k:
            out[f"{name}.updated.{k}"] = b
    return out


def main():
    torch.manual_seed(SEED)
    tensors = {}
    tensors.update(case("mlp", Mlp(64, [16], 8), 0))
    tensors.update(case("mlp_tokens", TokenMlp(1, 4, 2, 8), 4))
    tensors.update(case("convnet", ConvNet([4, 8], [1, 2]), 0))
    tensors.update(case("vit", Vit(1, 8, dim=8, depth=2, heads=2, patch=4, mlp_ratio=4.0), 4))
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "compute": "float64", "stored": "float32"}
    write_safetensors(PATH, tensors, metadata)
    print(f"{PATH}: {len(tensors)} tensors")


if __name__ == "__main__":
    main()
