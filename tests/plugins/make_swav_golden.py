#!/usr/bin/python3
"""Writes the PyTorch reference that tests/plugins/swav_test.cpp compares the swav method
against: tests/plugins/data/swav.safetensors.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tests/plugins/make_swav_golden.py

The formulas follow SwAV's official code (facebookresearch/swav):

    src/resnet50.py, ResNet.__init__:  projection_head = Sequential(Linear(F, hidden_mlp),
                                       BatchNorm1d(hidden_mlp), ReLU(inplace=True),
                                       Linear(hidden_mlp, output_dim)); prototypes =
                                       Linear(output_dim, nmb_prototypes, bias=False)
    src/resnet50.py, forward_head:     x = normalize(projection_head(x), dim=1, p=2);
                                       return x, prototypes(x), over every crop at once
    main_swav.py, train:               prototypes.weight.copy_(normalize(w, dim=1, p=2)) before
                                       the step; for crop_id in crops_for_assign [0, 1]: the
                                       crop's scores, with the queue's (queue[i] @ prototypes^T)
                                       in front once queue[i, -1] is non-zero, then the queue
                                       shifted (queue[i, bs:] = queue[i, :-bs]; queue[i, :bs] =
                                       the crop's embedding), q = distributed_sinkhorn(out)[-bs:];
                                       subloss -= mean(sum(q * log_softmax(output_v / T), 1))
                                       over the other crops v, loss += subloss / (V - 1); loss /= 2;
                                       prototypes' grad = None below freeze_prototypes_niters
    main_swav.py, distributed_sinkhorn: Q = exp(out / eps).t(); Q /= sum(Q); iterations of
                                       rows (Q /= sum(Q, 1); Q /= K) and columns (Q /= sum(Q, 0);
                                       Q /= B); return (Q * B).t(), in one process

Each case stores, under "<case>.<name>": x0 ... x<V-1> (the crops' features, B x F), the
projector's state before the step, prototypes.weight (before the normalisation the step
starts with), queue (when the case has one), loss, x<v>.grad, <parameter>.grad (none for the
prototypes of the frozen case), <buffer>.updated (the batch norm's statistics and the
queue after the step). The step runs in float64 from float32 values.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "golden"))
from make_golden import case_generator, case_seed, write_safetensors  # noqa: E402

DATA_PATH = os.path.join(HERE, "data", "swav.safetensors")

CASES = {
    # Two global and two local crops, the paper's temperature and epsilon.
    "multi_crop": dict(batch=5, features=6, crops=4, hidden=8, dim=4, prototypes=7, temperature=0.1, epsilon=0.05,
                       iterations=3, frozen=False, queue=0),
    # The first steps: no gradient into the prototypes.
    "frozen": dict(batch=4, features=5, crops=3, hidden=6, dim=3, prototypes=5, temperature=0.1, epsilon=0.05,
                   iterations=3, frozen=True, queue=0),
    # A full queue of 6 embeddings per assignment crop in front of the batch's scores.
    "queue": dict(batch=3, features=4, crops=2, hidden=5, dim=3, prototypes=4, temperature=0.2, epsilon=0.1,
                  iterations=2, frozen=False, queue=6),
}


def distributed_sinkhorn(out, epsilon, iterations):
    """main_swav.py, distributed_sinkhorn, world size 1."""
    Q = torch.exp(out / epsilon).t()
    B = Q.shape[1]
    K = Q.shape[0]
    sum_Q = torch.sum(Q)
    Q /= sum_Q
    for _ in range(iterations):
        sum_of_rows = torch.sum(Q, dim=1, keepdim=True)
        Q /= sum_of_rows
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()


def case(key, c):
    generator = case_generator(key)
    torch.manual_seed(case_seed(key + "/init"))
    heads = nn.ModuleDict({
        "projector": nn.Sequential(nn.Linear(c["features"], c["hidden"]), nn.BatchNorm1d(c["hidden"]),
                                   nn.ReLU(inplace=True), nn.Linear(c["hidden"], c["dim"])),
        "prototypes": nn.Linear(c["dim"], c["prototypes"], bias=False),
    })
    with torch.no_grad():
        bn = heads["projector"][1]
        bn.weight.copy_(1.0 + 0.3 * torch.randn(bn.weight.shape, generator=generator))
        bn.bias.copy_(0.2 * torch.randn(bn.bias.shape, generator=generator))
    base = torch.randn(c["batch"], c["features"], generator=generator)
    xs = [base + 0.5 * torch.randn(c["batch"], c["features"], generator=generator) for _ in range(c["crops"])]
    out = {f"x{v}": x.clone() for v, x in enumerate(xs)}
    out.update({k: v.clone() for k, v in heads.state_dict().items()})
    queue = None
    if c["queue"]:
        queue = F.normalize(torch.randn(2, c["queue"], c["dim"], generator=generator), dim=2)
        out["queue"] = queue.clone()
        queue = queue.double()

    heads = heads.double().train()
    xs = [x.double().requires_grad_() for x in xs]
    with torch.no_grad():
        w = heads["prototypes"].weight.data.clone()
        heads["prototypes"].weight.copy_(F.normalize(w, dim=1, p=2))
    bs = c["batch"]
    embedding = F.normalize(heads["projector"](torch.cat(xs)), dim=1, p=2)
    output = heads["prototypes"](embedding)
    embedding = embedding.detach()
    loss = 0
    for i, crop_id in enumerate([0, 1]):
        with torch.no_grad():
            o = output[bs * crop_id: bs * (crop_id + 1)].detach()
            if queue is not None:
                if not torch.all(queue[i, -1, :] == 0):
                    o = torch.cat((torch.mm(queue[i], heads["prototypes"].weight.t()), o))
                queue[i, bs:] = queue[i, :-bs].clone()
                queue[i, :bs] = embedding[crop_id * bs: (crop_id + 1) * bs]
            q = distributed_sinkhorn(o, c["epsilon"], c["iterations"])[-bs:]
        subloss = 0
        for v in [v for v in range(c["crops"]) if v != crop_id]:
            x = output[bs * v: bs * (v + 1)] / c["temperature"]
            subloss -= torch.mean(torch.sum(q * F.log_softmax(x, dim=1), dim=1))
        loss += subloss / (c["crops"] - 1)
    loss /= 2
    loss.backward()

    out["loss"] = loss.detach()
    for v, x in enumerate(xs):
        out[f"x{v}.grad"] = x.grad
    for name, param in heads.named_parameters():
        if c["frozen"] and name.startswith("prototypes"):
            continue  # main_swav.py: p.grad = None
        out[name + ".grad"] = param.grad
    for name, buffer in heads.named_buffers():
        out[name + ".updated"] = buffer
    if queue is not None:
        out["queue.updated"] = queue
    return {f"{key.split('/')[-1]}.{k}": v.detach().float().contiguous() for k, v in out.items()}


def main():
    tensors = {}
    for name, c in CASES.items():
        tensors.update(case(f"swav/{name}", c))
    write_safetensors(DATA_PATH, tensors, {"generator": "tests/plugins/make_swav_golden.py", "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors to {DATA_PATH}")


if __name__ == "__main__":
    main()
