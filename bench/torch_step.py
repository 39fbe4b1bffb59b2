#!/usr/bin/python3
"""sslflow's shipped training recipes in plain PyTorch, one full training step at a time.

    simsiam_mlp      pipelines/simsiam_mlp_fmnist.yaml: SimSiam on an MLP 784-512-512-256
    simsiam_convnet  pipelines/simsiam_fmnist.yaml: SimSiam on the ConvNet 32-64-128
    data2vec_vit     pipelines/data2vec_fmnist.yaml: data2vec on a ViT (patch 7, dim 64,
                     depth 4, 4 heads) with an EMA teacher
    byol_convnet     pipelines/byol_fmnist.yaml: BYOL on the ConvNet with an EMA teacher
    vicreg_convnet   pipelines/vicreg_fmnist.yaml: VICReg on the ConvNet
    simclr_resnet18  pipelines/simclr_image_folder.yaml: SimCLR on the CIFAR ResNet-18 with
                     the colour augmentations, on random 32 x 32 RGB images

A step is what sslflow's training loop does for one batch: read 256 images, augment them
(or mask their patches), forward, backward, the optimizer step at the scheduled learning
rate, the EMA update of the teacher, and the metrics sslflow logs every step (the method's,
the online probe's accuracy, the gradient norm). The augmentation is batched: one
affine_grid + grid_sample for every view's random resized crop and flip, broadcast
per-sample factors for the colour jitter (and selections and grouped convolutions for
ColorAugment's grayscale and blur). Modules carry sslflow's names ("<node>.<parameter>"),
so the state dict and a sslflow run's model.safetensors compare name by name.

Speed (the default) prints one JSON line: the median step in ms over --steps steps after
--warmup, images/s (batch / median step; an image is one dataset sample, whatever the
number of views), the peak resident memory (ru_maxrss, MiB) and the model's size. With
--sslflow-weights RUN_DIR/model.safetensors it also compares the state dict's tensor names
and shapes with that run's.

Accuracy (--eval) trains --epochs over the training split (at most --max-steps steps),
then evaluates the encoder's frozen features on the un-augmented images as plugins/eval
does: weighted cosine kNN (k 20, T 0.07) and a multinomial logistic regression on
standardised features (L-BFGS); test accuracies, one JSON line.

Run with Debian's PyTorch 1.13 and torchvision 0.14 (/usr/bin/python3; apt-get install
python3-torch python3-torchvision); PyTorch runs on --threads threads.
"""
import argparse
import copy
import gzip
import json
import math
import os
import resource
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.transforms import functional_tensor

BATCH = 256
CLASSES = 10


# --- Data: Fashion-MNIST's IDX files, both splits in memory as bytes, as plugins/data/idx.


