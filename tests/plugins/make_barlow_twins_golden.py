#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/barlow_twins_test.cpp compares the
barlow_twins method against: tests/plugins/data/barlow_twins.safetensors.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_barlow_twins_golden.py

Written from the official code (facebookresearch/barlowtwins, main.py), independently of
sslflow's construction: the projector and the affine-free output norm are
BarlowTwins.__init__'s (Linear(bias=False), BatchNorm1d, ReLU for all but the last layer,
then Linear(bias=False); self.bn = BatchNorm1d(affine=False)), the loss its
BarlowTwins.forward on one process (all_reduce is the identity and args.batch_size is the
batch), and off_diagonal() its flattened-view trick:

    c = bn(z1).T @ bn(z2) / N
    on_diag = (diagonal(c) - 1)^2.sum()
    off_diag = off_diagonal(c)^2.sum()
    loss = on_diag + lambd * off_diag

Cases ("<case>.<name>"): the module (projector and bn) built under torch's seed for the
case, the projector's batch norms' weights and biases perturbed so that they matter, and
two fixed feature batches x1, x2 (B, F) (two_view_golden.py), run in float64 in training
mode (the projector and bn see x1's branch, then x2's), storing

    x1, x2                      the two views' features
    <parameter or buffer>       the state before the step ("projector.0.weight", "bn.running_mean", ...)
    loss                        the loss
    on_diagonal, off_diagonal   on_diag and off_diag, off_diag before lambd
    collapse_std                std over the batch of each coordinate of normalize(z1),
                                averaged over coordinates (torch.std, unbiased)
    x1.grad, x2.grad,
    <parameter>.grad            d loss / d that tensor
    <buffer>.updated            running statistics after the step

The file is written with tests/golden/make_golden.py's safetensors writer; rerunning the
script rewrites identical bytes.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import write_safetensors  # noqa: E402
from two_view_golden import case_start, step_tensors  # noqa: E402

DATA_PATH = os.path.join(HERE, "data", "barlow_twins.safetensors")

CASES = {
    "paper": dict(batch=6, features=5, proj_hidden=8, proj_dim=4, proj_layers=3, lambd=0.0051),
    "two_layers_heavy_lambda": dict(batch=7, features=6, proj_hidden=7, proj_dim=5, proj_layers=2, lambd=0.5),
}


def barlow_twins_heads(c):
    """BarlowTwins.__init__'s projector and self.bn, for widths F-hidden-...-dim."""
    sizes = [c["features"]] + [c["proj_hidden"]] * (c["proj_layers"] - 1) + [c["proj_dim"]]
    layers = []
    for i in range(len(sizes) - 2):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], bias=False))
        layers.append(nn.BatchNorm1d(sizes[i + 1]))
        layers.append(nn.ReLU(inplace=True))
    layers.append(nn.Linear(sizes[-2], sizes[-1], bias=False))
    return nn.ModuleDict({"projector": nn.Sequential(*layers), "bn": nn.BatchNorm1d(sizes[-1], affine=False)})


def off_diagonal(x):
    """main.py's off_diagonal: the flattened off-diagonal entries of a square matrix."""
    n, m = x.shape
    assert n == m
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def barlow_twins_terms(bn, z1, z2):
    """BarlowTwins.forward after the projector, on one process."""
    c = bn(z1).T @ bn(z2)
    c = c / z1.shape[0]
    on_diag = torch.diagonal(c).add(-1).pow(2).sum()
    off_diag = off_diagonal(c).pow(2).sum()
    return on_diag, off_diag


def method_case(name, c):
    heads, x1, x2, out = case_start(f"barlow_twins/{name}", lambda: barlow_twins_heads(c), c["batch"],
                                    c["features"], spread=0.7)
    z1 = heads["projector"](x1)
    z2 = heads["projector"](x2)
    on_diag, off_diag = barlow_twins_terms(heads["bn"], z1, z2)
    loss = on_diag + c["lambd"] * off_diag
    loss.backward()

    out["loss"] = loss.detach()
    out["on_diagonal"] = on_diag.detach()
    out["off_diagonal"] = off_diag.detach()
    out["collapse_std"] = F.normalize(z1.detach(), dim=-1).std(dim=0).mean()
    out.update(step_tensors(heads, x1, x2))
    return {f"{name}.{k}": v for k, v in out.items()}


def main():
    tensors = {}
    for name, c in CASES.items():
        tensors.update(method_case(name, c))
    os.makedirs(os.path.dirname(DATA_PATH), exist_ok=True)
    write_safetensors(DATA_PATH, tensors, {"generator": "tests/plugins/make_barlow_twins_golden.py",
                                           "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors to {DATA_PATH}")


if __name__ == "__main__":
    main()
