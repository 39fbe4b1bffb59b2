#!/usr/bin/python3
"""Writes the reference that align_uniform_test.cpp compares the example's losses against:
examples/align_uniform/golden.hpp. Plain Python, no packages:

    python3 examples/align_uniform/make_golden.py

The losses are written as the paper's reference code writes them (Wang and Isola 2020,
github.com/SsnL/align_uniform, align_uniform/__init__.py):

    def align_loss(x, y, alpha=2):
        return (x - y).norm(p=2, dim=1).pow(alpha).mean()

    def uniform_loss(x, t=2):
        return torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()

torch.pdist gives ||x_i - x_j|| for every pair i < j; here the same sums in float64 over
two fixed batches of unit rows z1, z2 (B, D), drawn from a seeded generator and rounded to
float32 first, so that the test reads exactly the values computed from.
"""
import math
import random
import struct
from pathlib import Path

B, D, T = 6, 4, 2.0


def to_float32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def unit_rows(rng):
    rows = []
    for _ in range(B):
        v = [rng.gauss(0.0, 1.0) for _ in range(D)]
        n = math.sqrt(sum(x * x for x in v))
        rows.append([to_float32(x / n) for x in v])
    return rows


def align_loss(x, y, alpha=2):
    return sum(math.sqrt(sum((a - b) ** 2 for a, b in zip(xi, yi))) ** alpha for xi, yi in zip(x, y)) / len(x)


def uniform_loss(x, t=T):
    pairs = [(i, j) for i in range(len(x)) for j in range(i + 1, len(x))]
    pdist = [math.sqrt(sum((a - b) ** 2 for a, b in zip(x[i], x[j]))) for i, j in pairs]
    return math.log(sum(math.exp(-t * d ** 2) for d in pdist) / len(pdist))


def array(name, rows):
    values = ", ".join(repr(v) + "f" for row in rows for v in row)
    return f"inline const std::vector<float> {name}{{{values}}};\n"


def main():
    rng = random.Random(2020)
    z1, z2 = unit_rows(rng), unit_rows(rng)
    out = Path(__file__).with_name("golden.hpp")
    out.write_text(
        "// Written by make_golden.py from the reference code's formulas; do not edit.\n"
        "#pragma once\n\n#include <vector>\n\nnamespace align_uniform::golden {\n\n"
        f"inline constexpr int kBatch = {B}, kDim = {D};\n"
        f"inline constexpr float kT = {T}f;\n"
        + array("kZ1", z1) + array("kZ2", z2)
        + f"inline constexpr double kAlign = {align_loss(z1, z2)!r};\n"
        + f"inline constexpr double kUniformZ1 = {uniform_loss(z1)!r};\n"
        + f"inline constexpr double kUniformZ2 = {uniform_loss(z2)!r};\n"
        + "\n}  // namespace align_uniform::golden\n")


if __name__ == "__main__":
    main()
