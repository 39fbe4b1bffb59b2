#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/moco_test.cpp compares the mocov3 method
against: tests/plugins/data/moco.safetensors, with make_byol_golden.py's case machinery
(online_target_case: the heads, the step, the SGD step and the target update).

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_moco_golden.py

The formulas follow MoCo v3's official code (facebookresearch/moco-v3):

    moco/builder.py, MoCo._build_mlp:  Linear(bias=False), BatchNorm1d, ReLU per hidden layer;
                                       the last Linear(bias=False), then BatchNorm1d(affine=False)
                                       when last_bn (the projector; not the predictor)
    moco/builder.py, contrastive_loss: q, k = normalize(q), normalize(k); logits = einsum('nc,mc->nm',
                                       q, k) / T; CrossEntropyLoss()(logits, arange(N)) * (2 * T),
                                       one process (concat_all_gather is the identity, rank 0)
    moco/builder.py, MoCo.forward:     contrastive_loss(q1, k2) + contrastive_loss(q2, k1), the
                                       keys computed under no_grad
    moco/builder.py, _update_momentum_encoder: param_m = param_m * m + param_b * (1 - m),
                                       parameters only
    main_moco.py, adjust_moco_momentum: m = 1 - 0.5 * (1 + cos(pi * epoch / epochs)) * (1 - moco_m)

at small sizes, the projector as MoCo's (last_bn) and the predictor as MoCo_ResNet's
(last_bn=False). Stored tensors as make_byol_golden.py describes, under "<case>.<name>".
"""

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_byol_golden import HERE, LR, MAX_STEPS, STEP, online_target_case, write

DATA_PATH = os.path.join(HERE, "data", "moco.safetensors")
MOCO_M = 0.9  # the base momentum (0.99 in the official ResNet-50 recipe; lower so one update shows)

CASES = {
    "paper": dict(batch=6, features=6, proj_hidden=8, proj_dim=5, proj_layers=3, pred_hidden=7, temperature=0.2),
    "two_layers": dict(batch=5, features=4, proj_hidden=9, proj_dim=6, proj_layers=2, pred_hidden=10,
                       temperature=1.0),
}


def adjust_moco_momentum(epoch, epochs, moco_m):
    """main_moco.py, adjust_moco_momentum."""
    return 1.0 - 0.5 * (1.0 + math.cos(math.pi * epoch / epochs)) * (1.0 - moco_m)


def build_mlp(num_layers, input_dim, mlp_dim, output_dim, last_bn=True):
    """moco/builder.py, MoCo._build_mlp."""
    mlp = []
    for layer in range(num_layers):
        dim1 = input_dim if layer == 0 else mlp_dim
        dim2 = output_dim if layer == num_layers - 1 else mlp_dim
        mlp.append(nn.Linear(dim1, dim2, bias=False))
        if layer < num_layers - 1:
            mlp.append(nn.BatchNorm1d(dim2))
            mlp.append(nn.ReLU(inplace=True))
        elif last_bn:
            mlp.append(nn.BatchNorm1d(dim2, affine=False))
    return nn.Sequential(*mlp)


def contrastive_loss(q, k, temperature):
    """moco/builder.py, MoCo.contrastive_loss, in one process."""
    q = F.normalize(q, dim=1)
    k = F.normalize(k, dim=1)
    logits = torch.einsum('nc,mc->nm', [q, k]) / temperature
    labels = torch.arange(logits.shape[0], dtype=torch.long)
    return nn.CrossEntropyLoss()(logits, labels) * (2 * temperature)


def moco_follow(param_m, param_b, m):
    """moco/builder.py, MoCo._update_momentum_encoder."""
    return param_m * m + param_b * (1. - m)


def main():
    momentum = adjust_moco_momentum(STEP, MAX_STEPS, MOCO_M)
    cases = []
    for name, c in CASES.items():
        def heads(c):
            return {"projector": build_mlp(c["proj_layers"], c["features"], c["proj_hidden"], c["proj_dim"]),
                    "predictor": build_mlp(2, c["proj_dim"], c["pred_hidden"], c["proj_dim"], last_bn=False)}

        def loss(q1, q2, k1, k2, t=c["temperature"]):
            return contrastive_loss(q1, k2, t) + contrastive_loss(q2, k1, t)

        cases.append(online_target_case(f"mocov3/{name}", c, heads, loss, momentum, moco_follow))
    write(DATA_PATH, "tests/plugins/make_moco_golden.py", cases)


if __name__ == "__main__":
    main()
