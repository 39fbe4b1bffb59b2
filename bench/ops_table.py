#!/usr/bin/python3
"""Turns the JSON lines of bench_ops and torch_ops.py into a markdown table.

Each input file is one run of one implementation. A case's time is the median, across
runs, of the per-run medians. Ratio is PyTorch ms / sslflow ms: above 1, sslflow is faster.
Usage: ops_table.py RUN.jsonl...
"""
import collections
import json
import statistics
import sys


def read_runs(paths):
    """{(impl, case): [ms per run]}, {case: flops}, and the cases in first-seen order."""
    ms = collections.defaultdict(list)
    flops = {}
    order = []
    for path in paths:
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                case = record["case"]
                ms[record["impl"], case].append(record["ms"])
                flops[case] = record["flops"]
                if case not in order:
                    order.append(case)
    return ms, flops, order


def gflops(flops, ms):
    """GFLOP/s as a table cell; "-" for a case that counts no products (batch norm)."""
    return f"{flops / (ms * 1e6):.1f}" if flops else "-"


def main(paths):
    runs, flops, order = read_runs(paths)
    median = {key: statistics.median(values) for key, values in runs.items()}
    print("| shape | sslflow ms | PyTorch ms | ratio | sslflow GFLOP/s | PyTorch GFLOP/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in order:
        ours, theirs = median.get(("sslflow", case)), median.get(("pytorch", case))
        if ours is None or theirs is None:
            continue
        print(f"| {case} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.2f} "
              f"| {gflops(flops[case], ours)} | {gflops(flops[case], theirs)} |")
    print()
    for case in order:
        blas = median.get(("onednn", case))
        if blas is None:
            continue
        size = case.split("_")[-1]
        line = f"oneDNN dnnl_sgemm {size}^3: {blas:.2f} ms, {gflops(flops[case], blas)} GFLOP/s"
        for impl, label in (("sslflow", "sslflow::matmul"), ("pytorch", "torch.matmul")):
            ms = median.get((impl, f"matmul_{size}"))
            if ms is not None:
                line += f"; {label} reaches {100 * blas / ms:.0f}% of it"
        print(line + ".")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
