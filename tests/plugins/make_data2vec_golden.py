#!/usr/bin/python3
"""Writes the reference tensors that tests/plugins/data2vec_test.cpp compares against.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_data2vec_golden.py

Every formula here is written from the source that defines it, never from sslflow's code:

  fairseq, examples/data2vec/models/data2vec_vision.py (data2vec's vision model):
    lines 300-301  layer_norm_target_layer: F.layer_norm(tl, tl.shape[-1:]) on each block
    lines 305-306  layer_norm_targets:      F.layer_norm(y, y.shape[-1:]) on their average
    lines 308-309  instance_norm_targets:   F.instance_norm(y.transpose(1, 2)).transpose(1, 2)
  fairseq, examples/data2vec/models/data2vec2.py (data2vec 2.0), make_targets:
    lines 727-746  instance_norm_target_layer: each block (B, T, C) -> (B, C, T), F.instance_norm
                   (per sample and channel, over the T tokens), back to (B, T, C)
    lines 753-756  the average of the top K blocks
  stable-pretraining, stable_pretraining/methods/data2vec.py:
    lines 148-151  F.layer_norm of the mean of the top K blocks, no per-block normalisation
    lines 191-194  smooth_l1(beta 2) averaged over the features, then over the masked tokens
  oxicuda-ssl, src/masked/data2vec.rs (titan/oxicuda, crates/oxicuda-ssl):
    lines 178-197  normalize_teacher_targets, on one sample's masked rows:
                   norm_d = sqrt(sum_i y_id^2 / n), y_id *= 1 / (norm_d + 1e-8)
    huber_loss     0.5 x^2 / beta if |x| < beta, else |x| - beta / 2, averaged over elements
    data2vec_loss / data2vec_batch_loss: normalise and score each sample's masked tokens,
                   then average the samples

Each case fixes small float32 inputs (student tokens (B, T, D), the teacher's block outputs,
a mask (B, T) with the same number of masked tokens in every sample and, with a linear head,
its weight and bias) and stores, computed in float64, under "<case>.<name>":

    student, blocks.<l>, mask, head.weight, head.bias   the inputs
    target                                             (N, D) at the N masked tokens, row-major
    loss                                               the scalar loss
    student.grad, head.weight.grad, head.bias.grad     d loss / d each

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
RMS_EPS = 1e-8  # oxicuda-ssl normalize_teacher_targets' EPS

# name, batch, tokens, dim, blocks, top_k, block_norm, target_norm, head
CASES = [
    ("vision", 2, 5, 4, 3, 2, "layer_norm", "layer_norm", "linear"),  # data2vec's vision recipe
    ("v2", 2, 5, 4, 3, 3, "instance_norm", "layer_norm", "linear"),  # data2vec 2.0's image recipe
    ("stable_pretraining", 2, 5, 4, 3, 2, "none", "layer_norm", "linear"),
    ("instance_targets", 2, 6, 3, 2, 2, "none", "instance_norm", "none"),
    ("tokens", 3, 4, 3, 2, 1, "none", "rms", "none"),  # oxicuda-ssl's Data2VecModel
    ("all_blocks", 3, 4, 5, 3, 3, "layer_norm", "none", "linear"),
]


def instance_norm_over_tokens(x):
    """fairseq's F.instance_norm on (B, C, T): per sample and channel, over the tokens."""
    return F.instance_norm(x.transpose(1, 2)).transpose(1, 2)


def block_normalised(block, block_norm):
    if block_norm == "layer_norm":
        return F.layer_norm(block, block.shape[-1:])
    if block_norm == "instance_norm":
        return instance_norm_over_tokens(block)
    return block


def oxicuda_rms_normalised(rows):
    """normalize_teacher_targets on one sample's masked rows (n, D), transcribed loop by loop."""
    n, dim = rows.shape
    out = rows.clone()
    for d in range(dim):
        sum_sq = 0.0
        for i in range(n):
            sum_sq += float(rows[i, d]) ** 2
        scale = 1.0 / ((sum_sq / n) ** 0.5 + RMS_EPS)
        out[:, d] = rows[:, d] * scale
    return out


def oxicuda_huber(pred, target):
    """huber_loss: the mean over every element of one sample's masked rows."""
    x = pred - target
    return torch.where(x.abs() < BETA, 0.5 * x * x / BETA, x.abs() - BETA / 2).mean()


def make_case(generator, name, batch, tokens, dim, block_count, top_k, block_norm, target_norm, head):
    out = {}
    student = torch.randn(batch, tokens, dim, generator=generator) * 2.0
    blocks = [torch.randn(batch, tokens, dim, generator=generator) * 1.5 + 0.5 for _ in range(block_count)]
    mask = torch.zeros(batch, tokens)
    for b in range(batch):
        mask[b, torch.randperm(tokens, generator=generator)[: (tokens + 1) // 2]] = 1.0
    out["student"] = student
    for i, block in enumerate(blocks):
        out["blocks.%d" % i] = block
    out["mask"] = mask

    params = {}
    if head == "linear":
        bound = 1.0 / dim ** 0.5
        params["head.weight"] = (torch.rand(dim, dim, generator=generator) * 2 - 1) * bound
        params["head.bias"] = (torch.rand(dim, generator=generator) * 2 - 1) * bound
        out.update(params)
    leaves = {k: v.double().requires_grad_() for k, v in params.items()}
    s = student.double().requires_grad_()

    chosen = [block_normalised(b.double(), block_norm) for b in blocks[-top_k:]]
    y = sum(chosen) / len(chosen)  # (B, T, D)
    if target_norm == "layer_norm":
        y = F.layer_norm(y, y.shape[-1:])
    elif target_norm == "instance_norm":
        y = instance_norm_over_tokens(y)

    per_sample_targets, per_sample_losses, per_token_losses = [], [], []
    for b in range(batch):
        rows = mask[b].bool()
        target = oxicuda_rms_normalised(y[b][rows]) if target_norm == "rms" else y[b][rows]
        pred = s[b][rows]
        if head == "linear":
            pred = F.linear(pred, leaves["head.weight"], leaves["head.bias"])
        per_sample_targets.append(target)
        per_sample_losses.append(oxicuda_huber(pred, target))
        per_token_losses.append(F.smooth_l1_loss(pred, target, beta=BETA, reduction="none").mean(dim=-1))
    if target_norm == "rms":
        loss = torch.stack(per_sample_losses).mean()  # data2vec_batch_loss
    else:
        loss = torch.cat(per_token_losses).mean()  # stable-pretraining's masked mean
    loss.backward()

    target = torch.cat(per_sample_targets)
    out["target"] = target
    out["loss"] = loss.detach()
    out["student.grad"] = s.grad
    for k, v in leaves.items():
        out[k + ".grad"] = v.grad
    pred_all = s.detach()[mask.bool()]
    if head == "linear":
        pred_all = F.linear(pred_all, leaves["head.weight"].detach(), leaves["head.bias"].detach())
    differences = (pred_all - target).abs()
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
