#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/vicreg_test.cpp compares the vicreg
method against: tests/plugins/data/vicreg.safetensors.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_vicreg_golden.py

Written from the official code (facebookresearch/vicreg, main_vicreg.py), independently
of sslflow's construction: the expander is its Projector() (Linear with bias, BatchNorm1d,
ReLU for all but the last layer, then Linear(bias=False)), the loss its VICReg.forward
(on one process, so FullGatherLayer is the identity and args.batch_size is the batch),
and off_diagonal() its flattened-view trick:

    repr_loss = F.mse_loss(x, y)
    x, y = x - x.mean(0), y - y.mean(0)
    std_loss = mean(relu(1 - sqrt(x.var(0) + 1e-4))) / 2 + (the same for y) / 2
    cov_loss = off_diagonal(x.T x / (N - 1))^2.sum() / D + (the same for y)
    loss = sim_coeff * repr_loss + std_coeff * std_loss + cov_coeff * cov_loss

Cases ("<case>.<name>"): the expander built under torch's seed for the case, its batch
norms' weights and biases perturbed so that they matter, and two fixed feature batches
x1, x2 (B, F) (two_view_golden.py), run in float64 in training mode (the expander sees x1,
then x2), storing

    x1, x2                      the two views' features
    <parameter or buffer>       the expander's state before the step ("projector.0.weight", ...)
    loss                        the weighted loss
    invariance, variance,
    covariance                  repr_loss, std_loss and cov_loss, unweighted
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

DATA_PATH = os.path.join(HERE, "data", "vicreg.safetensors")

CASES = {
    "paper": dict(batch=6, features=5, proj_hidden=8, proj_dim=4, proj_layers=3,
                  sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0),
    "two_layers_reweighted": dict(batch=5, features=6, proj_hidden=7, proj_dim=3, proj_layers=2,
                                  sim_coeff=10.0, std_coeff=5.0, cov_coeff=2.0),
}


def projector(c):
    """main_vicreg.py's Projector(args, embedding) for mlp widths F-hidden-...-dim."""
    f = [c["features"]] + [c["proj_hidden"]] * (c["proj_layers"] - 1) + [c["proj_dim"]]
    layers = []
    for i in range(len(f) - 2):
        layers.append(nn.Linear(f[i], f[i + 1]))
        layers.append(nn.BatchNorm1d(f[i + 1]))
        layers.append(nn.ReLU(True))
    layers.append(nn.Linear(f[-2], f[-1], bias=False))
    return nn.Sequential(*layers)


def off_diagonal(x):
    """main_vicreg.py's off_diagonal: the flattened off-diagonal entries of a square matrix."""
    n, m = x.shape
    assert n == m
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def vicreg_terms(x, y):
    """main_vicreg.py's VICReg.forward after the projector, on one process."""
    batch_size, num_features = x.shape
    repr_loss = F.mse_loss(x, y)
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    std_x = torch.sqrt(x.var(dim=0) + 0.0001)
    std_y = torch.sqrt(y.var(dim=0) + 0.0001)
    std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
    cov_x = (x.T @ x) / (batch_size - 1)
    cov_y = (y.T @ y) / (batch_size - 1)
    cov_loss = off_diagonal(cov_x).pow_(2).sum().div(num_features) + \
        off_diagonal(cov_y).pow_(2).sum().div(num_features)
    return repr_loss, std_loss, cov_loss


def method_case(name, c):
    heads, x1, x2, out = case_start(f"vicreg/{name}", lambda: nn.ModuleDict({"projector": projector(c)}),
                                    c["batch"], c["features"], spread=0.7)
    z1 = heads["projector"](x1)
    z2 = heads["projector"](x2)
    repr_loss, std_loss, cov_loss = vicreg_terms(z1, z2)
    loss = c["sim_coeff"] * repr_loss + c["std_coeff"] * std_loss + c["cov_coeff"] * cov_loss
    loss.backward()

    out["loss"] = loss.detach()
    out["invariance"] = repr_loss.detach()
    out["variance"] = std_loss.detach()
    out["covariance"] = cov_loss.detach()
    out["collapse_std"] = F.normalize(z1.detach(), dim=-1).std(dim=0).mean()
    out.update(step_tensors(heads, x1, x2))
    return {f"{name}.{k}": v for k, v in out.items()}


def main():
    tensors = {}
    for name, c in CASES.items():
        tensors.update(method_case(name, c))
    os.makedirs(os.path.dirname(DATA_PATH), exist_ok=True)
    write_safetensors(DATA_PATH, tensors, {"generator": "tests/plugins/make_vicreg_golden.py",
                                           "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors to {DATA_PATH}")


if __name__ == "__main__":
    main()
