#!/usr/bin/python3
"""Writes the PyTorch reference tensors that tests/golden/*_golden_test.cpp compare against.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/golden/make_golden.py

For every op there is one file tests/golden/data/<op>.safetensors holding one or more
cases. A case draws its inputs and parameters in float32 from a generator seeded by the
case name, evaluates the op in float64 (so the reference carries no float32 rounding of
its own), and reduces the output to a scalar loss = sum(loss_weight * out) with a fixed
random loss_weight. It stores, under "<case>.<name>":

    <input or parameter>        the float32 values the op is run on (PyTorch names)
    out                         the op's output
    loss_weight, loss           the weighting and the resulting scalar loss
    <input or parameter>.grad   d loss / d that tensor, for each differentiable one
    <buffer>.updated            buffers the op changes in place (batch norm running stats)

Class labels are stored as F32 holding whole numbers. The files are safetensors written
by hand (no python3-safetensors in Debian): a little-endian u64 header length, a JSON
header padded with spaces to a multiple of 8 bytes, then the F32 little-endian data.
The output is deterministic: rerunning the script rewrites identical bytes.
"""

import json
import os
import struct
import zlib

import torch
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
GENERATOR = "tests/golden/make_golden.py"
BASE_SEED = 20240611


def write_safetensors(path, tensors, metadata):
    """Writes name -> float32 tensor pairs (in order) as a safetensors file."""
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        values = tensor.detach().to(torch.float32).contiguous().reshape(-1).tolist()
        data = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in chunks:
            f.write(data)


def case_seed(key):
    """BASE_SEED plus the CRC-32 of key ("<op>/<case>"), so each case draws its own numbers."""
    return BASE_SEED + zlib.crc32(key.encode())


def case_generator(key):
    """A torch.Generator seeded with case_seed(key)."""
    return torch.Generator().manual_seed(case_seed(key))


class Case:
    """Draws the float32 tensors of one case from a generator seeded by its name."""

    def __init__(self, op, name):
        self.name = name
        self.generator = case_generator(f"{op}/{name}")
        self.inputs = {}   # differentiable inputs and parameters
        self.buffers = {}  # state the op updates in place, without a gradient
        self.labels = {}   # integer class labels

    def normal(self, name, *shape, scale=1.0, shift=0.0):
        self.inputs[name] = torch.randn(*shape, generator=self.generator) * scale + shift
        return self

    def buffer(self, name, *shape, low, high):
        self.buffers[name] = torch.rand(*shape, generator=self.generator) * (high - low) + low
        return self

    def classes(self, name, count, num_classes):
        self.labels[name] = torch.randint(0, num_classes, (count,), generator=self.generator)
        return self

    def run(self, forward):
        """forward(tensors) -> out, on float64 copies; returns the case's named tensors."""
        leaves = {n: t.double().requires_grad_() for n, t in self.inputs.items()}
        buffers = {n: t.double() for n, t in self.buffers.items()}
        out = forward({**leaves, **buffers, **self.labels})
        loss_weight = torch.rand(out.shape, generator=self.generator) * 2.0 - 1.0
        loss = (out * loss_weight.double()).sum()
        loss.backward()

        record = {**self.inputs, **self.buffers, **self.labels}
        record["out"] = out
        record["loss_weight"] = loss_weight
        record["loss"] = loss
        record.update({f"{n}.grad": leaf.grad for n, leaf in leaves.items()})
        record.update({f"{n}.updated": buffer for n, buffer in buffers.items()})
        return {f"{self.name}.{n}": t for n, t in record.items()}


def linear():
    bias = Case("linear", "bias").normal("x", 4, 6).normal("weight", 5, 6, scale=0.4).normal("bias", 5)
    batched = Case("linear", "batched_no_bias").normal("x", 2, 3, 6).normal("weight", 5, 6, scale=0.4)
    return {
        **bias.run(lambda t: F.linear(t["x"], t["weight"], t["bias"])),
        **batched.run(lambda t: F.linear(t["x"], t["weight"])),
    }