def read_idx(path):
    """The array of an IDX file (gzip-compressed or not), uint8."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def find_file(directory, name):
    plain = os.path.join(directory, name)
    return plain if os.path.exists(plain) else plain + ".gz"


def load_split(directory, prefix):
    """images (N, 1, H, W) uint8, labels (N) int64."""
    images = read_idx(find_file(directory, prefix + "-images-idx3-ubyte"))
    labels = read_idx(find_file(directory, prefix + "-labels-idx1-ubyte"))
    return torch.from_numpy(images.copy()).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def random_rgb(count):
    """count random 32 x 32 RGB images (N, 3, 32, 32) uint8 and labels (N) int64."""
    return torch.randint(0, 256, (count, 3, 32, 32), dtype=torch.uint8), torch.randint(0, CLASSES, (count,))


def load_data(args):
    """The training and test splits, each (images, labels): Fashion-MNIST's; for the RGB
    recipe random images, as many as run_step.sh gives sslflow's synthetic dataset (a step's
    cost does not depend on the pixels)."""
    if args.recipe == "simclr_resnet18":
        return random_rgb(2560), random_rgb(256)
    return load_split(args.data, "train"), load_split(args.data, "t10k")


# --- Augmentation: plugins/augment's `augment` (crop, jitter, flip) and `patch_mask`.


class Augment:
    """One random view per image: torchvision's RandomResizedCrop (area fraction uniform in
    `scale`, aspect ratio log-uniform in `ratio`, 10 attempts, then the central crop) with
    bilinear resampling back to the input size, brightness and contrast jitter in random
    order with probability `jitter_prob`, and a horizontal flip with probability `flip`.
    Jitter is per image and flip per pixel position, so they commute: the flip goes into
    the crop's sampling grid."""

    ATTEMPTS = 10

    def __init__(self, scale=(0.4, 1.0), ratio=(3 / 4, 4 / 3), flip=0.5, jitter=0.4, jitter_prob=0.8):
        self.scale = scale
        self.log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
        self.ratio = ratio
        self.flip = flip
        self.jitter = jitter
        self.jitter_prob = jitter_prob

    def crop_boxes(self, batch, height, width):
        """top, left, h, w (B) of one crop per image, as float tensors."""
        shape = (batch, self.ATTEMPTS)
        area = height * width * torch.empty(shape).uniform_(*self.scale)
        aspect = torch.exp(torch.empty(shape).uniform_(*self.log_ratio))
        w = torch.round(torch.sqrt(area * aspect))  # half to even, as Python's round()
        h = torch.round(torch.sqrt(area / aspect))
        fits = (w > 0) & (w <= width) & (h > 0) & (h <= height)
        first = fits.int().argmax(1, keepdim=True)  # the first attempt that fits
        fallback_w, fallback_h = float(width), float(height)  # the central crop, ratio clamped
        if width / height < self.ratio[0]:
            fallback_h = float(round(width / self.ratio[0]))
        elif width / height > self.ratio[1]:
            fallback_w = float(round(height * self.ratio[1]))
        found = fits.any(1)
        w = torch.where(found, w.gather(1, first).squeeze(1), torch.tensor(fallback_w))
        h = torch.where(found, h.gather(1, first).squeeze(1), torch.tensor(fallback_h))
        top = torch.where(found, torch.floor(torch.rand(batch) * (height - h + 1)), torch.floor((height - h) / 2))
        left = torch.where(found, torch.floor(torch.rand(batch) * (width - w + 1)), torch.floor((width - w) / 2))
        return top, left, h, w

    def crop_and_flip(self, images):
        """images (B, C, H, W) -> (B, C, H, W). Output pixel centres map to the crop's
        source coordinates (o + 0.5) * crop / size - 0.5 (align_corners=False), as
        plugins/augment's resize_crop; the coordinates are clamped to the crop's first and
        last pixel centres, so that at the border the crop's edge repeats (as resize_crop,
        and torchvision's crop-then-resize) rather than the image beyond it showing."""
        batch, _, height, width = images.shape
        top, left, h, w = self.crop_boxes(batch, height, width)
        sign = torch.where(torch.rand(batch) < self.flip, -1.0, 1.0)
        theta = torch.zeros(batch, 2, 3)  # (B, 2, 3) output grid -> normalised source coordinates
        theta[:, 0, 0] = sign * w / width
        theta[:, 0, 2] = (2 * left + w) / width - 1
        theta[:, 1, 1] = h / height
        theta[:, 1, 2] = (2 * top + h) / height - 1
        grid = F.affine_grid(theta, list(images.shape), align_corners=False)  # (B, H, W, 2)
        # pixel i's centre is at (2 i + 1) / size - 1 in grid_sample's coordinates
        low = torch.stack([(2 * left + 1) / width - 1, (2 * top + 1) / height - 1], 1)  # (B, 2)
        high = torch.stack([(2 * (left + w) - 1) / width - 1, (2 * (top + h) - 1) / height - 1], 1)
        grid = torch.maximum(torch.minimum(grid, high[:, None, None, :]), low[:, None, None, :])
        return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)

    def color_jitter(self, images):
        """Brightness x -> clamp(b x) and contrast x -> clamp(c x + (1 - c) mean) with b, c
        uniform in [1 - s, 1 + s], in random order, per image; mean is the image's mean
        grey level (greyscale images: the mean of all values). A factor of 1 leaves an image
        in [0, 1] unchanged, so one broadcast pass per operation serves every image."""
        batch = images.shape[0]
        on = torch.rand(batch) < self.jitter_prob
        brightness_first = torch.rand(batch) < 0.5
        low, high = max(0.0, 1.0 - self.jitter), 1.0 + self.jitter
        brightness = torch.empty(batch).uniform_(low, high)
        contrast = torch.empty(batch).uniform_(low, high)
        one = torch.ones(batch)

        def per_image(factor):
            return factor.view(batch, 1, 1, 1)

        x = (images * per_image(torch.where(on & brightness_first, brightness, one))).clamp_(0, 1)
        c = per_image(torch.where(on, contrast, one))
        x = (c * x + (1 - c) * x.mean((1, 2, 3), keepdim=True)).clamp_(0, 1)
        return (x * per_image(torch.where(on & ~brightness_first, brightness, one))).clamp_(0, 1)

    def __call__(self, images):
        return self.color_jitter(self.crop_and_flip(images))


