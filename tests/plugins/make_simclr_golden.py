#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/simclr_test.cpp compares the nt_xent loss
and the simclr method against: tests/plugins/data/simclr.safetensors.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_simclr_golden.py

NT-Xent (SimCLR, Chen et al. 2020) is written here as it is usually written in PyTorch,
independently of sslflow's construction: the 2N L2-normalised projections z = [z1; z2],
logits z z^T / T with the diagonal (self-similarity) set to -inf, and the cross-entropy
of each row i against its other view (i + N) mod 2N, averaged over the 2N rows.

Loss cases ("<case>.<name>"): two fixed batches z1, z2 (N, D) drawn in float32 from a
generator seeded by the case name, a temperature, and

    z1, z2                      the projections
    loss                        NT-Xent at the case's temperature
    z1.grad, z2.grad            d loss / d z1, d loss / d z2

Method cases: SimCLR's projection head as an nn.Sequential of Linear (no bias before a
batch norm), BatchNorm1d and ReLU, ending in a Linear with bias (lightly's
SimCLRProjectionHead), PyTorch's default initialisation with the batch-norm weights and
biases perturbed so they matter (two_view_golden.py). For two fixed feature batches x1, x2
(B, F):

    z = projector(x), loss = NT-Xent(z1, z2)

run in float64 in training mode (the projector sees x1, then x2), storing

    x1, x2                      the two views' features
    <parameter or buffer>       the head's state before the step ("projector.0.weight", ...)
    loss                        the loss
    contrastive_accuracy        the fraction of the 2N anchors whose other view is strictly
                                more similar to them than every other sample is
    collapse_std                std over the batch of each coordinate of normalize(z1),
                                averaged over coordinates (torch.std, unbiased)
    x1.grad, x2.grad,
    <parameter>.grad            d loss / d that tensor
    <buffer>.updated            running statistics after the step

Everything runs in float64, so the reference carries no float32 rounding of its own. The
file is written with tests/golden/make_golden.py's safetensors writer; rerunning the
script rewrites identical bytes.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import case_generator, write_safetensors  # noqa: E402
from two_view_golden import case_start, step_tensors  # noqa: E402

DATA_PATH = os.path.join(HERE, "data", "simclr.safetensors")

# name -> (pairs, dim, temperature)
LOSS_CASES = {
    "loss_t05": dict(pairs=5, dim=4, temperature=0.5),
    "loss_t01": dict(pairs=4, dim=6, temperature=0.1),
}

# name -> (batch, features, proj_hidden, proj_dim, proj_layers, proj_bn, temperature)
METHOD_CASES = {
    "paper": dict(batch=6, features=5, proj_hidden=8, proj_dim=4, proj_layers=2, proj_bn=True, temperature=0.5),
    "three_layers_no_bn": dict(batch=5, features=6, proj_hidden=7, proj_dim=3, proj_layers=3, proj_bn=False,
                               temperature=0.2),
}


def pair_targets(pairs):
    """Row i's other view: i + N for the first N rows, i - N for the last N."""
    return torch.cat([torch.arange(pairs, 2 * pairs), torch.arange(0, pairs)])


def nt_xent(z1, z2, temperature):
    pairs = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = (z @ z.t() / temperature).masked_fill(torch.eye(2 * pairs, dtype=torch.bool), float("-inf"))
    return F.cross_entropy(logits, pair_targets(pairs))


def contrastive_accuracy(z1, z2):
    pairs = z1.shape[0]
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    similarity = z @ z.t()
    targets = pair_targets(pairs)
    positive = similarity[torch.arange(2 * pairs), targets]
    others = similarity.clone()
    others[torch.arange(2 * pairs), torch.arange(2 * pairs)] = float("-inf")
    others[torch.arange(2 * pairs), targets] = float("-inf")
    return (positive > others.max(dim=1).values).double().mean()


def loss_case(name, c):
    generator = case_generator(f"simclr/{name}")
    z1 = torch.randn(c["pairs"], c["dim"], generator=generator)
    z2 = z1 + 0.8 * torch.randn(c["pairs"], c["dim"], generator=generator)
    out = {"z1": z1, "z2": z2}
    z1 = z1.double().requires_grad_()
    z2 = z2.double().requires_grad_()
    loss = nt_xent(z1, z2, c["temperature"])
    loss.backward()
    out.update({"loss": loss.detach(), "z1.grad": z1.grad, "z2.grad": z2.grad})
    return {f"{name}.{k}": v for k, v in out.items()}


def projector(c):
    widths = [c["features"]] + [c["proj_hidden"]] * (c["proj_layers"] - 1) + [c["proj_dim"]]
    layers = []
    for i in range(len(widths) - 2):
        layers.append(nn.Linear(widths[i], widths[i + 1], bias=not c["proj_bn"]))
        if c["proj_bn"]:
            layers.append(nn.BatchNorm1d(widths[i + 1]))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(widths[-2], widths[-1]))
    return nn.Sequential(*layers)


def method_case(name, c):
    heads, x1, x2, out = case_start(f"simclr/{name}", lambda: nn.ModuleDict({"projector": projector(c)}),
                                    c["batch"], c["features"], spread=0.7)
    z1 = heads["projector"](x1)
    z2 = heads["projector"](x2)
    loss = nt_xent(z1, z2, c["temperature"])
    loss.backward()

    out["loss"] = loss.detach()
    out["contrastive_accuracy"] = contrastive_accuracy(z1.detach(), z2.detach())
    out["collapse_std"] = F.normalize(z1.detach(), dim=-1).std(dim=0).mean()
    out.update(step_tensors(heads, x1, x2))
    return {f"{name}.{k}": v for k, v in out.items()}


def main():
    tensors = {}
    for name, c in LOSS_CASES.items():
        tensors.update(loss_case(name, c))
    for name, c in METHOD_CASES.items():
        tensors.update(method_case(name, c))
    os.makedirs(os.path.dirname(DATA_PATH), exist_ok=True)
    write_safetensors(DATA_PATH, tensors, {"generator": "tests/plugins/make_simclr_golden.py",
                                           "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors to {DATA_PATH}")


if __name__ == "__main__":
    main()