def conv2d():
    cases = {}
    for stride, (h, w) in ((1, (5, 6)), (2, (7, 6))):
        case = Case("conv2d", f"stride{stride}").normal("x", 2, 3, h, w)
        case.normal("weight", 4, 3, 3, 3, scale=0.3).normal("bias", 4)
        cases.update(case.run(lambda t: F.conv2d(t["x"], t["weight"], t["bias"], stride=stride, padding=1)))
    return cases


def batch_norm():
    cases = {}
    for name, shape, module in (("bn1d", (6, 4), torch.nn.BatchNorm1d(4)),
                                ("bn2d", (3, 4, 3, 2), torch.nn.BatchNorm2d(4))):
        case = Case("batch_norm", name).normal("x", *shape, scale=1.5, shift=0.5)
        case.normal("weight", 4, scale=0.5, shift=1.0).normal("bias", 4)
        case.buffer("running_mean", 4, low=-0.5, high=0.5).buffer("running_var", 4, low=0.5, high=1.5)
        module = module.double().train()  # momentum 0.1, eps 1e-5

        def forward(t, module=module):
            state = {n: t[n] for n in ("weight", "bias", "running_mean", "running_var")}
            return functional_call(module, state, (t["x"],))

        cases.update(case.run(forward))
    return cases


def layer_norm():
    case = Case("layer_norm", "affine").normal("x", 2, 3, 8, scale=2.0, shift=0.3)
    case.normal("weight", 8, scale=0.5, shift=1.0).normal("bias", 8)
    return case.run(lambda t: F.layer_norm(t["x"], (8,), t["weight"], t["bias"], eps=1e-5))


def multi_head_attention():
    case = Case("multi_head_attention", "b2_t5_d8_h2").normal("x", 2, 5, 8)
    case.normal("in_proj_weight", 24, 8, scale=0.35).normal("in_proj_bias", 24, scale=0.1)
    case.normal("out_proj.weight", 8, 8, scale=0.35).normal("out_proj.bias", 8, scale=0.1)
    module = torch.nn.MultiheadAttention(8, 2, dropout=0.0, bias=True, batch_first=True).double()

    def forward(t):
        params = {n: t[n] for n in ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias")}
        out, _ = functional_call(module, params, (t["x"], t["x"], t["x"]), {"need_weights": False})
        return out

    return case.run(forward)


def gelu():
    case = Case("gelu", "exact").normal("x", 3, 7, scale=2.0)
    return case.run(lambda t: F.gelu(t["x"]))


def smooth_l1_loss():
    cases = {}
    for name, beta, reduction in (("beta2_mean", 2.0, "mean"), ("beta1_none", 1.0, "none")):
        case = Case("smooth_l1_loss", name).normal("pred", 4, 5, scale=2.0).normal("target", 4, 5, scale=2.0)
        cases.update(case.run(
            lambda t: F.smooth_l1_loss(t["pred"], t["target"], beta=beta, reduction=reduction)))
    return cases


def cross_entropy():
    cases = {}
    for reduction in ("mean", "none"):
        case = Case("cross_entropy", reduction).normal("logits", 6, 5, scale=2.0).classes("labels", 6, 5)
        cases.update(case.run(lambda t: F.cross_entropy(t["logits"], t["labels"], reduction=reduction)))
    return cases


def cosine_similarity():
    last = Case("cosine_similarity", "dim_last").normal("a", 5, 8).normal("b", 5, 8)
    middle = Case("cosine_similarity", "dim1").normal("a", 3, 4, 2).normal("b", 3, 4, 2)
    return {
        **last.run(lambda t: F.cosine_similarity(t["a"], t["b"], dim=-1)),
        **middle.run(lambda t: F.cosine_similarity(t["a"], t["b"], dim=1)),
    }


OPS = (linear, conv2d, batch_norm, layer_norm, multi_head_attention, gelu, smooth_l1_loss, cross_entropy,
       cosine_similarity)


def main():
    torch.use_deterministic_algorithms(True)
    os.makedirs(DATA_DIR, exist_ok=True)
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "compute": "float64", "stored": "float32"}
    for op in OPS:
        tensors = op()
        path = os.path.join(DATA_DIR, f"{op.__name__}.safetensors")
        write_safetensors(path, tensors, {**metadata, "op": op.__name__})
        print(f"{path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