class ColorAugment(Augment):
    """The colour recipe of plugins/augment's `augment` (pipelines/simclr_image_folder.yaml):
    Augment's crop and flip, then torchvision's ColorJitter (brightness, contrast and
    saturation factors uniform in [1 - s, 1 + s], hue shift uniform in [-h, h], the four in
    a random order drawn per image, with probability `jitter_prob`), RandomGrayscale (p
    `grayscale`), GaussianBlur (p `blur`, a 3 x 3 kernel at 32 x 32, sigma uniform in
    [0.1, 2], reflected borders) and the per-channel Normalize. Batched as Augment: every
    random choice is per image, applied as a broadcast factor, a selection, or a grouped
    convolution with one kernel per image."""

    def __init__(self, scale=(0.08, 1.0), jitter=0.8, saturation=0.8, hue=0.2, jitter_prob=0.8, grayscale=0.2,
                 blur=0.5, kernel=3, mean=(0.4914, 0.4822, 0.4465), std=(0.2470, 0.2435, 0.2616)):
        super().__init__(scale=scale, jitter=jitter, jitter_prob=jitter_prob)
        self.saturation, self.hue, self.grayscale, self.blur, self.kernel = saturation, hue, grayscale, blur, kernel
        self.mean = torch.tensor(mean).view(1, 3, 1, 1)
        self.std = torch.tensor(std).view(1, 3, 1, 1)

    @staticmethod
    def grey(images):
        """torchvision's rgb_to_grayscale, (B, 3, H, W) -> (B, 1, H, W)."""
        r, g, b = images.unbind(1)
        return (0.2989 * r + 0.587 * g + 0.114 * b).unsqueeze(1)

    def color_jitter(self, images):
        batch = images.shape[0]
        on = (torch.rand(batch) < self.jitter_prob).view(batch, 1, 1, 1)

        def factors(strength):
            return torch.empty(batch).uniform_(max(0.0, 1.0 - strength), 1.0 + strength).view(batch, 1, 1, 1)

        def blend(x, other, factor):  # torchvision's _blend
            return (factor * x + (1 - factor) * other).clamp_(0, 1)

        brightness, contrast, saturation = factors(self.jitter), factors(self.jitter), factors(self.saturation)
        hue = torch.empty(batch).uniform_(-self.hue, self.hue).view(batch, 1, 1)
        operations = [
            lambda x: blend(x, torch.zeros_like(x), brightness),
            lambda x: blend(x, self.grey(x).mean((1, 2, 3), keepdim=True), contrast),
            lambda x: blend(x, self.grey(x), saturation),
            lambda x: self.shift_hue(x, hue),
        ]
        order = torch.rand(batch, len(operations)).argsort(1)  # (B, 4): each image's order
        x = images
        for position in range(len(operations)):
            chosen = order[:, position].view(batch, 1, 1, 1)
            x = sum(torch.where(chosen == index, operation(x), 0.0) for index, operation in enumerate(operations))
        return torch.where(on, x, images)

    @staticmethod
    def shift_hue(images, shift):
        """torchvision's adjust_hue with one shift per image: h -> (h + shift) mod 1 in HSV."""
        hsv = functional_tensor._rgb2hsv(images)
        h, s, v = hsv.unbind(1)
        return functional_tensor._hsv2rgb(torch.stack(((h + shift) % 1.0, s, v), 1))

    def random_grayscale(self, images):
        grey = torch.rand(images.shape[0]).view(-1, 1, 1, 1) < self.grayscale
        return torch.where(grey, self.grey(images).expand_as(images), images)

    def gaussian_blur(self, images):
        """torchvision's gaussian_blur per image: a normalised Gaussian at the kernel's
        integer offsets, separable, after reflect padding."""
        batch, channels, height, width = images.shape
        sigma = torch.empty(batch).uniform_(0.1, 2.0)
        sigma = torch.where(torch.rand(batch) < self.blur, sigma, torch.zeros(batch))
        offsets = torch.arange(self.kernel, dtype=torch.float32) - (self.kernel - 1) / 2
        weights = torch.exp(-0.5 * (offsets / sigma.clamp(min=1e-6).view(-1, 1)) ** 2)  # (B, k)
        weights = torch.where((sigma > 0).view(-1, 1), weights, (offsets == 0).float())  # no blur: identity
        weights = (weights / weights.sum(1, keepdim=True)).repeat_interleave(channels, 0)  # (B C, k)
        pad = self.kernel // 2
        x = F.pad(images.reshape(1, batch * channels, height, width), (pad, pad, pad, pad), mode="reflect")
        x = F.conv2d(x, weights.view(-1, 1, 1, self.kernel), groups=batch * channels)
        x = F.conv2d(x, weights.view(-1, 1, self.kernel, 1), groups=batch * channels)
        return x.view(batch, channels, height, width)

    def __call__(self, images):
        x = self.random_grayscale(self.color_jitter(self.crop_and_flip(images)))
        return (self.gaussian_blur(x) - self.mean) / self.std


def patch_mask(batch, tokens, ratio):
    """(B, T) bool: round(ratio * T) patches per image (half away from zero), chosen uniformly."""
    count = int(math.floor(ratio * tokens + 0.5))
    chosen = torch.rand(batch, tokens).argsort(1)[:, :count]
    return torch.zeros(batch, tokens, dtype=torch.bool).scatter_(1, chosen, True)


# --- Encoders: plugins/encoders (mlp, convnet, vit), sslflow's parameter names. Each
# returns (features (B, F), tokens (B, T, D) or None, [block outputs]).


class MlpLayer(nn.Module):
    def __init__(self, d_in, d_out, batch_norm):
        super().__init__()
        self.fc = nn.Linear(d_in, d_out)
        if batch_norm:
            self.bn = nn.BatchNorm1d(d_out)


class Mlp(nn.Module):
    """mlp: Linear -> BatchNorm1d -> ReLU per hidden layer, then a Linear."""

    def __init__(self, d_in=784, hidden=(512, 512), out_dim=256):
        super().__init__()
        widths = [d_in, *hidden]
        self.layers = nn.ModuleList([MlpLayer(a, b, True) for a, b in zip(widths, widths[1:])])
        self.layers.append(MlpLayer(widths[-1], out_dim, False))

    def forward(self, x, mask=None):
        h = x.flatten(1)
        for layer in self.layers[:-1]:
            h = F.relu(layer.bn(layer.fc(h)))
        return self.layers[-1].fc(h), None, []


