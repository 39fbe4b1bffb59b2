#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/byol_test.cpp compares the byol method
against: tests/plugins/data/byol.safetensors. make_moco_golden.py reuses its case machinery
(online_target_case) for MoCo v3, which shares BYOL's structure.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_byol_golden.py

The formulas follow BYOL's official code (google-deepmind/deepmind-research, byol/):

    utils/helpers.py, regression_loss:  sum((l2_normalize(x) - l2_normalize(y))**2, axis=-1)
    byol_experiment.py, _loss_fn:       regression_loss(online prediction of view 1,
                                        stop_gradient(target projection of view 2)) + the
                                        same with the views swapped, then jnp.mean
    byol_experiment.py, _update_fn:     target_params = tree_map(lambda x, y: x + (1 - tau) *
                                        (y - x), target_params, online_params), parameters
                                        only, after the online optimizer step
    utils/schedules.py, target_ema:     tau = 1 - (1 - base_ema) * (cos(pi * step / max_steps) + 1) / 2

and the heads of byol/networks.py's MLP (hk.Linear(with_bias=True), hk.BatchNorm, relu,
hk.Linear(with_bias=False)) at small sizes, as nn.Sequential modules. The target projector
starts as an exact copy of the online projector; the target network runs in training mode
(batch statistics, and its own running statistics), as the official code's.

Each case stores, under "<case>.<name>" (tests/plugins/two_view_methods.hpp's MethodGolden):

    x1, x2, t1, t2              online and target features of the two views (B, F)
    <parameter or buffer>       the heads' state before the step ("projector.0.weight",
                                "predictor.1.running_mean", "target_projector.0.weight")
    loss, x1.grad, x2.grad, <parameter>.grad
    <buffer>.updated            every buffer after the step (the target projector's
                                parameters, which are buffers of the method, unchanged)
    <target parameter>.followed the target projector's parameters after one SGD step of
                                the online parameters (p -= LR * grad) and one EMA update at
                                tau = target_ema(STEP, base_ema, MAX_STEPS)

Weights are drawn in float32 (two_view_golden.case_start); the step runs in float64. The file
is written with tests/golden/make_golden.py's safetensors writer; rerunning it rewrites
identical bytes.
"""

import copy
import math
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import case_generator, write_safetensors  # noqa: E402
from two_view_golden import case_start  # noqa: E402

DATA_PATH = os.path.join(HERE, "data", "byol.safetensors")
LR = 0.5         # the plain SGD step of the online parameters before the EMA update
STEP = 0         # the step the EMA update follows, of
MAX_STEPS = 2    # the run's steps
BASE_EMA = 0.9   # tau_base (0.996 in the paper; lower here so that one update shows)

CASES = {
    "paper": dict(batch=6, features=6, proj_hidden=8, proj_dim=5, pred_hidden=7),
    "wide": dict(batch=5, features=4, proj_hidden=9, proj_dim=6, pred_hidden=10),
}


def target_ema(step, base_ema, max_steps):
    """byol/utils/schedules.py, target_ema (with _cosine_decay)."""
    decay = 0.5 * (1.0 + math.cos(math.pi * step / max_steps))
    return 1.0 - (1.0 - base_ema) * decay


def l2_normalize(x, axis=-1, epsilon=1e-12):
    """byol/utils/helpers.py, l2_normalize."""
    square_sum = torch.sum(x * x, dim=axis, keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=epsilon))


def regression_loss(x, y):
    """byol/utils/helpers.py, regression_loss: 2 - 2 cos(x, y) per sample."""
    return torch.sum((l2_normalize(x) - l2_normalize(y)) ** 2, dim=-1)


def byol_mlp(input_size, hidden_size, output_size):
    """byol/networks.py, MLP (haiku's BatchNorm decay 0.9 is torch's momentum 0.1)."""
    return nn.Sequential(nn.Linear(input_size, hidden_size, bias=True), nn.BatchNorm1d(hidden_size), nn.ReLU(),
                         nn.Linear(hidden_size, output_size, bias=False))


def byol_heads(c):
    return {"projector": byol_mlp(c["features"], c["proj_hidden"], c["proj_dim"]),
            "predictor": byol_mlp(c["proj_dim"], c["pred_hidden"], c["proj_dim"])}


def byol_loss(q1, q2, k1, k2):
    """byol_experiment.py, _loss_fn."""
    return torch.mean(regression_loss(q1, k2.detach()) + regression_loss(q2, k1.detach()))


def byol_follow(target, online, tau):
    """byol_experiment.py, _update_fn: x + (1 - tau) * (y - x)."""
    return target + (1.0 - tau) * (online - target)


def online_target_case(key, c, build_heads, loss_fn, momentum, follow):
    """One case: online heads build_heads(c) = {projector, predictor} and the target projector, a copy of the
    projector; q = predictor(projector(x)), k = target_projector(t) without gradient, loss =
    loss_fn(q1, q2, k1, k2); then an SGD step of the online parameters and the target
    projector's parameters follow(t, p, momentum). Returns the tensors to store."""
    heads, x1, x2, out = case_start(key, lambda: nn.ModuleDict(build_heads(c)),
                                    c["batch"], c["features"], spread=0.5)
    target_projector = copy.deepcopy(heads["projector"]).requires_grad_(False)
    for name, value in list(out.items()):
        if name.startswith("projector."):
            out["target_" + name] = value.clone()
    generator = case_generator(key + "/target")
    t1 = torch.randn(c["batch"], c["features"], generator=generator)
    t2 = t1 + 0.5 * torch.randn(c["batch"], c["features"], generator=generator)
    out["t1"], out["t2"] = t1, t2

    q1 = heads["predictor"](heads["projector"](x1))
    q2 = heads["predictor"](heads["projector"](x2))
    with torch.no_grad():
        k1 = target_projector(t1.double())
        k2 = target_projector(t2.double())
    loss = loss_fn(q1, q2, k1, k2)
    loss.backward()

    out["loss"] = loss.detach()
    out["x1.grad"], out["x2.grad"] = x1.grad, x2.grad
    for name, param in heads.named_parameters():
        out[name + ".grad"] = param.grad
    for name, buffer in heads.named_buffers():
        out[name + ".updated"] = buffer
    for name, tensor in target_projector.state_dict().items():
        out[f"target_projector.{name}.updated"] = tensor

    with torch.no_grad():
        for param in heads.parameters():
            param -= LR * param.grad
        for (name, target), online in zip(target_projector.named_parameters(), heads["projector"].parameters()):
            out[f"target_projector.{name}.followed"] = follow(target, online, momentum)
    return {f"{key.split('/')[-1]}.{k}": v.detach().float().contiguous() for k, v in out.items()}


def write(path, generator, cases):
    tensors = {}
    for case in cases:
        tensors.update(case)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_safetensors(path, tensors, {"generator": generator, "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors to {path}")


def main():
    momentum = target_ema(STEP, BASE_EMA, MAX_STEPS)
    write(DATA_PATH, "tests/plugins/make_byol_golden.py",
          [online_target_case(f"byol/{name}", c, byol_heads, byol_loss, momentum, byol_follow) for name, c in CASES.items()])


if __name__ == "__main__":
    main()
