#!/usr/bin/python3
"""Writes the PyTorch references that tests/plugins/eval_test.cpp compares the evaluators against.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_eval_golden.py

tests/plugins/data/eval_knn.safetensors: the weighted cosine kNN vote of lightly's
knn_predict (k 5, temperature 0.1) on small clustered data, computed in float64:

    train, test                   features (N, D) and (M, D), float32
    train_labels, test_labels     class labels, stored as F32 whole numbers
    predictions                   the predicted class of each test sample
    top1, top5                    the accuracies, shape (1)

Classes with equal scores rank lower index first, as sslflow's knn does. The script checks
that every decision is far from a tie (neighbour similarities and class scores differ by
more than float32 rounding could change), so the float32 C++ result must agree exactly.

tests/plugins/data/eval_linear_probe.safetensors: the optimum of the linear probe's
objective, mean cross-entropy + l2 / 2 ||W||^2 on features standardised with the train
split's mean and population standard deviation, found by torch.optim.LBFGS (strong Wolfe)
in float64 until the gradient vanishes:

    train, test, train_labels, test_labels   as above
    l2                                       the weight decay, shape (1)
    loss                                     the objective at the optimum, shape (1)
    train_top1, top1                         accuracies of the optimum, shape (1)

The files are written with tests/golden/make_golden.py's safetensors writer; rerunning
rewrites identical bytes.
"""

import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import write_safetensors  # noqa: E402

DATA_DIR = os.path.join(HERE, "data")
GENERATOR = "tests/plugins/make_eval_golden.py"


def clusters(generator, count, dim, classes, means, noise):
    """`count` float32 samples around the class means, with their labels."""
    labels = torch.randint(0, classes, (count,), generator=generator)
    x = means[labels] + noise * torch.randn(count, dim, generator=generator)
    return x.to(torch.float32), labels


def class_rank(scores, labels):
    """Classes ahead of each label: higher scores, and equal scores at a lower index."""
    own = scores.gather(1, labels[:, None])
    index = torch.arange(scores.shape[1])[None, :]
    return ((scores > own) | ((scores == own) & (index < labels[:, None]))).sum(1)


def knn_reference():
    k, temperature, classes = 5, 0.1, 10
    generator = torch.Generator().manual_seed(20240701)
    means = torch.randn(classes, 16, generator=generator)
    train, train_labels = clusters(generator, 300, 16, classes, means, 1.2)
    test, test_labels = clusters(generator, 80, 16, classes, means, 1.2)

    sim = F.normalize(test.double(), dim=1) @ F.normalize(train.double(), dim=1).T  # (M, N)
    ordered = sim.sort(dim=1, descending=True)
    assert (ordered.values[:, k - 1] - ordered.values[:, k]).min() > 1e-5, "a k-th neighbour is nearly tied"
    weights = (ordered.values[:, :k] / temperature).exp()
    scores = torch.zeros(test.shape[0], classes, dtype=torch.float64)
    scores.scatter_add_(1, train_labels[ordered.indices[:, :k]], weights)
    # Distinct non-zero scores must stay distinct in float32; zero scores tie exactly.
    gaps = (scores[:, :, None] - scores[:, None, :]).abs()
    both_zero = (scores[:, :, None] == 0) & (scores[:, None, :] == 0)
    same = torch.eye(classes, dtype=torch.bool)[None]
    relative = gaps / scores.max(1).values[:, None, None]
    assert relative[~(both_zero | same)].min() > 1e-4, "two class scores are nearly tied"

    predictions = scores.argmax(1)  # the first of equal maxima
    rank = class_rank(scores, test_labels)
    return {
        "train": train,
        "train_labels": train_labels,
        "test": test,
        "test_labels": test_labels,
        "predictions": predictions,
        "top1": (rank == 0).double().mean().reshape(1),
        "top5": (rank < 5).double().mean().reshape(1),
    }


def linear_probe_reference():
    l2, classes, dim = 1e-3, 4, 10
    generator = torch.Generator().manual_seed(20240702)
    means = 0.8 * torch.randn(classes, dim, generator=generator)
    scale = torch.rand(dim, generator=generator) * 4.0 + 0.5  # uneven widths, undone by standardising
    train, train_labels = clusters(generator, 300, dim, classes, means, 1.0)
    test, test_labels = clusters(generator, 100, dim, classes, means, 1.0)
    train, test = train * scale + 2.0, test * scale + 2.0

    mean = train.double().mean(0)
    std = train.double().std(0, unbiased=False)
    x_train, x_test = (train.double() - mean) / std, (test.double() - mean) / std
    weight = torch.zeros(classes, dim, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(classes, dtype=torch.float64, requires_grad=True)

    def objective():
        return F.cross_entropy(x_train @ weight.T + bias, train_labels) + 0.5 * l2 * (weight ** 2).sum()

    optimizer = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=2000, history_size=10,
                                  tolerance_grad=1e-12, tolerance_change=1e-15, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = objective()
        loss.backward()
        return loss

    optimizer.step(closure)
    loss = closure()
    gradient = max(weight.grad.abs().max().item(), bias.grad.abs().max().item())
    assert gradient < 1e-7, f"L-BFGS stopped with gradient {gradient}"
    with torch.no_grad():
        train_rank = class_rank(x_train @ weight.T + bias, train_labels)
        test_rank = class_rank(x_test @ weight.T + bias, test_labels)
    return {
        "train": train,
        "train_labels": train_labels,
        "test": test,
        "test_labels": test_labels,
        "l2": torch.tensor([l2]),
        "loss": loss.detach().reshape(1),
        "train_top1": (train_rank == 0).double().mean().reshape(1),
        "top1": (test_rank == 0).double().mean().reshape(1),
    }


def main():
    os.makedirs(DATA_DIR, exist_ok=True)
    metadata = {"generator": GENERATOR, "torch": torch.__version__}
    for name, reference in [("eval_knn", knn_reference), ("eval_linear_probe", linear_probe_reference)]:
        tensors = reference()
        write_safetensors(os.path.join(DATA_DIR, name + ".safetensors"), tensors, metadata)
        print(name, {k: round(v.item(), 6) for k, v in tensors.items() if v.numel() == 1})


if __name__ == "__main__":
    main()