class Stage(nn.Module):
    def __init__(self, d_in, d_out, stride):
        super().__init__()
        self.conv = nn.Conv2d(d_in, d_out, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(d_out)
        nn.init.kaiming_normal_(self.conv.weight, mode="fan_out", nonlinearity="relu")


class ConvNet(nn.Module):
    """convnet: 3x3 conv (no bias) -> BatchNorm2d -> ReLU per stage, then the last stage
    average-pooled to grid x grid equal windows (7 -> 2: windows of 4 at stride 3) and
    flattened; grid 1 is the global average pool."""

    def __init__(self, channels=(32, 64, 128), strides=(1, 2, 2), grid=1, side=28):
        super().__init__()
        widths = [1, *channels]
        self.stages = nn.ModuleList([Stage(a, b, s) for a, b, s in zip(widths, widths[1:], strides)])
        for stride in strides:
            side = (side - 1) // stride + 1
        self.kernel = -(-side // grid)
        self.stride = (side - self.kernel) // (grid - 1) if grid > 1 else 1

    def forward(self, x, mask=None):
        for stage in self.stages:
            x = F.relu(stage.bn(stage.conv(x)))
        return F.avg_pool2d(x, self.kernel, self.stride).flatten(1), None, []


class PatchEmbed(nn.Module):
    def __init__(self, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(1, dim, patch, patch)


class BlockMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        for fc in (self.fc1, self.fc2):
            nn.init.trunc_normal_(fc.weight, std=0.02)
            nn.init.zeros_(fc.bias)


class Block(nn.Module):
    """Pre-norm: x + attn(norm1(x)), then x + mlp(norm2(x))."""

    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = BlockMlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp.fc2(F.gelu(self.mlp.fc1(self.norm2(x))))


class Vit(nn.Module):
    """vit: patch embedding, masked patches replaced by a learned token, class token,
    learned positions, pre-norm blocks, final LayerNorm. Features: the class token;
    tokens: the patch tokens; blocks: each block's patch tokens (before the final norm)."""

    def __init__(self, size=28, dim=64, depth=4, heads=4, patch=7, mlp_ratio=4.0):
        super().__init__()
        tokens = (size // patch) ** 2
        self.cls_token = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, 1, dim), std=0.02))
        self.pos_embed = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, tokens + 1, dim), std=0.02))
        self.mask_token = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, 1, dim), std=0.02))
        self.patch_embed = PatchEmbed(dim, patch)
        self.blocks = nn.ModuleList([Block(dim, heads, mlp_ratio) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x, mask=None):
        h = self.patch_embed.proj(x).flatten(2).transpose(1, 2)  # (B, T, D)
        if mask is not None:
            h = torch.where(mask.unsqueeze(-1), self.mask_token, h)
        h = torch.cat([self.cls_token.expand(h.shape[0], -1, -1), h], 1) + self.pos_embed  # (B, T + 1, D)
        blocks = []
        for block in self.blocks:
            h = block(h)
            blocks.append(h[:, 1:])
        h = self.norm(h)
        return h[:, 0], h[:, 1:], blocks


class CifarResNet18(torchvision.models.ResNet):
    """resnet with depth 18 and stem cifar: torchvision's resnet18 (its names) with a 3x3
    stride-1 first convolution and no max-pool; features: the global average pool (512)."""

    def __init__(self):
        super().__init__(torchvision.models.resnet.BasicBlock, [2, 2, 2, 2])
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        nn.init.kaiming_normal_(self.conv1.weight, mode="fan_out", nonlinearity="relu")
        self.maxpool = nn.Identity()
        self.fc = nn.Identity()

    def forward(self, x, mask=None):
        return super().forward(x), None, []


# --- Training: plugins/optim, engine/train (learning-rate schedule, EMA).


def decay_groups(parameters, weight_decay):
    """Weight decay on parameters of rank 2 and above only, as plugins/optim's SlotOptimizer."""
    parameters = list(parameters)
    return [{"params": [p for p in parameters if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in parameters if p.dim() < 2], "weight_decay": 0.0}]


def learning_rate(base, step, warmup_steps, total_steps):
    """engine/train/lr_schedule: linear warm-up from 0, then half-cosine decay to 0."""
    if step < warmup_steps:
        return base * (step + 1) / warmup_steps
    progress = min(max((step - warmup_steps) / max(1, total_steps - warmup_steps), 0.0), 1.0)
    return base * 0.5 * (1.0 + math.cos(math.pi * progress))


def probe_loss(classifier, features, labels):
    """plugins/probe's online_probe: cross-entropy of a linear classifier on detached features."""
    logits = classifier(features.detach())  # (B, classes)
    top1 = (logits.argmax(1) == labels).float().mean()
    return F.cross_entropy(logits, labels), {"probe.top1": top1}


class SimSiam:
    """pipelines/simsiam_fmnist.yaml's objective around `encoder`: two augmented views, a
    2-layer projector (width 512, BatchNorm, no affine on the output) and a predictor with
    a bottleneck of 128, the symmetric negative cosine with stop-gradient targets, an online
    probe on the first view; SGD lr 0.06, momentum 0.9, weight decay 5e-4, cosine schedule."""

    base_lr = 0.06
    warmup_epochs = 0

    def __init__(self, encoder, feature_dim, proj_dim=512, pred_dim=128):
        self.augment = Augment()
        projector = nn.Sequential(nn.Linear(feature_dim, proj_dim, bias=False), nn.BatchNorm1d(proj_dim), nn.ReLU(),
                                  nn.Linear(proj_dim, proj_dim, bias=False), nn.BatchNorm1d(proj_dim, affine=False))
        predictor = nn.Sequential(nn.Linear(proj_dim, pred_dim, bias=False), nn.BatchNorm1d(pred_dim), nn.ReLU(),
                                  nn.Linear(pred_dim, proj_dim))
        self.model = nn.ModuleDict({
            "backbone": encoder,
            "objective": nn.ModuleDict({"projector": projector, "predictor": predictor}),
            "probe": nn.ModuleDict({"classifier": nn.Linear(feature_dim, CLASSES)}),
        })
        self.trainable = list(self.model.parameters())
        self.optimizer = torch.optim.SGD(decay_groups(self.trainable, 5e-4), lr=self.base_lr, momentum=0.9,
                                         foreach=True)

    def encoder(self):
        return self.model["backbone"]

    def loss(self, images, labels):
        backbone, heads = self.model["backbone"], self.model["objective"]
        x1 = backbone(self.augment(images))[0]
        x2 = backbone(self.augment(images))[0]
        z1, z2 = heads["projector"](x1), heads["projector"](x2)
        p1, p2 = heads["predictor"](z1), heads["predictor"](z2)
        loss = -0.5 * (F.cosine_similarity(p1, z2.detach(), dim=-1).mean() +
                       F.cosine_similarity(p2, z1.detach(), dim=-1).mean())
        probe, metrics = probe_loss(self.model["probe"]["classifier"], x1, labels)
        metrics.update(collapse_metrics(z1))
        return loss + probe, metrics

    def end_step(self, step, total_steps):
        pass


class Data2Vec:
    """pipelines/data2vec_fmnist.yaml: a ViT student sees each image with 60% of its patches
    masked and regresses, through a linear head, the layer-normalised average of its EMA
    teacher's last two blocks (each layer-normalised per token) on the full image;
    smooth-L1 with beta 2 on the masked patches; teacher momentum linear from 0.999 to
    0.9999; an online probe on the student's class token; AdamW lr 1e-3, weight decay
    0.05, one warm-up epoch then cosine."""

    base_lr = 1e-3
    warmup_epochs = 1

    def __init__(self, top_k=2, beta=2.0, mask_ratio=0.6, momentum=(0.999, 0.9999)):
        self.top_k, self.beta, self.mask_ratio, self.momentum = top_k, beta, mask_ratio, momentum
        student = Vit()
        teacher = copy.deepcopy(student).requires_grad_(False)
        self.model = nn.ModuleDict({
            "student": student,
            "teacher": teacher,
            "objective": nn.ModuleDict({"head": nn.Linear(64, 64)}),
            "probe": nn.ModuleDict({"classifier": nn.Linear(64, CLASSES)}),
        })
        self.trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(decay_groups(self.trainable, 0.05), lr=self.base_lr, foreach=True)
        self.teacher_state = list(teacher.state_dict().values())
        self.student_state = list(student.state_dict().values())

    def encoder(self):
        return self.model["student"]

    def loss(self, images, labels):
        student, teacher = self.model["student"], self.model["teacher"]
        mask = patch_mask(images.shape[0], student.pos_embed.shape[1] - 1, self.mask_ratio)  # (B, T)
        features, tokens, _ = student(images, mask)
        with torch.no_grad():
            blocks = teacher(images)[2]
            chosen = [F.layer_norm(b[mask], b.shape[-1:]) for b in blocks[-self.top_k:]]  # each (N, D)
            target = F.layer_norm(sum(chosen) / self.top_k, chosen[0].shape[-1:])
        pred = self.model["objective"]["head"](tokens[mask])  # (N, D)
        loss = F.smooth_l1_loss(pred, target, beta=self.beta)
        probe, metrics = probe_loss(self.model["probe"]["classifier"], features, labels)
        with torch.no_grad():  # plugins/data2vec/data2vec.cpp
            metrics.update({"objective.target_std": target.std(0, unbiased=False).mean(),
                            "objective.pred_std": pred.std(0, unbiased=False).mean(),
                            "objective.masked_fraction": mask.float().mean()})
        return loss + probe, metrics

    def end_step(self, step, total_steps):
        """teacher <- m teacher + (1 - m) student over every tensor, m linear in the run's progress."""
        progress = min(max(step / total_steps, 0.0), 1.0) if total_steps > 0 else 1.0
        m = self.momentum[0] + (self.momentum[1] - self.momentum[0]) * progress
        with torch.no_grad():
            torch._foreach_mul_(self.teacher_state, m)
            torch._foreach_add_(self.teacher_state, self.student_state, alpha=1.0 - m)


def collapse_metrics(z):
    """sslflow/collapse_metrics.hpp: the mean per-dimension std of the normalised rows."""
    with torch.no_grad():
        collapse_std = F.normalize(z, dim=1).std(0).mean()
    return {"objective.collapse_std": collapse_std, "objective.z_std_ratio": collapse_std * math.sqrt(z.shape[1])}


def foreach_ema(targets, sources, m):
    """target <- m target + (1 - m) source over lists of float tensors, in place."""
    with torch.no_grad():
        torch._foreach_mul_(targets, m)
        torch._foreach_add_(targets, sources, alpha=1.0 - m)


def float_state(module):
    return [t for t in module.state_dict().values() if t.is_floating_point()]


class Byol:
    """pipelines/byol_fmnist.yaml: two views, the ConvNet (2x2 cells) and its EMA teacher on
    both, a projector 512-1024-256 and a predictor 256-1024-256 (Linear with bias,
    BatchNorm, ReLU, Linear without), a target projector following the projector's
    parameters, 2 - 2 cos in both directions; tau from 0.996 to 1 on a cosine (teacher over
    every tensor, as the engine's ema_update); SGD lr 0.06, momentum 0.9, weight decay 5e-4."""

    base_lr = 0.06
    warmup_epochs = 0

    def __init__(self, grid=2, hidden=1024, dim=256, base_tau=0.996):
        self.augment = Augment()
        self.base_tau = base_tau

        def mlp(d_in):
            return nn.Sequential(nn.Linear(d_in, hidden), nn.BatchNorm1d(hidden), nn.ReLU(),
                                 nn.Linear(hidden, dim, bias=False))

        student = ConvNet(grid=grid)
        features = 128 * grid * grid
        projector = mlp(features)
        self.model = nn.ModuleDict({
            "backbone": student,
            "teacher": copy.deepcopy(student).requires_grad_(False),
            "objective": nn.ModuleDict({"projector": projector, "predictor": mlp(dim),
                                        "target_projector": copy.deepcopy(projector).requires_grad_(False)}),
            "probe": nn.ModuleDict({"classifier": nn.Linear(features, CLASSES)}),
        })
        self.trainable = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.SGD(decay_groups(self.trainable, 5e-4), lr=self.base_lr, momentum=0.9,
                                         foreach=True)

    def encoder(self):
        return self.model["backbone"]

    def loss(self, images, labels):
        heads = self.model["objective"]
        v1, v2 = self.augment(images), self.augment(images)
        x1, x2 = self.model["backbone"](v1)[0], self.model["backbone"](v2)[0]
        z1 = heads["projector"](x1)
        q1, q2 = heads["predictor"](z1), heads["predictor"](heads["projector"](x2))
        with torch.no_grad():
            k1 = heads["target_projector"](self.model["teacher"](v1)[0])
            k2 = heads["target_projector"](self.model["teacher"](v2)[0])

        def regression(q, k):  # 2 - 2 cos per sample
            return (F.normalize(q, dim=1) - F.normalize(k, dim=1)).pow(2).sum(1)

        loss = (regression(q1, k2) + regression(q2, k1)).mean()
        probe, metrics = probe_loss(self.model["probe"]["classifier"], x1, labels)
        metrics.update(collapse_metrics(z1))
        return loss + probe, metrics

    def end_step(self, step, total_steps):
        tau = 1 - (1 - self.base_tau) * (math.cos(math.pi * step / total_steps) + 1) / 2
        heads = self.model["objective"]
        foreach_ema(float_state(self.model["teacher"]), float_state(self.model["backbone"]), tau)
        foreach_ema(list(heads["target_projector"].parameters()), list(heads["projector"].parameters()), tau)


class VicReg:
    """pipelines/vicreg_fmnist.yaml: two views, the ConvNet (2x2 cells), an expander
    512-1024-1024-1024 (Linear with bias, BatchNorm, ReLU; the last Linear without bias),
    25 invariance + 25 variance + 1 covariance (the official VICReg's loss); SGD lr 0.06,
    momentum 0.9, weight decay 5e-4."""

    base_lr = 0.06
    warmup_epochs = 0

    def __init__(self, grid=2, width=1024):
        self.augment = Augment()
        features = 128 * grid * grid
        expander = nn.Sequential(nn.Linear(features, width), nn.BatchNorm1d(width), nn.ReLU(),
                                 nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(),
                                 nn.Linear(width, width, bias=False))
        self.model = nn.ModuleDict({
            "backbone": ConvNet(grid=grid),
            "objective": nn.ModuleDict({"projector": expander}),
            "probe": nn.ModuleDict({"classifier": nn.Linear(features, CLASSES)}),
        })
        self.trainable = list(self.model.parameters())
        self.optimizer = torch.optim.SGD(decay_groups(self.trainable, 5e-4), lr=self.base_lr, momentum=0.9,
                                         foreach=True)

    def encoder(self):
        return self.model["backbone"]

    def loss(self, images, labels):
        backbone, expander = self.model["backbone"], self.model["objective"]["projector"]
        x1 = backbone(self.augment(images))[0]
        z1, z2 = expander(x1), expander(backbone(self.augment(images))[0])
        batch, dim = z1.shape
        invariance = F.mse_loss(z1, z2)
        a, b = z1 - z1.mean(0), z2 - z2.mean(0)
        std_a, std_b = torch.sqrt(a.var(0) + 1e-4), torch.sqrt(b.var(0) + 1e-4)
        variance = F.relu(1 - std_a).mean() / 2 + F.relu(1 - std_b).mean() / 2
        def off_diagonal(m):  # the official VICReg's off_diagonal
            return m.flatten()[:-1].view(dim - 1, dim + 1)[:, 1:].flatten()

        covariance = (off_diagonal(a.T @ a / (batch - 1)).pow(2).sum() +
                      off_diagonal(b.T @ b / (batch - 1)).pow(2).sum()) / dim
        loss = 25 * invariance + 25 * variance + covariance
        probe, metrics = probe_loss(self.model["probe"]["classifier"], x1, labels)
        metrics.update(collapse_metrics(z1))
        return loss + probe, metrics

    def end_step(self, step, total_steps):
        pass


class Lars(torch.optim.Optimizer):
    """plugins/optim's lars: d = g + wd p; on decayed parameters the trust ratio
    r = eta |p| / |d| (1 where a norm is zero), else r = 1; b = mu b + lr r d; p -= b."""

    def __init__(self, groups, lr, momentum=0.9, eta=0.02):
        super().__init__(groups, {"lr": lr, "momentum": momentum, "eta": eta})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            decay = group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad.add(p, alpha=decay) if decay else p.grad
                rate = group["lr"]
                if decay:
                    p_norm, d_norm = torch.linalg.vector_norm(p), torch.linalg.vector_norm(d)
                    if p_norm > 0 and d_norm > 0:
                        rate = rate * float(group["eta"] * p_norm / d_norm)
                buffer = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buffer.mul_(group["momentum"]).add_(d, alpha=rate)
                p.sub_(buffer)


def nt_xent(z1, z2, temperature):
    """plugins/losses' nt_xent: each of the 2B normalised projections picks out its other
    view among the 2B - 1 others by cross-entropy over cosine / T; returns the loss and the
    fraction of projections whose most similar other projection is their other view."""
    z = F.normalize(torch.cat([z1, z2]), dim=1)  # (2B, D)
    batch = z1.shape[0]
    logits = (z @ z.T / temperature).fill_diagonal_(float("-inf"))  # (2B, 2B)
    positives = torch.cat([torch.arange(batch, 2 * batch), torch.arange(batch)])
    accuracy = (logits.argmax(1) == positives).float().mean()
    return F.cross_entropy(logits, positives), accuracy


class SimClr:
    """pipelines/simclr_image_folder.yaml on 32 x 32 RGB images: two views of ColorAugment,
    the CIFAR ResNet-18, a 512-2048-256 projection head with batch norm after the hidden
    layer, NT-Xent at temperature 0.2, an online probe on the first view; LARS lr 0.4,
    weight decay 1e-4, eta 0.02, 10 warm-up epochs then cosine."""

    base_lr = 0.4
    warmup_epochs = 10

    def __init__(self, temperature=0.2):
        self.augment = ColorAugment()
        self.temperature = temperature
        projector = nn.Sequential(nn.Linear(512, 2048, bias=False), nn.BatchNorm1d(2048), nn.ReLU(),
                                  nn.Linear(2048, 256))
        self.model = nn.ModuleDict({
            "backbone": CifarResNet18(),
            "objective": nn.ModuleDict({"projector": projector}),
            "probe": nn.ModuleDict({"classifier": nn.Linear(512, CLASSES)}),
        })
        self.trainable = list(self.model.parameters())
        self.optimizer = Lars(decay_groups(self.trainable, 1e-4), lr=self.base_lr)

    def encoder(self):
        return self.model["backbone"]

    def loss(self, images, labels):
        backbone, projector = self.model["backbone"], self.model["objective"]["projector"]
        x1 = backbone(self.augment(images))[0]
        x2 = backbone(self.augment(images))[0]
        z1, z2 = projector(x1), projector(x2)
        loss, accuracy = nt_xent(z1, z2, self.temperature)
        probe, metrics = probe_loss(self.model["probe"]["classifier"], x1, labels)
        metrics.update({"objective.contrastive_accuracy": accuracy, **collapse_metrics(z1)})
        return loss + probe, metrics

    def end_step(self, step, total_steps):
        pass


# Each recipe from the command line's options (only the ConvNet reads one: --grid).
RECIPES = {
    "simsiam_mlp": lambda args: SimSiam(Mlp(), 256),
    "simsiam_convnet": lambda args: SimSiam(ConvNet(grid=args.grid), 128 * args.grid * args.grid),
    "data2vec_vit": lambda args: Data2Vec(),
    "simclr_resnet18": lambda args: SimClr(),
    "byol_convnet": lambda args: Byol(grid=args.grid),
    "vicreg_convnet": lambda args: VicReg(grid=args.grid),
}


class Trainer:
    """engine/train/trainer.cpp's loop: each epoch a random order of the training split,
    batches of 256, a last partial batch dropped."""

    def __init__(self, recipe, images, labels, total_steps):
        self.recipe, self.images, self.labels = recipe, images, labels
        self.per_epoch = images.shape[0] // BATCH
        self.total = total_steps
        self.warmup = round(recipe.warmup_epochs * self.per_epoch)
        self.order = None

    def step(self, step):
        """One training step; returns the loss and every metric as floats."""
        recipe = self.recipe
        if step % self.per_epoch == 0:
            self.order = torch.randperm(self.images.shape[0])
        index = self.order[(step % self.per_epoch) * BATCH:(step % self.per_epoch + 1) * BATCH]
        images = self.images[index].float().div_(255)  # (B, 1, H, W)
        loss, metrics = recipe.loss(images, self.labels[index])
        if not torch.isfinite(loss):
            raise FloatingPointError(f"step {step}: the loss is not finite ({loss.item()})")
        recipe.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad for p in recipe.trainable if p.grad is not None]
        metrics["grad_norm"] = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
        rate = learning_rate(recipe.base_lr, step, self.warmup, self.total)
        for group in recipe.optimizer.param_groups:
            group["lr"] = rate
        recipe.optimizer.step()
        recipe.end_step(step, self.total)
        return {"loss": loss.item(), **{k: float(v) for k, v in metrics.items()}}


