#!/usr/bin/python3
"""Writes the images and reference pixels that tests/plugins/image_folder_test.cpp compares
dataset/image_folder's decoding and resizing against.

Run with Debian's Pillow and PyTorch (python3-pil, python3-torch):

    /usr/bin/python3 tests/plugins/make_image_folder_golden.py

tests/plugins/data/image_folder/<class>/<file>: one small image per class, each shown as
24 x 16 pixels (width x height), in the formats the dataset reads:

    a_rgb/rgb.png            8-bit RGB PNG
    b_palette/palette.png    palette PNG with a transparent entry (tRNS)
    c_gray/gray.png          8-bit grayscale PNG
    d_rgba/rgba.png          RGBA PNG with varying alpha
    e_jpeg/color.jpg         RGB JPEG, quality 90, 4:2:0 chroma subsampling
    f_exif/rotated.JPG       RGB JPEG stored 16 x 24 with EXIF orientation 6 (rotate 90
                             degrees clockwise to show); upper-case extension
    g_gray_jpeg/gray.jpeg    grayscale JPEG

tests/plugins/data/image_folder_exif/orientation_<o>.jpg, o = 1..8: one RGB JPEG stored as
24 x 16 pixels, the same bytes but for the EXIF orientation value, an unlabelled folder.

tests/plugins/data/image_folder.safetensors: for each case, "<case>.pixels" (N, C, H, W),
the classes in sorted order, as F32 whole numbers 0..255; and "labels" (N). A case is the
pipeline torchvision users write for ImageFolder, done with PIL:

    image = ImageOps.exif_transpose(Image.open(path)).convert(mode)   # mode "RGB" or "L"
    image = Resize(size)(image); image = CenterCrop(size)(image)      # when size is set

torchvision itself is not packaged in Debian 12, so Resize and CenterCrop on a PIL image
are written out as torchvision 0.15 does them (tv_resize, tv_center_crop below): PIL's
Image.resize with BILINEAR to the shorter side `size` and the longer int(size * long /
short), then a crop at int(round((h - size) / 2)), int(round((w - size) / 2)). torchvision's
own default loader skips exif_transpose; sslflow applies the orientation, as here.

Cases: native_rgb, native_gray (no resizing), size10_rgb (shrinking, antialiased, with a
crop offset of 2.5 rounded to even), size20_rgb (enlarging), size10_gray; and
exif_size16 (8, 3, 16, 16), the orientation files in order with size 16 (a centre crop
of the upright image, which shows where each orientation put the stored pixels).
Rerunning rewrites identical bytes (the images are a fixed pattern; Pillow's encoders are
deterministic for a given version).
"""

import math
import os
import sys

import torch
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import write_safetensors  # noqa: E402

DATA_DIR = os.path.join(HERE, "data")
IMAGE_DIR = os.path.join(DATA_DIR, "image_folder")
GENERATOR = "tests/plugins/make_image_folder_golden.py"
WIDTH, HEIGHT = 24, 16


def pattern(width, height, phase):
    """An RGB image of smooth waves plus a fixed hash texture, so JPEG and resizing both matter."""
    image = Image.new("RGB", (width, height))
    for y in range(height):
        for x in range(width):
            texture = (x * 73 + y * 151 + phase * 37) % 29
            image.putpixel((x, y), tuple(
                max(0, min(255, int(128 + 90 * math.sin(0.45 * x + 0.3 * y + phase + 2.1 * c) + 3 * texture - 42)))
                for c in range(3)))
    return image


def write_images():
    """Writes the image tree; returns the class folders' files in sorted class order."""
    rgba = pattern(WIDTH, HEIGHT, 3).convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize((WIDTH, HEIGHT)))
    palette = pattern(WIDTH, HEIGHT, 1).quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    exif = Image.Exif()
    exif[0x0112] = 6
    files = [
        ("a_rgb/rgb.png", lambda path: pattern(WIDTH, HEIGHT, 0).save(path)),
        ("b_palette/palette.png", lambda path: palette.save(path, transparency=0)),
        ("c_gray/gray.png", lambda path: pattern(WIDTH, HEIGHT, 2).convert("L").save(path)),
        ("d_rgba/rgba.png", lambda path: rgba.save(path)),
        ("e_jpeg/color.jpg", lambda path: pattern(WIDTH, HEIGHT, 4).save(path, quality=90, subsampling=2)),
        ("f_exif/rotated.JPG",
         lambda path: pattern(HEIGHT, WIDTH, 5).save(path, quality=90, subsampling=2, exif=exif.tobytes())),
        ("g_gray_jpeg/gray.jpeg", lambda path: pattern(WIDTH, HEIGHT, 6).convert("L").save(path, quality=90)),
    ]
    paths = []
    for name, save in files:
        path = os.path.join(IMAGE_DIR, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        save(path)
        paths.append(path)
    return paths


def write_exif_images():
    """Writes orientation_<o>.jpg for o = 1..8; returns their paths in order."""
    folder = os.path.join(DATA_DIR, "image_folder_exif")
    os.makedirs(folder, exist_ok=True)
    paths = []
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        path = os.path.join(folder, "orientation_%d.jpg" % orientation)
        pattern(WIDTH, HEIGHT, 7).save(path, quality=90, subsampling=2, exif=exif.tobytes())
        paths.append(path)
    return paths


def tv_resize(image, size):
    """torchvision.transforms.functional.resize(image, size) on a PIL image, int size."""
    w, h = image.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size, int(size * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    if (new_w, new_h) == (w, h):
        return image
    return image.resize((new_w, new_h), Image.BILINEAR)


def tv_center_crop(image, size):
    """torchvision.transforms.functional.center_crop(image, size) on a PIL image no smaller than size."""
    w, h = image.size
    top = int(round((h - size) / 2.0))
    left = int(round((w - size) / 2.0))
    return image.crop((left, top, left + size, top + size))


def load(path, mode, size):
    image = ImageOps.exif_transpose(Image.open(path)).convert(mode)
    if size:
        image = tv_center_crop(tv_resize(image, size), size)
    pixels = torch.tensor(list(image.getdata()), dtype=torch.float32)  # (H * W) or (H * W, C)
    pixels = pixels.reshape(image.size[1], image.size[0], -1)
    return pixels.permute(2, 0, 1)  # (C, H, W)


def main():
    paths = write_images()
    cases = {"native_rgb": ("RGB", None), "native_gray": ("L", None), "size10_rgb": ("RGB", 10),
             "size20_rgb": ("RGB", 20), "size10_gray": ("L", 10)}
    tensors = {"labels": torch.arange(len(paths), dtype=torch.float32)}
    for case, (mode, size) in cases.items():
        tensors[case + ".pixels"] = torch.stack([load(path, mode, size) for path in paths])
    tensors["exif_size16.pixels"] = torch.stack([load(path, "RGB", 16) for path in write_exif_images()])
    write_safetensors(os.path.join(DATA_DIR, "image_folder.safetensors"), tensors, {"generator": GENERATOR})


if __name__ == "__main__":
    main()
