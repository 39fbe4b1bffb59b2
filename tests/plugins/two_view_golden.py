"""What the golden scripts of the two-view methods (make_simsiam_golden.py,
make_simclr_golden.py) share: a case's heads and views before the step, and the tensors a
step leaves behind, as tests/plugins/two_view_methods.hpp's MethodGolden reads them."""

import torch
import torch.nn as nn

from make_golden import case_generator, case_seed


def case_start(key, build_heads, batch, features, spread):
    """The heads build_heads() makes under torch's seed for "<key>/init", each affine batch
    norm's weight and bias perturbed so that they matter, and two views x1 (B, F) and
    x2 = x1 + spread * noise, drawn in float32 from the generator of `key`.

    Returns (heads, x1, x2, stored): the heads in float64 and training mode, the views as
    float64 leaves that require a gradient, and the float32 tensors to store: x1, x2 and
    the heads' state before the step."""
    generator = case_generator(key)
    torch.manual_seed(case_seed(f"{key}/init"))
    heads = build_heads()
    with torch.no_grad():
        for module in heads.modules():
            if isinstance(module, nn.BatchNorm1d) and module.affine:
                module.weight.copy_(1.0 + 0.3 * torch.randn(module.weight.shape, generator=generator))
                module.bias.copy_(0.2 * torch.randn(module.bias.shape, generator=generator))
    x1 = torch.randn(batch, features, generator=generator)
    x2 = x1 + spread * torch.randn(batch, features, generator=generator)

    stored = {"x1": x1, "x2": x2}
    stored.update({k: v.clone() for k, v in heads.state_dict().items()})
    return heads.double().train(), x1.double().requires_grad_(), x2.double().requires_grad_(), stored


def step_tensors(heads, x1, x2):
    """After the backward pass: d loss / d x1, x2 and every parameter ("<name>.grad"), and the
    buffers the step updated ("<name>.updated")."""
    out = {"x1.grad": x1.grad, "x2.grad": x2.grad}
    for pname, param in heads.named_parameters():
        out[pname + ".grad"] = param.grad
    for bname, buffer in heads.named_buffers():
        out[bname + ".updated"] = buffer
    return out