# --- Evaluation: plugins/eval's knn and linear_probe on frozen features.


@torch.no_grad()
def extract_features(encoder, images, batch=1024):
    """The encoder's features (N, F) of un-augmented images, in evaluation mode."""
    encoder.eval()
    out = torch.cat([encoder(images[i:i + batch].float().div_(255))[0] for i in range(0, images.shape[0], batch)])
    encoder.train()
    return out


@torch.no_grad()
def knn(train, train_labels, test, test_labels, k=20, temperature=0.07, chunk=256):
    """Weighted cosine kNN: the k most similar training samples vote with exp(cos / T)."""
    bank = F.normalize(train, dim=1)  # (N, F)
    test = F.normalize(test, dim=1)  # (M, F)
    top1 = top5 = 0
    for begin in range(0, test.shape[0], chunk):
        similarity, index = (test[begin:begin + chunk] @ bank.T).topk(k, dim=1)  # (m, k)
        scores = torch.zeros(similarity.shape[0], CLASSES, dtype=torch.float64)
        scores.scatter_add_(1, train_labels[index], torch.exp(similarity.double() / temperature))
        ranked = scores.argsort(1, descending=True)
        hits = ranked == test_labels[begin:begin + chunk, None]
        top1 += int(hits[:, 0].sum())
        top5 += int(hits[:, :5].sum())
    return {"knn.top1": top1 / test.shape[0], "knn.top5": top5 / test.shape[0]}


