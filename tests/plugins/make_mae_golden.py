#!/usr/bin/python3
"""Writes the reference tensors that tests/plugins/mae_test.cpp compares against.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_mae_golden.py

Every formula here is written from facebookresearch/mae, never from sslflow's code:

  models_mae.py, MaskedAutoencoderViT:
    random_masking   len_keep = int(L * (1 - mask_ratio)); ids_shuffle = argsort(noise),
                     ids_restore = argsort(ids_shuffle); keep ids_shuffle[:, :len_keep];
                     mask = 1 except the first len_keep, unshuffled by ids_restore
    forward_encoder  patch embedding, + pos_embed[:, 1:], random_masking, then the class
                     token + pos_embed[:, :1] prepended, the blocks, the norm
    forward_decoder  decoder_embed; mask tokens appended and the sequence unshuffled by
                     gathering with ids_restore; the class token put back in front;
                     + decoder_pos_embed; decoder blocks; decoder_norm; decoder_pred; the
                     class token removed
    patchify         'nchpwq->nhwpqc': a patch's values in (py, px, c) order
    forward_loss     norm_pix_loss: (target - mean) / (var + 1e-6) ** .5 with
                     target.var(dim=-1) (unbiased, torch's default); per-patch mean of
                     (pred - target) ** 2, then (loss * mask).sum() / mask.sum()
  util/pos_embed.py  get_2d_sincos_pos_embed(embed_dim, grid_size, cls_token=True)

The encoder is sslflow's vit with `masked: drop` (make_encoders_golden.py's layout without
the mask token: conv patch embedding, learned cls_token and pos_embed, nn.MultiheadAttention
blocks, LayerNorm eps 1e-6); its blocks are timm's Block, as models_mae.py's. sslflow's
random numbers differ from PyTorch's, so the keep-permutation is data: ids_shuffle is
drawn here and stored with the mask it gives.

sslflow's encoder hands on the visible tokens in grid order, where random_masking keeps
them in the order of ids_shuffle. The blocks do not depend on that order (self-attention
is permutation-equivariant, and the positions were added before the drop), and the
decoder's gather by ids_restore undoes it; so the loss and every gradient are the same,
and `tokens` below is the encoder's latent reordered to grid order for the comparison.

Each case stores, computed in float64 and stored as float32, under "<case>.<name>":

    image, ids_shuffle, mask             the input and its masking (mask: 1 removed)
    encoder.<name>                       the vit's state dict
    method.<name>                        the decoder's state dict, with decoder_pos_embed
    features, tokens                     the encoder's class token (B, D) and visible
                                         tokens (B, K, D) in grid order
    loss                                 the scalar loss
    grad.tokens, grad.features           d loss / d the encoder's outputs
    grad.method.<name>, grad.encoder.<name>   d loss / d each parameter

The file is written with tests/golden/make_golden.py's safetensors writer; rerunning the
script rewrites identical bytes.
"""

import os
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import write_safetensors  # noqa: E402
from make_encoders_golden import Block, PatchEmbed  # noqa: E402  (timm's pre-norm block, LayerNorm eps 1e-6)

OUT = os.path.join(HERE, "data", "mae.safetensors")
GENERATOR = "tests/plugins/make_mae_golden.py"
SEED = 20240613

# name, batch, channels, size, patch, dim, depth, heads, decoder dim, depth, heads, mask_ratio, norm_pix_loss
CASES = [
    ("norm_pix", 2, 2, 8, 2, 8, 1, 2, 8, 2, 2, 0.75, True),
    ("plain", 3, 1, 8, 4, 8, 2, 2, 12, 1, 3, 0.5, False),
]


def get_1d_sincos_pos_embed_from_grid(embed_dim, pos):
    omega = np.arange(embed_dim // 2, dtype=np.float64)
    omega /= embed_dim / 2.0
    omega = 1.0 / 10000**omega
    out = np.einsum("m,d->md", pos.reshape(-1), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def get_2d_sincos_pos_embed(embed_dim, grid_size):
    """util/pos_embed.py's, with cls_token=True."""
    grid_h = np.arange(grid_size, dtype=np.float32)
    grid_w = np.arange(grid_size, dtype=np.float32)
    grid = np.stack(np.meshgrid(grid_w, grid_h), axis=0).reshape([2, 1, grid_size, grid_size])
    emb_h = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[0])
    emb_w = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[1])
    pos_embed = np.concatenate([emb_h, emb_w], axis=1)
    return np.concatenate([np.zeros([1, embed_dim]), pos_embed], axis=0)


