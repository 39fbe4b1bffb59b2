#!/usr/bin/python3
"""Whether a shipped SimSiam pipeline's training steps compute what PyTorch's do, to float32
rounding, from the same start.

    /usr/bin/python3 bench/step_parity.py BUILD_DIR [--recipe simsiam_convnet] [--steps 3]

torch_step.py's recipe draws the initial weights (--seed), which are written as a
safetensors file with sslflow's names. The shipped pipeline (`sslflow run`, with overrides
only) loads them into its backbone, objective and probe (`load:`) and trains --steps steps on
the first 256 training images, one batch per epoch, with its augmentation made
deterministic: the first view is the image, the second its mirror image (crop of the whole
image, jitter off, flip 0 and 1). The same recipe in PyTorch then trains the same steps from
the same weights on the same views, once in float64 (the reference) and once in float32.

For every tensor of the state (parameters and batch-norm statistics) it prints how far the
steps moved it in float64 and the error of each float32 run relative to that move,
||x - x64|| / ||x64 - x0||, and sslflow's error over PyTorch's; tensors the steps leave in
place (to 1e-6 of their size) are left out. sslflow computes the same steps when its error is
of the size of PyTorch's own float32 error on every tensor: the exit status is 0 when no
tensor's ratio exceeds --tolerance, 1 otherwise.

The batch order differs (sslflow shuffles each epoch); a batch's loss and statistics do not
depend on it beyond rounding.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "golden"))
import torch_step  # noqa: E402
from make_golden import write_safetensors  # noqa: E402

PIPELINES = {"simsiam_convnet": "simsiam_fmnist.yaml", "simsiam_mlp": "simsiam_mlp_fmnist.yaml"}
FLOOR = 1e-7  # the smallest float32 error a ratio is taken against (exact counters have none)
NODES = ("backbone", "objective", "probe")  # the pipelines' trained nodes, as torch_step.py's module names


class FixedViews:
    """Stands in for a recipe's augmentation: its first call of each step returns the images,
    the second their mirror image, in the model's dtype."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        view = images if self.calls % 2 == 1 else images.flip(3)
        return view.to(self.dtype)


def sslflow_overrides(workdir, steps):
    """`sslflow run` overrides that make a shipped SimSiam pipeline this check's."""
    init = os.path.join(workdir, "init.safetensors")
    overrides = [f"train.epochs={steps}", "eval=[]",
                 "data={plugin: npy, train_images: %s, train_labels: %s}" % (
                     os.path.join(workdir, "images.npy"), os.path.join(workdir, "labels.npy"))]
    for view, flip in (("view1", 0), ("view2", 1)):
        overrides += [f"nodes.{view}.crop=[1.0, 1.0]", f"++nodes.{view}.ratio=[1.0, 1.0]",
                      f"nodes.{view}.flip={flip}", f"nodes.{view}.jitter=0.0"]
    overrides += [f"++nodes.{node}.load={{path: {init}, prefix: {node}.}}" for node in NODES]
    return overrides


def train_pytorch(args, init, images, labels, dtype):
    """The recipe's state after args.steps steps from `init` on the fixed views, as float64;
    torch's seed reset first, so that every call draws the same batch orders."""
    torch.manual_seed(args.seed)
    recipe = torch_step.RECIPES[args.recipe](args)
    recipe.model.load_state_dict(init)
    recipe.model.to(dtype)
    recipe.augment = FixedViews(dtype)
    trainer = torch_step.Trainer(recipe, images, labels, args.steps)
    for step in range(args.steps):
        trainer.step(step)
    return {name: t.detach().double() for name, t in recipe.model.state_dict().items()}


def read_safetensors(path):
    """{name: float64 tensor} of a safetensors file of float32 tensors."""
    header, data_start = torch_step.safetensors_header(path)
    return {name: torch.from_numpy(np.fromfile(path, np.float32, count=int(np.prod(entry["shape"])),
                                               offset=data_start + entry["data_offsets"][0])
                                   .reshape(entry["shape"]).astype(np.float64))
            for name, entry in header.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", help="the build directory holding bin/sslflow")
    parser.add_argument("--recipe", choices=sorted(PIPELINES), default="simsiam_convnet")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help="torch's seed for the initial weights")
    parser.add_argument("--grid", type=int, default=2, help="simsiam_convnet: the convnet's `grid`, as the pipeline")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tolerance", type=float, default=10.0,
                        help="the largest ratio of sslflow's error to PyTorch's float32 error on a tensor")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="directory of the IDX files")
    args = parser.parse_args()
    sslflow = os.path.join(args.build, "bin", "sslflow")
    if not os.access(sslflow, os.X_OK):
        sys.exit(f"step_parity.py: no sslflow command at {sslflow}; build it first (cmake --build {args.build})")
    torch.set_num_threads(args.threads)

    images, labels = torch_step.load_split(args.data, "train")
    images, labels = images[:torch_step.BATCH], labels[:torch_step.BATCH]
    torch.manual_seed(args.seed)
    init = {name: t.clone() for name, t in torch_step.RECIPES[args.recipe](args).model.state_dict().items()}

    with tempfile.TemporaryDirectory(prefix="step_parity.") as workdir:
        np.save(os.path.join(workdir, "images.npy"), images[:, 0].numpy())
        np.save(os.path.join(workdir, "labels.npy"), labels.numpy())
        write_safetensors(os.path.join(workdir, "init.safetensors"), init, {})
        run = os.path.join(workdir, "run")
        command = [sslflow, "run",
                   os.path.join(HERE, "..", "pipelines", PIPELINES[args.recipe]),
                   "--threads", str(args.threads), "--out", run, *sslflow_overrides(workdir, args.steps)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"step_parity.py: `{' '.join(command)}` failed with status {done.returncode}:\n{done.stderr}")
        ours = read_safetensors(os.path.join(run, "model.safetensors"))

    exact = train_pytorch(args, init, images, labels, torch.float64)
    single = train_pytorch(args, init, images, labels, torch.float32)
    print(f"{args.recipe}, {args.steps} steps from the same weights (seed {args.seed}), relative to the float64 move:")
    print("| tensor | float64 move | PyTorch float32 | sslflow | sslflow / PyTorch |")
    print("|---|---:|---:|---:|---:|")
    worst = (0.0, "")
    for name, reference in exact.items():
        start = init[name].double()
        move = (reference - start).norm().item()
        if move <= 1e-6 * max(start.norm().item(), 1.0):
            continue
        error_torch = (single[name] - reference).norm().item() / move
        error_ours = (ours[name] - reference).norm().item() / move
        ratio = error_ours / max(error_torch, FLOOR)
        worst = max(worst, (ratio, name))
        print(f"| {name} | {move:.3g} | {error_torch:.2e} | {error_ours:.2e} | {ratio:.2f} |")
    same = worst[0] <= args.tolerance
    print(f"worst: sslflow's error {worst[0]:.2f}x PyTorch's on {worst[1]} "
          f"({'within' if same else 'beyond'} the tolerance of {args.tolerance:g}x)")
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