def linear_probe(train, train_labels, test, test_labels, l2=1e-4, max_iterations=200):
    """Multinomial logistic regression on features standardised by the training split's
    mean and population standard deviation: W, b from zero minimise mean cross-entropy +
    l2 / 2 ||W||^2 by L-BFGS (history 10), in double precision."""
    mean, std = train.double().mean(0), train.double().std(0, unbiased=False)
    std = torch.where(std > 0, std, torch.ones_like(std))
    x, x_test = (train.double() - mean) / std, (test.double() - mean) / std
    weight = torch.zeros(CLASSES, x.shape[1], dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(CLASSES, dtype=torch.float64, requires_grad=True)
    lbfgs = torch.optim.LBFGS([weight, bias], lr=1, max_iter=max_iterations, history_size=10, tolerance_grad=1e-7,
                              tolerance_change=1e-9, line_search_fn="strong_wolfe")

    def objective():
        return F.cross_entropy(x @ weight.T + bias, train_labels) + 0.5 * l2 * weight.pow(2).sum()

    def closure():
        lbfgs.zero_grad()
        value = objective()
        value.backward()
        return value

    lbfgs.step(closure)
    with torch.no_grad():
        def accuracy(features, labels):
            return float(((features @ weight.T + bias).argmax(1) == labels).double().mean())

        return {"linear_probe.top1": accuracy(x_test, test_labels),
                "linear_probe.train_top1": accuracy(x, train_labels),
                "linear_probe.train_loss": float(objective())}


# --- The model's size, and its comparison with a sslflow run's weights.


def safetensors_header(path):
    """A safetensors file's tensor entries ({name: {"dtype", "shape", "data_offsets"}}) and
    the file offset their data_offsets count from."""
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    header.pop("__metadata__", None)
    return header, 8 + size


def safetensors_shapes(path):
    """{name: shape} from a safetensors file's header."""
    return {name: entry["shape"] for name, entry in safetensors_header(path)[0].items()}


def model_size(recipe, sslflow_weights):
    """Trainable parameters, the state dict's tensors and values and, given a sslflow run's
    weights, theirs and whether names and shapes agree (the first few that do not)."""
    state = {name: list(t.shape) for name, t in recipe.model.state_dict().items()}
    size = {"parameters": sum(p.numel() for p in recipe.trainable),
            "state_tensors": len(state), "state_values": sum(math.prod(s) for s in state.values())}
    if sslflow_weights:
        theirs = safetensors_shapes(sslflow_weights)
        differ = sorted(name for name in state.keys() | theirs.keys() if state.get(name) != theirs.get(name))
        size.update({"sslflow_state_tensors": len(theirs),
                     "sslflow_state_values": sum(math.prod(s) for s in theirs.values()),
                     "state_match": not differ, "state_differences": differ[:5]})
    return size


def peak_mib():
    """The process's peak resident memory so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", choices=sorted(RECIPES), required=True)
    parser.add_argument("--steps", type=int, default=20, help="timed steps (speed)")
    parser.add_argument("--warmup", type=int, default=5, help="steps before the timed ones (speed)")
    parser.add_argument("--eval", action="store_true", help="train --epochs, then evaluate the features (accuracy)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs to train (accuracy)")
    parser.add_argument("--max-steps", type=int, default=0,
                        help="stop after this many steps; 0: every epoch (accuracy)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grid", type=int, default=2,
                        help="simsiam_convnet: the convnet's `grid` (2 as pipelines/simsiam_fmnist.yaml; "
                             "1: global pool)")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="directory of the IDX files")
    parser.add_argument("--sslflow-weights", default="", help="a sslflow run's model.safetensors to compare with")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    (train_images, train_labels), (test_images, test_labels) = load_data(args)
    recipe = RECIPES[args.recipe](args)
    result = {"impl": "pytorch", "recipe": args.recipe, "batch": BATCH, "threads": args.threads}

    if args.eval:
        per_epoch = train_images.shape[0] // BATCH
        total = args.epochs * per_epoch if args.max_steps <= 0 else min(args.max_steps, args.epochs * per_epoch)
        trainer = Trainer(recipe, train_images, train_labels, total)
        start = time.perf_counter()
        for step in range(total):
            last = trainer.step(step)
        train_features = extract_features(recipe.encoder(), train_images)
        test_features = extract_features(recipe.encoder(), test_images)
        result.update({"epochs": args.epochs, "steps": total, "loss": last["loss"]})
        result.update(knn(train_features, train_labels, test_features, test_labels))
        result.update(linear_probe(train_features, train_labels, test_features, test_labels))
        result["seconds"] = round(time.perf_counter() - start, 1)
    else:
        total = args.warmup + args.steps
        trainer = Trainer(recipe, train_images, train_labels, total)
        ms = []
        for step in range(total):
            start = time.perf_counter()
            trainer.step(step)
            ms.append((time.perf_counter() - start) * 1e3)
        step_ms = statistics.median(ms[args.warmup:])
        result.update({"steps": args.steps, "warmup": args.warmup, "step_ms": round(step_ms, 2),
                       "images_per_s": round(BATCH / (step_ms / 1e3), 1)})
    result["peak_mib"] = round(peak_mib(), 1)
    result.update(model_size(recipe, args.sslflow_weights))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
