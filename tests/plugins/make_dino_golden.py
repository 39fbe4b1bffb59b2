#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/dino_test.cpp compares the dino method
against: tests/plugins/data/dino.safetensors.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_dino_golden.py

The formulas follow DINO's official code (facebookresearch/dino):

    vision_transformer.py, DINOHead:    mlp (Linear, GELU, ..., Linear), F.normalize, then
                                        weight_norm(Linear(bottleneck, out, bias=False)) with
                                        weight_g filled with 1 (and frozen with norm_last_layer)
    main_dino.py, DINOLoss.forward:     student_output / student_temp chunked by crop;
                                        softmax((teacher_output - center) / temp) chunked in
                                        two; sum over (iq, v), v != iq, of mean_b sum_k
                                        -q log_softmax(s_v), divided by the number of pairs
    main_dino.py, DINOLoss.__init__:    teacher_temp_schedule = linspace(warmup_teacher_temp,
                                        teacher_temp, warmup_epochs) then teacher_temp
    main_dino.py, update_center:        center * m + mean(teacher_output, dim 0) * (1 - m)
    utils.py, cancel_gradients_last_layer: last_layer's grad None while epoch < freeze_last_layer
    main_dino.py, train_one_epoch:      the teacher's parameters follow the student's,
                                        p_k = m p_k + (1 - m) p_q, after the optimizer step
    utils.py, cosine_scheduler:         m = final + (base - final) (1 + cos(pi it / n)) / 2

reimplemented here without torch.distributed (one process: all_reduce is the identity).

Each case stores, under "<case>.<name>" with the dino method's tensor names (DINOHead's mlp.*
is student_head.0.*, its last_layer.* is student_head.2.*; the teacher head likewise under
teacher_head.*):

    x<v>, t<i>                  the student's features of crop v and the teacher encoder's
                                features of global crop i, (B, F)
    <tensor>                    the method's state before the step, "center" included (a
                                centre that is not zero, and a teacher head that is not the
                                student's, so that both matter)
    loss, x<v>.grad, <parameter>.grad (absent where the last layer is frozen)
    teacher_temp, teacher_entropy, kl   the step's metrics
    center.updated              the centre after update_center
    teacher_head.<name>.followed the teacher head's parameters after one SGD step of the
                                student (p -= LR * grad) and one EMA update at the momentum
                                of step EPOCH of STEPS (one step per epoch)
    schedule                    teacher_temp_schedule for the case's options and STEPS epochs

Weights are drawn in float32 from seeded generators; the step runs in float64. The file is
written with tests/golden/make_golden.py's safetensors writer; rerunning it rewrites
identical bytes.
"""

import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import case_generator, case_seed, write_safetensors  # noqa: E402

DATA_PATH = os.path.join(HERE, "data", "dino.safetensors")
LR = 0.5           # the plain SGD step of the student's parameters before the EMA update
STEPS = 8          # the run's steps, one per epoch
BASE_MOMENTUM = 0.9  # the teacher's base momentum (0.996 in the paper; lower so that one update shows)

CASES = {
    # Two global and two local crops, epoch 2 of a 5-epoch warm-up: tau_t = 0.055.
    "multi_crop": dict(batch=4, features=6, hidden=10, bottleneck=5, out=12, nlayers=3, crops=4,
                       norm_last_layer=True, epoch=2, warmup_epochs=5, freeze_last_layer=1),
    # Epoch 0: the last layer, its norm learned here, is frozen; three crops.
    "frozen_last_layer": dict(batch=3, features=5, hidden=7, bottleneck=4, out=9, nlayers=2, crops=3,
                              norm_last_layer=False, epoch=0, warmup_epochs=3, freeze_last_layer=1),
    # A one-layer mlp, the two global crops only, after the warm-up.
    "global_only": dict(batch=5, features=4, hidden=8, bottleneck=3, out=7, nlayers=1, crops=2,
                        norm_last_layer=True, epoch=3, warmup_epochs=2, freeze_last_layer=0),
}
WARMUP_TEACHER_TEMP, TEACHER_TEMP, STUDENT_TEMP, CENTER_MOMENTUM = 0.04, 0.07, 0.1, 0.9


class DINOHead(nn.Module):
    """vision_transformer.py, DINOHead (use_bn=False)."""

    def __init__(self, in_dim, out_dim, norm_last_layer=True, nlayers=3, hidden_dim=2048, bottleneck_dim=256):
        super().__init__()
        nlayers = max(nlayers, 1)
        if nlayers == 1:
            self.mlp = nn.Linear(in_dim, bottleneck_dim)
        else:
            layers = [nn.Linear(in_dim, hidden_dim), nn.GELU()]
            for _ in range(nlayers - 2):
                layers += [nn.Linear(hidden_dim, hidden_dim), nn.GELU()]
            layers.append(nn.Linear(hidden_dim, bottleneck_dim))
            self.mlp = nn.Sequential(*layers)
        self.apply(self._init_weights)
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck_dim, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        if norm_last_layer:
            self.last_layer.weight_g.requires_grad = False

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02, a=-2., b=2.)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.mlp(x)
        x = F.normalize(x, dim=-1, p=2)
        return self.last_layer(x)


def teacher_temp_schedule(warmup_epochs, nepochs):
    """main_dino.py, DINOLoss.__init__."""
    return np.concatenate((np.linspace(WARMUP_TEACHER_TEMP, TEACHER_TEMP, warmup_epochs),
                           np.ones(nepochs - warmup_epochs) * TEACHER_TEMP))


def dino_loss(student_output, teacher_output, center, ncrops, temp):
    """main_dino.py, DINOLoss.forward (without the centre's update)."""
    student_out = (student_output / STUDENT_TEMP).chunk(ncrops)
    teacher_out = F.softmax((teacher_output - center) / temp, dim=-1).detach().chunk(2)
    total_loss, n_loss_terms = 0, 0
    for iq, q in enumerate(teacher_out):
        for v in range(len(student_out)):
            if v == iq:
                continue
            total_loss += torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1).mean()
            n_loss_terms += 1
    return total_loss / n_loss_terms, torch.cat(teacher_out)


