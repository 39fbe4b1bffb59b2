#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/distill_test.cpp compares the distill method against.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_distill_golden.py

Each case draws student and teacher block outputs (B, T, D) and a projection weight
(Dt, Ds) in float32 from a generator seeded by the case name, evaluates in float64

    loss = hidden_weight * mean over pairs (s, t) of MSE(proj(student[s]), teacher[t])

(with each token's state L2-normalised first when the case normalises) and stores, under
"<case>.<name>" in tests/plugins/data/distill.safetensors:

    student.<i>, teacher.<j>        the block outputs
    projection.weight               the projection (PyTorch nn.Linear layout, no bias)
    loss, mse_<s>_<t>               the loss and each pair's unweighted MSE
    student.<i>.grad                d loss / d student block (zero for unmapped blocks)
    projection.weight.grad          d loss / d projection weight

The file is written with tests/golden/make_golden.py's safetensors writer; rerunning the
script rewrites identical bytes.
"""

import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import case_generator, write_safetensors  # noqa: E402

GENERATOR = "tests/plugins/make_distill_golden.py"

# name, (batch, tokens), student widths per block, teacher widths per block, mapping,
# hidden_weight, normalize. The C++ test sets the plugin up with the same options.
CASES = [
    ("projection", (2, 3), [4, 4], [6, 6, 6], [(0, 1), (1, 2)], 0.5, False),
    ("normalized", (2, 3), [5, 5, 5], [5, 5], [(2, 0), (0, 1)], 1.0, True),
]


def case_tensors(name, shape, student_widths, teacher_widths, mapping, hidden_weight, normalize):
    generator = case_generator(f"distill/{name}")
    student = [torch.randn(*shape, d, generator=generator) for d in student_widths]
    teacher = [torch.randn(*shape, d, generator=generator) for d in teacher_widths]
    weight = torch.randn(teacher_widths[0], student_widths[0], generator=generator) * 0.5

    student64 = [s.double().requires_grad_() for s in student]
    weight64 = weight.double().requires_grad_()
    total = 0.0
    mses = {}
    for s, t in mapping:
        pred = F.linear(student64[s], weight64)
        target = teacher[t].double()
        if normalize:
            pred = F.normalize(pred, dim=-1)
            target = F.normalize(target, dim=-1)
        mse = F.mse_loss(pred, target)
        mses[f"mse_{s}_{t}"] = mse
        total = total + mse
    loss = hidden_weight * total / len(mapping)
    loss.backward()

    out = {}
    for i, s in enumerate(student):
        out[f"student.{i}"] = s
    for j, t in enumerate(teacher):
        out[f"teacher.{j}"] = t
    out["projection.weight"] = weight
    out["loss"] = loss.detach()
    for key, mse in mses.items():
        out[key] = mse.detach()
    for i, s in enumerate(student64):
        out[f"student.{i}.grad"] = s.grad if s.grad is not None else torch.zeros_like(s)
    out["projection.weight.grad"] = weight64.grad
    return {f"{name}.{key}": value for key, value in out.items()}


def main():
    torch.set_grad_enabled(True)
    tensors = {}
    for case in CASES:
        tensors.update(case_tensors(*case))
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "compute": "float64", "stored": "float32"}
    path = os.path.join(HERE, "data", "distill.safetensors")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_safetensors(path, tensors, metadata)
    print(path, len(tensors), "tensors")


if __name__ == "__main__":
    main()
