#!/usr/bin/python3
"""Writes the PyTorch reference tensors that tests/plugins/data2vec_test.cpp compares against.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_data2vec_golden.py

Each case fixes small float32 inputs (student tokens (B, T, D), the teacher's block outputs,
a mask (B, T) and, with a linear head, its weight and bias), computes data2vec's target and
loss in float64 as the fairseq data2vec recipe does, and stores under "<case>.<name>":

    student, blocks.<l>, mask, head.weight, head.bias   the inputs
    target                                             (N, D) at the N masked tokens
    loss                                               the scalar loss
    student.grad, head.weight.grad, head.bias.grad     d loss / d each

The target is the average of the last top_k blocks, each optionally layer-normalised per
token without affine parameters, then normalised: per token by layer norm, or per feature
by the root mean square over the masked tokens (eps 1e-8), or not at all. The loss is
smooth-L1 with beta 2 between the (optionally linear-headed) student tokens and the target
at the masked tokens, averaged over features and then over masked tokens.

The file is written with tests/golden/make_golden.py's safetensors writer; rerunning the
script rewrites identical bytes.
"""

import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import write_safetensors  # noqa: E402

OUT = os.path.join(HERE, "data", "data2vec.safetensors")
SEED = 20240612
BETA = 2.0

# name, batch, tokens, dim, blocks, top_k, instance_norm_blocks, target_norm, head
CASES = [
    ("vision", 2, 5, 4, 3, 2, True, "layer_norm", "linear"),
    ("tokens", 2, 4, 3, 2, 1, False, "rms", "none"),
    ("all_blocks", 3, 4, 5, 3, 3, True, "none", "linear"),
]


def target_of(blocks, mask, top_k, instance_norm_blocks, target_norm):
    """data2vec's target (N, D) at the masked tokens, from blocks [(B, T, D)]."""
    chosen = blocks[-top_k:]
    if instance_norm_blocks:
        chosen = [F.layer_norm(b, b.shape[-1:]) for b in chosen]
    y = sum(chosen) / len(chosen)
    y = y[mask.bool()]  # (N, D)
    if target_norm == "layer_norm":
        y = F.layer_norm(y, y.shape[-1:])
    elif target_norm == "rms":
        y = y / torch.sqrt(y.pow(2).mean(dim=0, keepdim=True) + 1e-8)
    return y


def make_case(generator, name, batch, tokens, dim, block_count, top_k, instance_norm_blocks, target_norm, head):
    out = {}
    student = torch.randn(batch, tokens, dim, generator=generator) * 2.0
    blocks = [torch.randn(batch, tokens, dim, generator=generator) * 1.5 + 0.5 for _ in range(block_count)]
    mask = torch.zeros(batch, tokens)
    for b in range(batch):
        order = torch.randperm(tokens, generator=generator)[: (tokens + 1) // 2]
        mask[b, order] = 1.0
    out["student"] = student
    for i, block in enumerate(blocks):
        out["blocks.%d" % i] = block
    out["mask"] = mask

    s = student.double().requires_grad_()
    params = {}
    if head == "linear":
        bound = 1.0 / dim ** 0.5
        params["head.weight"] = (torch.rand(dim, dim, generator=generator) * 2 - 1) * bound
        params["head.bias"] = (torch.rand(dim, generator=generator) * 2 - 1) * bound
        out.update(params)
    leaves = {k: v.double().requires_grad_() for k, v in params.items()}

    y = target_of([b.double() for b in blocks], mask, top_k, instance_norm_blocks, target_norm)
    pred = s[mask.bool()]
    if head == "linear":
        pred = F.linear(pred, leaves["head.weight"], leaves["head.bias"])
    loss = F.smooth_l1_loss(pred, y, beta=BETA, reduction="none").mean(dim=-1).mean()
    loss.backward()
    out["target"] = y
    out["loss"] = loss.detach()
    out["student.grad"] = s.grad
    for k, v in leaves.items():
        out[k + ".grad"] = v.grad
    differences = (pred - y).abs()
    assert (differences < BETA).any() and (differences > BETA).any(), name + ": both smooth-L1 regimes"
    return {name + "." + k: v for k, v in out.items()}


def main():
    generator = torch.Generator().manual_seed(SEED)
    tensors = {}
    for case in CASES:
        tensors.update(make_case(generator, *case))
    metadata = {"generator": "tests/plugins/make_data2vec_golden.py", "torch": torch.__version__, "beta": str(BETA)}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_safetensors(OUT, tensors, metadata)


if __name__ == "__main__":
    main()