class Encoder(nn.Module):
    """forward_encoder on sslflow's vit parameters."""

    def __init__(self, channels, size, patch, dim, depth, heads):
        super().__init__()
        tokens = (size // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens + 1, dim))
        self.patch_embed = PatchEmbed(channels, dim, patch)
        self.blocks = nn.ModuleList([Block(dim, heads, 4.0) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, imgs, ids_shuffle, len_keep):
        x = self.patch_embed.proj(imgs).flatten(2).transpose(1, 2)
        x = x + self.pos_embed[:, 1:, :]
        ids_keep = ids_shuffle[:, :len_keep]
        x = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        cls_token = self.cls_token + self.pos_embed[:, :1, :]
        x = torch.cat((cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        for blk in self.blocks:
            x = blk(x)
        return self.norm(x)


class Decoder(nn.Module):
    """forward_decoder, with models_mae.py's parameter names."""

    def __init__(self, dim, patches, grid, decoder_dim, depth, heads, out_dim):
        super().__init__()
        self.decoder_embed = nn.Linear(dim, decoder_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_dim))
        pos = torch.from_numpy(get_2d_sincos_pos_embed(decoder_dim, grid)).float().unsqueeze(0)
        self.decoder_pos_embed = nn.Parameter(pos, requires_grad=False)
        self.decoder_blocks = nn.ModuleList([Block(decoder_dim, heads, 4.0) for _ in range(depth)])
        self.decoder_norm = nn.LayerNorm(decoder_dim, eps=1e-6)
        self.decoder_pred = nn.Linear(decoder_dim, out_dim)

    def forward(self, x, ids_restore):
        x = self.decoder_embed(x)
        mask_tokens = self.mask_token.repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
        x_ = torch.cat([x[:, 1:, :], mask_tokens], dim=1)
        x_ = torch.gather(x_, dim=1, index=ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
        x = torch.cat([x[:, :1, :], x_], dim=1)
        x = x + self.decoder_pos_embed
        for blk in self.decoder_blocks:
            x = blk(x)
        x = self.decoder_pred(self.decoder_norm(x))
        return x[:, 1:, :]


def patchify(imgs, p):
    n, c, hp, wp = imgs.shape
    h, w = hp // p, wp // p
    x = imgs.reshape(n, c, h, p, w, p)
    x = torch.einsum("nchpwq->nhwpqc", x)
    return x.reshape(n, h * w, p * p * c)


def forward_loss(imgs, pred, mask, p, norm_pix_loss):
    target = patchify(imgs, p)
    if norm_pix_loss:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.0e-6) ** 0.5
    loss = ((pred - target) ** 2).mean(dim=-1)
    return (loss * mask).sum() / mask.sum()


def randomize(module, generator):
    """Draws every learned parameter, so that no weight is 1 and no bias 0 by default."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if not p.requires_grad:
                continue
            noise = torch.randn(p.shape, generator=generator)
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * noise)
            elif p.dim() == 1:
                p.copy_(0.2 * noise)
            else:
                p.copy_(noise / p[0].numel() ** 0.5)


def case(name, batch, channels, size, patch, dim, depth, heads, dec_dim, dec_depth, dec_heads, ratio, norm_pix):
    generator = torch.Generator().manual_seed(SEED + zlib.crc32(name.encode()))
    grid = size // patch
    patches = grid * grid
    encoder = Encoder(channels, size, patch, dim, depth, heads)
    decoder = Decoder(dim, patches, grid, dec_dim, dec_depth, dec_heads, patch * patch * channels)
    randomize(encoder, generator)
    randomize(decoder, generator)
    imgs = torch.randn(batch, channels, size, size, generator=generator)

    len_keep = int(patches * (1 - ratio))  # random_masking
    noise = torch.rand(batch, patches, generator=generator)
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    mask = torch.ones([batch, patches])
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, dim=1, index=ids_restore)

    out = {f"{name}.encoder.{k}": v.clone() for k, v in encoder.state_dict().items()}
    out.update({f"{name}.method.{k}": v.clone() for k, v in decoder.state_dict().items()})
    encoder, decoder = encoder.double(), decoder.double()
    x = imgs.double()
    latent = encoder(x, ids_shuffle, len_keep)
    latent.retain_grad()
    pred = decoder(latent, ids_restore)
    loss = forward_loss(x, pred, mask.double(), patch, norm_pix)
    loss.backward()

    grid_order = torch.argsort(ids_shuffle[:, :len_keep], dim=1)  # the kept tokens sorted by patch
    gather = grid_order.unsqueeze(-1).repeat(1, 1, dim)
    out[f"{name}.image"] = imgs
    out[f"{name}.ids_shuffle"] = ids_shuffle.float()
    out[f"{name}.mask"] = mask
    out[f"{name}.features"] = latent[:, 0]
    out[f"{name}.tokens"] = torch.gather(latent[:, 1:], 1, gather)
    out[f"{name}.loss"] = loss
    out[f"{name}.grad.features"] = latent.grad[:, 0]
    out[f"{name}.grad.tokens"] = torch.gather(latent.grad[:, 1:], 1, gather)
    for k, p in decoder.named_parameters():
        if p.requires_grad:
            out[f"{name}.grad.method.{k}"] = p.grad
    for k, p in encoder.named_parameters():
        out[f"{name}.grad.encoder.{k}"] = p.grad
    return out


def main():
    torch.manual_seed(SEED)
    tensors = {}
    for c in CASES:
        tensors.update(case(*c))
    metadata = {"generator": GENERATOR, "torch": torch.__version__, "compute": "float64", "stored": "float32"}
    write_safetensors(OUT, tensors, metadata)
    print(f"{OUT}: {len(tensors)} tensors")


if __name__ == "__main__":
    main()
