#!/usr/bin/python3
"""Writes the PyTorch reference for the EMA vector-quantisation codebook (plugins/vq).

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_vq_golden.py

It writes tests/plugins/data/vq.safetensors with two cases, each tensor named
"<case>.<name>" and stored as float32 (indices as whole numbers):

    plain       normalize off, two steps: codes, z1, z2 and after each step s
                indices<s>, commitment<s>, ema_counts<s>, ema_sums<s>, codes<s>
    normalized  normalize on (rows of z and the codes L2-normalised before assignment, the
                normalised rows averaged), one step, with the same names
    committed_plain, committed_normalized
                the commitment of other rows e (the student's tokens) to the codes chosen
                for z (the teacher's): codes0, z, e, indices, commitment and e.grad, with
                normalize off (VQ-VAE, van den Oord et al. 2017, eq. 3; sonnet's
                VectorQuantizerEMA: commitment_cost * mean((sg(quantized) - inputs)^2)) and
                on (BEiT v2's beit2/norm_ema_quantizer.py, NormEMAVectorQuantizer.forward:
                z = l2norm(z), loss = beta * F.mse_loss(z_q.detach(), z))

The codebook follows VQ-VAE's EMA form with counts starting at 1 and sums at the codes:
n <- m n + (1 - m) |S|, e <- m e + (1 - m) sum z, code = e / n, and the commitment loss
beta * mean((z - q)^2) over every element. Everything is computed in float64 from float32
inputs drawn from a seeded generator, so rerunning the script rewrites identical bytes.
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from make_golden import write_safetensors  # noqa: E402

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
GENERATOR = "tests/plugins/make_vq_golden.py"
SEED = 20240612
CODES, DIM, ROWS = 6, 4, 24
MOMENTUM, BETA = 0.9, 0.25


def draw(generator, codes):
    """Rows scattered around randomly chosen codes."""
    which = torch.randint(CODES, (ROWS,), generator=generator)
    noise = torch.randn(ROWS, DIM, generator=generator)
    return (codes[which] + 0.5 * noise).to(torch.float32)


def nearest(z, codes):
    """Index of the nearest code (squared L2) of each row; checks that no row is near a tie."""
    distances = torch.cdist(z, codes) ** 2
    top2 = distances.topk(2, dim=1, largest=False).values
    assert (top2[:, 1] - top2[:, 0]).min() > 1e-3, "a row is too close to a tie for a stable reference"
    return distances.argmin(dim=1)


def step(z, state, normalize):
    """One quantisation and EMA update; returns the reference tensors of the step."""
    codes, counts, sums = state
    if normalize:
        z = F.normalize(z, dim=1)
        used_codes = F.normalize(codes, dim=1)
    else:
        used_codes = codes
    indices = nearest(z, used_codes)
    commitment = BETA * F.mse_loss(z, used_codes[indices])
    onehot = F.one_hot(indices, CODES).to(torch.float64)  # (N, K)
    counts = MOMENTUM * counts + (1 - MOMENTUM) * onehot.sum(0)
    sums = MOMENTUM * sums + (1 - MOMENTUM) * onehot.t() @ z
    codes = sums / counts[:, None]
    out = {"indices": indices.to(torch.float64), "commitment": commitment, "ema_counts": counts,
           "ema_sums": sums, "codes": codes}
    return out, (codes, counts, sums)


def case(name, steps, normalize, generator):
    codes = torch.randn(CODES, DIM, generator=generator).to(torch.float32)
    tensors = {f"{name}.codes0": codes}
    state = (codes.to(torch.float64), torch.ones(CODES, dtype=torch.float64), codes.to(torch.float64))
    for s in range(1, steps + 1):
        z = draw(generator, codes)
        tensors[f"{name}.z{s}"] = z
        out, state = step(z.to(torch.float64), state, normalize)
        for key, value in out.items():
            tensors[f"{name}.{key}{s}"] = value
    return tensors


def committed_case(name, normalize, generator):
    """The commitment of rows e to the codes the rows z are assigned, and its gradient."""
    codes = torch.randn(CODES, DIM, generator=generator).to(torch.float32)
    z = draw(generator, codes)
    e = (z + 0.3 * torch.randn(ROWS, DIM, generator=generator)).to(torch.float32)
    used_codes = F.normalize(codes.double(), dim=1) if normalize else codes.double()
    assigned = F.normalize(z.double(), dim=1) if normalize else z.double()
    indices = nearest(assigned, used_codes)
    leaf = e.double().requires_grad_()
    committed = F.normalize(leaf, dim=1) if normalize else leaf
    commitment = BETA * F.mse_loss(committed, used_codes[indices].detach())
    commitment.backward()
    out = {"codes0": codes, "z": z, "e": e, "indices": indices.to(torch.float64), "commitment": commitment.detach(),
           "e.grad": leaf.grad}
    return {f"{name}.{key}": value for key, value in out.items()}


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    generator = torch.Generator().manual_seed(SEED)
    tensors = {**case("plain", 2, False, generator), **case("normalized", 1, True, generator),
               **committed_case("committed_plain", False, generator),
               **committed_case("committed_normalized", True, generator)}
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "compute": "float64", "stored": "float32",
                "codes": str(CODES), "momentum": str(MOMENTUM), "beta": str(BETA)}
    path = os.path.join(DATA_DIR, "vq.safetensors")
    write_safetensors(path, tensors, metadata)
    print(f"{path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
