#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/moco_test.cpp compares the mocov3 and
mocov2 methods against: tests/plugins/data/moco.safetensors, mocov3's cases with
make_byol_golden.py's case machinery (online_target_case: the heads, the step, the SGD step
and the target update), mocov2's with mocov2_case.

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

MoCo v2's follow the official code of MoCo v1 and v2 (facebookresearch/moco):

    main_moco.py, --mlp:               encoder.fc = Sequential(Linear(dim_mlp, dim_mlp), ReLU(), fc),
                                       fc = Linear(dim_mlp, dim), nn.Linear's biases
    moco/builder.py, MoCo.__init__:    queue = normalize(randn(dim, K), dim=0), queue_ptr = 0
    moco/builder.py, MoCo.forward:     q = normalize(encoder_q(im_q)); k = normalize(encoder_k(im_k))
                                       under no_grad; l_pos = einsum('nc,nc->n', q, k)[:, None];
                                       l_neg = einsum('nc,ck->nk', q, queue); logits = cat([l_pos,
                                       l_neg], 1) / T; labels zeros; CrossEntropyLoss
    moco/builder.py, _dequeue_and_enqueue: queue[:, ptr:ptr + B] = keys.T; ptr = (ptr + B) % K
    moco/builder.py, _momentum_update_key_encoder: param_k = param_k * m + param_q * (1 - m)

The mocov2 cases store, besides the projector's state and its ".grad"s: x (the query
features), t (the key features), key_projector.<name> (a copy of the projector), queue,
queue_ptr, loss, x.grad, queue.updated and queue_ptr.updated (after the enqueue), and
key_projector.<parameter>.followed (after the SGD step of rate LR and one update at
MOCOV2_M).
"""

import copy
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_byol_golden import HERE, LR, MAX_STEPS, STEP, online_target_case, write
from make_golden import case_generator
from two_view_golden import case_start

DATA_PATH = os.path.join(HERE, "data", "moco.safetensors")
MOCO_M = 0.9  # the base momentum (0.99 in the official ResNet-50 recipe; lower so one update shows)

MOCOV2_M = 0.9  # the key projector's momentum (0.999 in the official recipe; lower so one update shows)
MOCOV2_CASES = {
    "v2_paper": dict(batch=4, features=6, proj_hidden=6, proj_dim=5, queue=8, temperature=0.2, queue_ptr=4),
    "v1_temperature": dict(batch=3, features=4, proj_hidden=7, proj_dim=3, queue=9, temperature=0.07, queue_ptr=0),
}

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


def mocov2_case(key, c):
    """One MoCo v2 step on query features x and key features t, as MoCo.forward, then the
    enqueue, an SGD step of the projector and the key projector's momentum update."""
    def heads():
        return nn.ModuleDict({"projector": nn.Sequential(nn.Linear(c["features"], c["proj_hidden"]), nn.ReLU(),
                                                         nn.Linear(c["proj_hidden"], c["proj_dim"]))})

    heads, x, _, out = case_start(key, heads, c["batch"], c["features"], spread=0.5)
    del out["x1"], out["x2"]
    key_projector = copy.deepcopy(heads["projector"]).requires_grad_(False)
    for name, value in list(out.items()):
        out["key_" + name] = value.clone()
    generator = case_generator(key + "/key")
    t = x.detach().float() + 0.3 * torch.randn(c["batch"], c["features"], generator=generator)
    queue = F.normalize(torch.randn(c["proj_dim"], c["queue"], generator=generator), dim=0)
    out.update({"x": x.detach().float(), "t": t, "queue": queue.clone(),
                "queue_ptr": torch.tensor([float(c["queue_ptr"])])})
    queue = queue.double()

    q = F.normalize(heads["projector"](x), dim=1)
    with torch.no_grad():
        k = F.normalize(key_projector(t.double()), dim=1)
    l_pos = torch.einsum('nc,nc->n', [q, k]).unsqueeze(-1)
    l_neg = torch.einsum('nc,ck->nk', [q, queue.clone().detach()])
    logits = torch.cat([l_pos, l_neg], dim=1) / c["temperature"]
    loss = nn.CrossEntropyLoss()(logits, torch.zeros(logits.shape[0], dtype=torch.long))
    loss.backward()
    out["loss"], out["x.grad"] = loss.detach(), x.grad
    for name, param in heads.named_parameters():
        out[name + ".grad"] = param.grad

    ptr = c["queue_ptr"]
    queue[:, ptr:ptr + c["batch"]] = k.T
    out["queue.updated"] = queue
    out["queue_ptr.updated"] = torch.tensor([float((ptr + c["batch"]) % c["queue"])])
    with torch.no_grad():
        for param in heads.parameters():
            param -= LR * param.grad
        for (name, param_k), param_q in zip(key_projector.named_parameters(), heads["projector"].parameters()):
            out[f"key_projector.{name}.followed"] = moco_follow(param_k, param_q, MOCOV2_M)
    return {f"{key.split('/')[-1]}.{k}": v.detach().float().contiguous() for k, v in out.items()}


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
    cases += [mocov2_case(f"mocov2/{name}", c) for name, c in MOCOV2_CASES.items()]
    write(DATA_PATH, "tests/plugins/make_moco_golden.py", cases)


if __name__ == "__main__":
    main()
