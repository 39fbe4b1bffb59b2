#!/usr/bin/python3
"""Writes the torchvision reference that tests/plugins/augment_test.cpp compares the colour
and blur primitives of plugins/augment with.

Run with Debian's PyTorch and torchvision (python3-torch, python3-torchvision):

    /usr/bin/python3 tests/plugins/make_augment_golden.py

It applies torchvision.transforms.functional's deterministic ops, with fixed factors, to a
few small float32 images in [0, 1] and writes tests/plugins/data/augment.safetensors:

    image.<name>                  the inputs (C, H, W): rgb (3x8x8, uniform), levels (3x8x8,
                                  six grey levels per channel, so channels tie and histograms
                                  repeat), constant (3x8x8, all 0.3), grey (1x8x8, uniform)
    factors.<op>                  the factors each op is applied with, one per output
    <name>.<op>.<i>               the op applied with factors.<op>[i], for op in brightness,
                                  contrast, saturation, hue, solarize (threshold)
    <name>.grayscale              rgb_to_grayscale(image, num_output_channels=1)
    blur.kernels, blur.sigmas     (N, 2) kernel sizes [kx, ky] (torchvision's order: width
                                  first) and (N) sigmas; <name>.blur.<i> the blurred images
    <name>.equalize               convert_image_dtype to uint8, equalize, back to float32
    jitter.orders, jitter.factors (N, 4) adjustment orders (0 brightness, 1 contrast,
                                  2 saturation, 3 hue, as ColorJitter's fn_idx) and the factors
                                  (b, c, s, h); <name>.jitter.<i> the composition, as
                                  ColorJitter.forward applies it once its parameters are drawn

Everything is computed in float32, as torchvision computes it on float32 images: the
reference is torchvision's own float32 result, not an idealised one. The file is written
by tests/golden/make_golden.py's safetensors writer; rerunning rewrites identical bytes.
"""

import os
import sys

import torch
import torchvision
import torchvision.transforms.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from make_golden import write_safetensors  # noqa: E402

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "augment.safetensors")
GENERATOR = "tests/plugins/make_augment_golden.py"
SEED = 20240613

FACTORS = {
    "brightness": [0.625, 1.375, 0.0],
    "contrast": [0.5, 1.375, 0.0],
    "saturation": [0.0, 0.625, 1.5],
    "hue": [-0.5, -0.125, 0.0625, 0.3, 0.5],
    "solarize": [0.5, 0.25, 1.0],
}
OPS = {
    "brightness": F.adjust_brightness,
    "contrast": F.adjust_contrast,
    "saturation": F.adjust_saturation,
    "hue": F.adjust_hue,
    "solarize": F.solarize,
}
BLUR_KERNELS = [[3, 3], [3, 5], [7, 7], [1, 3]]  # [kx, ky]
BLUR_SIGMAS = [0.8, 1.5, 2.0, 0.1]
JITTER_ORDERS = [[3, 1, 0, 2], [0, 1, 2, 3], [2, 3, 1, 0]]
JITTER_FACTORS = [[1.25, 0.75, 1.5, -0.0625], [0.625, 1.375, 0.5, 0.1], [1.375, 0.625, 0.0, 0.25]]


def images():
    g = torch.Generator().manual_seed(SEED)
    rgb = torch.rand(3, 8, 8, generator=g)
    levels = F.convert_image_dtype((torch.randint(0, 6, (3, 8, 8), generator=g) * 51).to(torch.uint8), torch.float32)
    constant = torch.full((3, 8, 8), 0.3)
    grey = torch.rand(1, 8, 8, generator=g)
    return {"rgb": rgb, "levels": levels, "constant": constant, "grey": grey}


def jitter(image, order, factors):
    adjust = [F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue]
    for index in order:
        image = adjust[index](image, factors[index])
    return image


def equalize(image):
    return F.convert_image_dtype(F.equalize(F.convert_image_dtype(image, torch.uint8)), torch.float32)


def main():
    tensors = {}
    inputs = images()
    for name, image in inputs.items():
        tensors[f"image.{name}"] = image
    for op, factors in FACTORS.items():
        tensors[f"factors.{op}"] = torch.tensor(factors)
    tensors["blur.kernels"] = torch.tensor(BLUR_KERNELS, dtype=torch.float32)
    tensors["blur.sigmas"] = torch.tensor(BLUR_SIGMAS)
    tensors["jitter.orders"] = torch.tensor(JITTER_ORDERS, dtype=torch.float32)
    tensors["jitter.factors"] = torch.tensor(JITTER_FACTORS)

    for name, image in inputs.items():
        for op, factors in FACTORS.items():
            for i, factor in enumerate(factors):
                tensors[f"{name}.{op}.{i}"] = OPS[op](image, factor)
        tensors[f"{name}.grayscale"] = F.rgb_to_grayscale(image, num_output_channels=1)
        for i, (kernel, sigma) in enumerate(zip(BLUR_KERNELS, BLUR_SIGMAS)):
            tensors[f"{name}.blur.{i}"] = F.gaussian_blur(image, kernel, [sigma, sigma])
        tensors[f"{name}.equalize"] = equalize(image)
        for i, (order, factors) in enumerate(zip(JITTER_ORDERS, JITTER_FACTORS)):
            tensors[f"{name}.jitter.{i}"] = jitter(image, order, factors)

    for name, tensor in tensors.items():
        assert tensor.dtype == torch.float32, name
    os.makedirs(os.path.dirname(PATH), exist_ok=True)
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "torchvision": torchvision.__version__,
                "compute": "float32", "stored": "float32"}
    write_safetensors(PATH, tensors, metadata)
    print(f"{PATH}: {len(tensors)} tensors, {os.path.getsize(PATH)} bytes")


if __name__ == "__main__":
    main()
