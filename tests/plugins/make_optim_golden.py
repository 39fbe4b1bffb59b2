#!/usr/bin/python3
"""Writes the PyTorch reference trajectories that tests/plugins/optim_test.cpp compares against.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_optim_golden.py

Each case runs one optimizer for five steps on three float32 parameters named as a module
would name them: linear.weight (3, 4), linear.bias (3,) and proj.weight (2, 2), the last
all zeros (LARS's zero-norm branch). Every step has its own gradients, drawn from a
generator seeded by the case name, and its own learning rate; at step 2 linear.bias gets
no gradient (its .grad is None, so PyTorch leaves it and its state alone). sgd and adamw
are torch.optim.SGD and torch.optim.AdamW with two parameter groups, weight decay only on
the parameters of rank 2 and above unless decay_bias_and_norm is set; lars is the LARS of
SimCLR and BYOL, written out below. The file tests/plugins/data/optim.safetensors holds,
for case C:

    C/lr                  (5,) the learning rate of each step
    C/init/<param>        the parameter before the first step
    C/grad<k>/<param>     its gradient at step k (absent when it has none)
    C/step<k>/<param>     the parameter after step k

The options of each case are repeated in the C++ test. The file is written with
tests/golden/make_golden.py's safetensors writer; rerunning the script rewrites identical
bytes.
"""

import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import case_generator, write_safetensors  # noqa: E402

OUTPUT = os.path.join(HERE, "data", "optim.safetensors")
GENERATOR = "tests/plugins/make_optim_golden.py"
SHAPES = {"linear.weight": (3, 4), "linear.bias": (3,), "proj.weight": (2, 2)}
ZERO_PARAMETERS = {"proj.weight"}
BASE_LRS = [1.0, 0.8, 0.6, 0.4, 0.2]
NO_GRAD = (2, "linear.bias")

# name, plugin, learning-rate scale, options (as the sslflow plugin takes them)
CASES = [
    ("sgd_plain", "sgd", 0.1, dict(momentum=0.0, weight_decay=0.0)),
    ("sgd_momentum", "sgd", 0.1, dict(momentum=0.9, weight_decay=0.0)),
    ("sgd_nesterov", "sgd", 0.1, dict(momentum=0.9, nesterov=True, weight_decay=0.0)),
    ("sgd_weight_decay", "sgd", 0.1, dict(momentum=0.9, weight_decay=0.1)),
    ("sgd_decay_all", "sgd", 0.1, dict(momentum=0.9, weight_decay=0.1, decay_bias_and_norm=True)),
    ("adamw", "adamw", 0.1, dict()),
    ("adamw_betas", "adamw", 0.1, dict(betas=[0.8, 0.95], eps=1e-6, weight_decay=0.1)),
    ("lars", "lars", 10.0, dict(momentum=0.9, weight_decay=0.01, eta=0.02)),
    ("lars_decay_all", "lars", 10.0, dict(momentum=0.9, weight_decay=0.01, eta=0.02, decay_bias_and_norm=True)),
]

DEFAULTS = {
    "sgd": dict(momentum=0.9, nesterov=False, weight_decay=1e-4, decay_bias_and_norm=False),
    "adamw": dict(betas=[0.9, 0.999], eps=1e-8, weight_decay=0.05, decay_bias_and_norm=False),
    "lars": dict(momentum=0.9, weight_decay=1e-6, eta=0.001, decay_bias_and_norm=False),
}


def decayed(name, options):
    """Whether weight decay (and LARS's trust ratio) applies: rank 2 and above, or all."""
    return options["decay_bias_and_norm"] or len(SHAPES[name]) >= 2


class Lars:
    """LARS as SimCLR (Chen et al. 2020) and BYOL (Grill et al. 2020) apply it.

    d = g + wd * p; trust = eta * |p| / |d| when both norms are non-zero, else 1;
    b = momentum * b + lr * trust * d; p -= b. Parameters without decay get no trust ratio.
    """

    def __init__(self, named, options):
        self.named = named
        self.options = options
        self.buffers = {name: torch.zeros_like(p) for name, p in named.items()}

    @torch.no_grad()
    def step(self, lr):
        o = self.options
        for name, p in self.named.items():
            if p.grad is None:
                continue
            d = p.grad.clone()
            trust = torch.tensor(1.0)
            if decayed(name, o):
                d += o["weight_decay"] * p
                p_norm, d_norm = p.norm(), d.norm()
                if p_norm > 0 and d_norm > 0:
                    trust = o["eta"] * p_norm / d_norm
            b = self.buffers[name]
            b.mul_(o["momentum"]).add_(lr * trust * d)
            p.sub_(b)


def torch_optimizer(plugin, named, options):
    groups = [
        {"params": [p for n, p in named.items() if decayed(n, options)], "weight_decay": options["weight_decay"]},
        {"params": [p for n, p in named.items() if not decayed(n, options)], "weight_decay": 0.0},
    ]
    groups = [g for g in groups if g["params"]]
    if plugin == "sgd":
        return torch.optim.SGD(groups, lr=1.0, momentum=options["momentum"], nesterov=options["nesterov"])
    return torch.optim.AdamW(groups, lr=1.0, betas=tuple(options["betas"]), eps=options["eps"])


def run_case(name, plugin, lr_scale, overrides):
    options = dict(DEFAULTS[plugin], **overrides)
    generator = case_generator(f"optim/{name}")
    named = {}
    for param, shape in SHAPES.items():
        value = torch.randn(*shape, generator=generator)
        named[param] = torch.zeros(*shape) if param in ZERO_PARAMETERS else value
        named[param].requires_grad_(True)
    lrs = [lr_scale * lr for lr in BASE_LRS]
    out = {f"{name}/lr": torch.tensor(lrs)}
    out.update({f"{name}/init/{param}": p.detach().clone() for param, p in named.items()})
    optimizer = Lars(named, options) if plugin == "lars" else torch_optimizer(plugin, named, options)
    for k, lr in enumerate(lrs):
        for param, p in named.items():
            grad = torch.randn(*SHAPES[param], generator=generator)
            if (k, param) == NO_GRAD:
                p.grad = None
                continue
            p.grad = grad
            out[f"{name}/grad{k}/{param}"] = grad
        if plugin == "lars":
            optimizer.step(lr)
        else:
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step()
        out.update({f"{name}/step{k}/{param}": p.detach().clone() for param, p in named.items()})
    return out


def main():
    tensors = {}
    for case in CASES:
        tensors.update(run_case(*case))
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    write_safetensors(OUTPUT, tensors, {"generator": GENERATOR, "torch": torch.__version__})


if __name__ == "__main__":
    main()
