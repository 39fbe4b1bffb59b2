#!/usr/bin/python3
"""The cases of bench_ops in PyTorch: linear, conv2d, batch norm + ReLU and matmul, with the
same protocol.

Every case runs --warmup times untimed, then is timed one repetition at a time until it
has run at least --min-repeats times and for at least --min-time seconds. Each case prints
one JSON line: {"impl": "pytorch", "case": ..., "ms": <median>, "flops": ..., "repeats": n}.
The input of a first layer needs no gradient; hidden-layer inputs do. Gradients are set to
None after each step, as sslflow's zero_grad() does. PyTorch runs on --threads threads.
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def time_case(run, args):
    for _ in range(args.warmup):
        run()
    ms = []
    while len(ms) < args.min_repeats or sum(ms) < args.min_time * 1e3:
        start = time.perf_counter()
        run()
        ms.append((time.perf_counter() - start) * 1e3)
    return statistics.median(ms), len(ms)


def uniform(*shape, requires_grad=False):
    return (torch.rand(*shape) * 2 - 1).requires_grad_(requires_grad)


def add_pair(cases, name, forward_flops, x, weight, bias, grad_output, forward):
    """A forward case, and a forward + backward case that clears the gradients after each step."""
    leaves = [t for t in (x, weight, bias) if t.requires_grad]

    def step():
        forward(x, weight, bias).backward(grad_output)
        for t in leaves:
            t.grad = None

    cases.append((name + "_fwd", forward_flops, lambda: forward(x, weight, bias)))
    # Backward costs one product for the weight gradient, one more for the input gradient.
    cases.append((name + "_fwdbwd", forward_flops * (3 if x.requires_grad else 2), step))


def add_linear(cases, batch, n_in, n_out, x_requires_grad):
    add_pair(cases, f"linear_{n_in}x{n_out}_b{batch}", 2.0 * batch * n_in * n_out,
             uniform(batch, n_in, requires_grad=x_requires_grad), uniform(n_out, n_in, requires_grad=True),
             uniform(n_out, requires_grad=True), uniform(batch, n_out), F.linear)


def add_conv3x3(cases, batch, c_in, c_out, size, stride, padding, x_requires_grad):
    out_size = (size + 2 * padding - 3) // stride + 1
    add_pair(cases, f"conv3x3_{c_in}x{c_out}_s{stride}_{size}px_b{batch}",
             2.0 * batch * c_out * out_size * out_size * c_in * 9,
             uniform(batch, c_in, size, size, requires_grad=x_requires_grad),
             uniform(c_out, c_in, 3, 3, requires_grad=True), uniform(c_out, requires_grad=True),
             uniform(batch, c_out, out_size, out_size),
             lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding))


def add_batch_norm_relu(cases, batch, channels, size):
    """Training-mode batch norm then ReLU, as each ConvNet stage; no products to count."""
    add_pair(cases, f"batchnorm_relu_{channels}x{size}px_b{batch}", 0.0,
             uniform(batch, channels, size, size, requires_grad=True), uniform(channels, requires_grad=True),
             uniform(channels, requires_grad=True), uniform(batch, channels, size, size),
             lambda x, weight, bias: F.relu(F.batch_norm(x, None, None, weight, bias, training=True)))


def all_cases():
    cases = []
    add_linear(cases, 256, 784, 512, False)
    add_linear(cases, 256, 512, 512, True)
    add_conv3x3(cases, 256, 1, 32, 28, 1, 1, False)
    add_conv3x3(cases, 256, 32, 64, 28, 2, 1, True)
    add_conv3x3(cases, 256, 64, 128, 14, 2, 1, True)
    add_batch_norm_relu(cases, 256, 32, 28)
    a, b = uniform(2048, 2048), uniform(2048, 2048)
    cases.append(("matmul_2048", 2.0 * 2048 ** 3, lambda: torch.matmul(a, b)))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--warmup", type=int, default=3, help="untimed repetitions per case")
    parser.add_argument("--min-repeats", type=int, default=10, help="timed repetitions per case, at least")
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds of timed repetitions per case, at least")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name, flops, run in all_cases():
        if args.only not in name:
            continue
        ms, repeats = time_case(run, args)
        print(json.dumps({"impl": "pytorch", "case": name, "ms": round(ms, 4), "flops": flops, "repeats": repeats}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
