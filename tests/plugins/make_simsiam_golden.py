#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/simsiam_test.cpp compares the simsiam
method against: tests/plugins/data/simsiam.safetensors.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_simsiam_golden.py

Each case builds SimSiam's heads as the reference implementation does (facebookresearch/
simsiam, builder.py), at small sizes: a projector nn.Sequential of Linear (no bias before a
batch norm), BatchNorm1d and ReLU layers ending in BatchNorm1d(affine=False), and a
predictor Linear(bias=False), BatchNorm1d, ReLU, Linear (builder.py lines 39-42). The case
"oxicuda" builds the heads of oxicuda-ssl's SimSiam instead (src/ssl/sim_siam.rs, lines
10-11 and SimSiam::predict): no batch norm anywhere, every Linear with its bias, projection
and prediction L2-normalised, so p = L2(W2 ReLU(W1 z + b1) + b2). Weights are drawn in float32 from
a generator seeded by the case name (PyTorch's default initialisation, batch-norm weights
and biases perturbed so they matter); the forward and backward run in float64 in training
mode, so the reference carries no float32 rounding of its own. For two fixed feature
batches x1, x2 it computes

    z = projector(x), p = predictor(z),
    loss = (D(p1, z2.detach()) + D(p2, z1.detach())) / 2,  D(p, z) = -cos(p, z).mean()

and stores, under "<case>.<name>":

    x1, x2                      the two views' features (B, F)
    <parameter or buffer>       the heads' state before the step (PyTorch names,
                                "projector.0.weight", "predictor.1.running_mean", ...)
    loss                        the symmetric loss
    collapse_std                std over the batch of each coordinate of normalize(z1),
                                averaged over coordinates (torch.std, unbiased)
    x1.grad, x2.grad,
    <parameter>.grad            d loss / d that tensor
    <buffer>.updated            running statistics after the step (four batch-norm
                                applications per step: projector on x1 then x2, predictor
                                on z1 then z2)

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

DATA_PATH = os.path.join(HERE, "data", "simsiam.safetensors")

# name -> (batch, feature_dim, proj_hidden, proj_dim, proj_layers, proj_bn, pred_dim, pred_bn, normalize_outputs)
CASES = {
    "paper": dict(batch=6, features=6, proj_hidden=8, proj_dim=5, proj_layers=3, proj_bn=True, pred_dim=4,
                  pred_bn=True, normalize_outputs=False),
    "no_bn_normalized": dict(batch=5, features=7, proj_hidden=6, proj_dim=4, proj_layers=2, proj_bn=False, pred_dim=3,
                             pred_bn=True, normalize_outputs=True),
    "oxicuda": dict(batch=5, features=6, proj_hidden=7, proj_dim=4, proj_layers=2, proj_bn=False, pred_dim=3,
                    pred_bn=False, normalize_outputs=True),
}


def projector(c):
    widths = [c["features"]] + [c["proj_hidden"]] * (c["proj_layers"] - 1) + [c["proj_dim"]]
    layers = []
    for i in range(len(widths) - 1):
        last = i == len(widths) - 2
        layers.append(nn.Linear(widths[i], widths[i + 1], bias=not c["proj_bn"]))
        if c["proj_bn"]:
            layers.append(nn.BatchNorm1d(widths[i + 1], affine=not last))
        if not last:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def predictor(c):
    if not c["pred_bn"]:
        return nn.Sequential(nn.Linear(c["proj_dim"], c["pred_dim"]), nn.ReLU(), nn.Linear(c["pred_dim"], c["proj_dim"]))
    return nn.Sequential(nn.Linear(c["proj_dim"], c["pred_dim"], bias=False), nn.BatchNorm1d(c["pred_dim"]), nn.ReLU(),
                         nn.Linear(c["pred_dim"], c["proj_dim"]))


def make_case(name, c):
    heads, x1, x2, out = case_start(
        f"simsiam/{name}", lambda: nn.ModuleDict({"projector": projector(c), "predictor": predictor(c)}), c["batch"],
        c["features"], spread=0.5)

    def maybe_normalize(t):
        return F.normalize(t, dim=-1) if c["normalize_outputs"] else t

    z1 = maybe_normalize(heads["projector"](x1))
    z2 = maybe_normalize(heads["projector"](x2))
    p1 = maybe_normalize(heads["predictor"](z1))
    p2 = maybe_normalize(heads["predictor"](z2))

    def distance(p, z):
        return -F.cosine_similarity(p, z, dim=-1).mean()

    loss = (distance(p1, z2.detach()) + distance(p2, z1.detach())) / 2
    loss.backward()

    out["loss"] = loss.detach()
    out["collapse_std"] = F.normalize(z1.detach(), dim=-1).std(dim=0).mean()
    out.update(step_tensors(heads, x1, x2))
    return {f"{name}.{k}": v for k, v in out.items()}


def main():
    tensors = {}
    for name, c in CASES.items():
        tensors.update(make_case(name, c))
    os.makedirs(os.path.dirname(DATA_PATH), exist_ok=True)
    write_safetensors(DATA_PATH, tensors, {"generator": "tests/plugins/make_simsiam_golden.py",
                                           "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors to {DATA_PATH}")


if __name__ == "__main__":
    main()