def update_center(center, teacher_output):
    """main_dino.py, DINOLoss.update_center (one process)."""
    batch_center = torch.sum(teacher_output, dim=0, keepdim=True) / len(teacher_output)
    return center * CENTER_MOMENTUM + batch_center * (1 - CENTER_MOMENTUM)


def momentum_at(step):
    """utils.py, cosine_scheduler(BASE_MOMENTUM, 1, ...) at iteration `step` of STEPS."""
    return 1 + 0.5 * (BASE_MOMENTUM - 1) * (1 + math.cos(math.pi * step / STEPS))


def method_name(head, name):
    """The dino method's name of DINOHead tensor `name` of `head` ("student_head", "teacher_head")."""
    if name.startswith("mlp."):
        rest = name[4:]
        return f"{head}.0.{rest}" if rest[0].isdigit() else f"{head}.0.0.{rest}"
    return f"{head}.2.{name[len('last_layer.'):]}"


def dino_case(key, c):
    generator = case_generator(key)
    torch.manual_seed(case_seed(f"{key}/init"))
    def head():
        return DINOHead(c["features"], c["out"], c["norm_last_layer"], c["nlayers"], c["hidden"], c["bottleneck"])

    student = head()
    teacher = head()  # main_dino.py: teacher.load_state_dict(student.state_dict())
    teacher.load_state_dict(student.state_dict())
    teacher.requires_grad_(False)
    with torch.no_grad():
        for p in teacher.parameters():
            if p is not teacher.last_layer.weight_g:
                p.add_(0.05 * torch.randn(p.shape, generator=generator))
        if not c["norm_last_layer"]:
            student.last_layer.weight_g.mul_(1.0 + 0.2 * torch.randn(c["out"], 1, generator=generator))
    center = 0.3 * torch.randn(1, c["out"], generator=generator)
    x = [torch.randn(c["batch"], c["features"], generator=generator) for _ in range(c["crops"])]
    t = [x[i] + 0.3 * torch.randn(c["batch"], c["features"], generator=generator) for i in range(2)]

    out = {f"x{v}": xv for v, xv in enumerate(x)}
    out.update({f"t{i}": ti for i, ti in enumerate(t)})
    for head, module in (("student_head", student), ("teacher_head", teacher)):
        for name, value in module.state_dict().items():
            out[method_name(head, name)] = value.clone()
    out["center"] = center

    student.double()
    teacher.double()
    x64 = [xv.double().requires_grad_() for xv in x]
    student_output = student(torch.cat(x64))
    with torch.no_grad():
        teacher_output = teacher(torch.cat([ti.double() for ti in t]))
    schedule = teacher_temp_schedule(c["warmup_epochs"], STEPS)
    temp = schedule[c["epoch"]]
    loss, targets = dino_loss(student_output, teacher_output, center.double(), c["crops"], temp)
    loss.backward()
    if c["epoch"] < c["freeze_last_layer"]:  # utils.py, cancel_gradients_last_layer
        for name, p in student.named_parameters():
            if "last_layer" in name:
                p.grad = None

    entropy = torch.mean(torch.sum(-targets * torch.log(targets), dim=-1))
    out["loss"] = loss.detach()
    out["teacher_temp"] = torch.tensor(temp)
    out["teacher_entropy"] = entropy
    out["kl"] = loss.detach() - entropy
    out["schedule"] = torch.tensor(schedule)
    out.update({f"x{v}.grad": xv.grad for v, xv in enumerate(x64)})
    for name, p in student.named_parameters():
        if p.grad is not None:
            out[method_name("student_head", name) + ".grad"] = p.grad
    out["center.updated"] = update_center(center.double(), teacher_output)

    m = momentum_at(c["epoch"])
    with torch.no_grad():
        for p in student.parameters():
            if p.grad is not None:
                p -= LR * p.grad
        for (name, p_k), p_q in zip(teacher.named_parameters(), student.parameters()):
            p_k.mul_(m).add_((1 - m) * p_q.detach())
            out[method_name("teacher_head", name) + ".followed"] = p_k
    return {f"{key.split('/')[-1]}.{k}": v.detach().float().contiguous() for k, v in out.items()}


def main():
    tensors = {}
    for name, c in CASES.items():
        tensors.update(dino_case(f"dino/{name}", c))
    os.makedirs(os.path.dirname(DATA_PATH), exist_ok=True)
    write_safetensors(DATA_PATH, tensors, {"generator": "tests/plugins/make_dino_golden.py", "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors to {DATA_PATH}")


if __name__ == "__main__":
    main()
