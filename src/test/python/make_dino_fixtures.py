#!/usr/bin/env python3
"""Reference fixtures for DINO: dev.selfsup.loss.DinoLoss and dev.selfsup.model.DinoHead.

Command (from the repository root; Debian's python3-torch 1.13.1, CPU, no network):

    /usr/bin/python3 src/test/python/make_dino_fixtures.py src/test/resources

The maths is re-typed from the official facebookresearch/dino code (not imported): DINOLoss.forward
and DINOLoss.update_center of main_dino.py (one process, so dist.all_reduce is the identity and the
world size 1), its teacher-temperature schedule (np.linspace warm-up, then constant), and DINOHead
of vision_transformer.py. Writes:

  loss/dino.json
      {"torch": version, "generator": this file, "cases": [...]}, the layout of
      make_loss_fixtures.py. Loss cases ("globals_only", "two_global_four_local", "temperatures",
      "centre", "one_teacher"), each in float32 and float64 (the float64 inputs are the float32
      ones widened): tensors student0..student{V-1} [B, K] (global crops first), teacher0..
      teacher{T-1} [B, K], center [1, K], the loss gradient grad0..grad{V-1} for every student
      crop, newCenter [1, K] (update_center after the step); scalars studentTemperature,
      teacherTemperature, centerMomentum, loss; ints crops (V), globalCrops (T).
      Schedule cases ("schedule_*", float64): tensors schedule [E], the official per-epoch teacher
      temperatures; scalars warmupTemperature, temperature; ints warmupEpochs, epochs.
  model/dino_head.safetensors
      DINOHead(in_dim=24, out_dim=40, hidden_dim=32, bottleneck_dim=16) with the defaults
      (nlayers 3, no BN, norm_last_layer=True: weight_g = 1 and not trained), tensors named as its
      state_dict (mlp.0.weight, …, last_layer.weight_g, last_layer.weight_v), plus "__input" [5, 24],
      "__output" [5, 40], "__probe" R [5, 40] and the gradients of sum(output * R): "__grad_input",
      "__grad.<name>" for every trainable tensor.
  model/dino_head_bn.safetensors
      DINOHead(24, 40, use_bn=True, norm_last_layer=False, nlayers=2, hidden_dim=32,
      bottleneck_dim=16) with weight_g != 1, the same "__" entries from a training-mode forward
      (batch statistics), and "__after_train.<buffer>" for the BN buffers after it.
The MLP weights are seeded draws larger than DINO's std 0.02 so that every term matters at 1e-5.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_fixtures import save_file  # noqa: E402  (the safetensors writer)


# ---------------------------------------------------------------- DINOLoss (main_dino.py)
def teacher_temp_schedule(warmup_teacher_temp, teacher_temp, warmup_teacher_temp_epochs, nepochs):
    # DINOLoss.__init__
    return np.concatenate((
        np.linspace(warmup_teacher_temp, teacher_temp, warmup_teacher_temp_epochs),
        np.ones(nepochs - warmup_teacher_temp_epochs) * teacher_temp,
    ))


def dino_loss(student_output, teacher_output, center, student_temp, temp, ncrops, n_teacher):
    # DINOLoss.forward: student_output = cat of all crops (global first), teacher_output = cat of
    # the global crops; the official code chunks the teacher into 2, here into n_teacher
    student_out = student_output / student_temp
    student_out = student_out.chunk(ncrops)
    teacher_out = F.softmax((teacher_output - center) / temp, dim=-1)
    teacher_out = teacher_out.detach().chunk(n_teacher)
    total_loss = 0
    n_loss_terms = 0
    for iq, q in enumerate(teacher_out):
        for v in range(len(student_out)):
            if v == iq:
                continue
            loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
            total_loss += loss.mean()
            n_loss_terms += 1
    total_loss /= n_loss_terms
    return total_loss


@torch.no_grad()
def update_center(center, teacher_output, center_momentum):
    # DINOLoss.update_center, world size 1
    batch_center = torch.sum(teacher_output, dim=0, keepdim=True)
    batch_center = batch_center / len(teacher_output)
    return center * center_momentum + batch_center * (1 - center_momentum)


# ---------------------------------------------------------------- DINOHead (vision_transformer.py)
class DINOHead(nn.Module):
    def __init__(self, in_dim, out_dim, use_bn=False, norm_last_layer=True, nlayers=3, hidden_dim=2048,
                 bottleneck_dim=256):
        super().__init__()
        nlayers = max(nlayers, 1)
        if nlayers == 1:
            self.mlp = nn.Linear(in_dim, bottleneck_dim)
        else:
            layers = [nn.Linear(in_dim, hidden_dim)]
            if use_bn:
                layers.append(nn.BatchNorm1d(hidden_dim))
            layers.append(nn.GELU())
            for _ in range(nlayers - 2):
                layers.append(nn.Linear(hidden_dim, hidden_dim))
                if use_bn:
                    layers.append(nn.BatchNorm1d(hidden_dim))
                layers.append(nn.GELU())
            layers.append(nn.Linear(hidden_dim, bottleneck_dim))
            self.mlp = nn.Sequential(*layers)
        self.apply(self._init_weights)
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck_dim, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        if norm_last_layer:
            self.last_layer.weight_g.requires_grad = False

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.mlp(x)
        x = nn.functional.normalize(x, dim=-1, p=2)
        x = self.last_layer(x)
        return x


def head_fixture(head, gen, training, path, randomise_g):
    bn_weights = {n + ".weight" for n, m in head.named_modules() if isinstance(m, nn.BatchNorm1d)}
    with torch.no_grad():
        for name, p in head.named_parameters():
            if name.startswith("mlp") and p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]))
            elif name.startswith("mlp"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.2 + (1.0 if name in bn_weights else 0.0))
            elif name == "last_layer.weight_v":
                p.copy_(torch.randn(p.shape, generator=gen))
            elif name == "last_layer.weight_g" and randomise_g:
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
        for name, b in head.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=gen) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=gen) + 0.5)
    tensors = {k: v.detach().clone() for k, v in head.state_dict().items()}
    x = torch.randn(5, 24, generator=gen).requires_grad_(True)
    probe = torch.randn(5, 40, generator=gen)
    head.train(training)
    out = head(x)
    (out * probe).sum().backward()
    tensors["__input"] = x.detach()
    tensors["__output"] = out.detach()
    tensors["__probe"] = probe
    tensors["__grad_input"] = x.grad
    for name, p in head.named_parameters():
        if p.requires_grad:
            tensors["__grad." + name] = p.grad
    for name, b in head.named_buffers():
        if training and ("running_" in name or "num_batches" in name):
            tensors["__after_train." + name] = b.clone()
    save_file(tensors, path)


def t2j(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def main(root):
    os.makedirs(os.path.join(root, "loss"), exist_ok=True)
    os.makedirs(os.path.join(root, "model"), exist_ok=True)
    g = torch.Generator().manual_seed(20240704)

    def unit(*shape):
        return F.normalize(torch.randn(*shape, generator=g, dtype=torch.float32), dim=-1)

    # head outputs behave like cosine scores (unit bottleneck times unit rows of the last layer)
    cases = []
    specs = [  # name, B, K, crops V, globals T, student temp, teacher temp, centre scale, momentum
        ("globals_only", 4, 8, 2, 2, 0.1, 0.04, 0.0, 0.9),
        ("two_global_four_local", 3, 10, 6, 2, 0.1, 0.07, 0.0, 0.9),
        ("temperatures", 5, 7, 4, 2, 0.3, 0.5, 0.0, 0.99),
        ("centre", 4, 9, 5, 2, 0.1, 0.04, 0.3, 0.9),
        ("one_teacher", 3, 6, 3, 1, 0.2, 0.06, 0.2, 0.5),
    ]
    for name, B, K, V, T, ts, tt, cscale, m in specs:
        proto = unit(K, 16)
        raw_s = [unit(B, 16) @ proto.t() for _ in range(V)]
        raw_t = [unit(B, 16) @ proto.t() for _ in range(T)]
        raw_c = torch.randn(1, K, generator=g) * cscale
        for dt in (torch.float32, torch.float64):
            student = [r.clone().to(dt).requires_grad_(True) for r in raw_s]
            teacher = [r.clone().to(dt).requires_grad_(True) for r in raw_t]
            center = raw_c.to(dt)
            loss = dino_loss(torch.cat(student), torch.cat(teacher), center, ts, tt, V, T)
            loss.backward()
            assert all(t.grad is None for t in teacher)  # the targets are detached
            tensors = {f"student{v}": t2j(student[v]) for v in range(V)}
            tensors.update({f"teacher{i}": t2j(teacher[i]) for i in range(T)})
            tensors["center"] = t2j(center)
            tensors.update({f"grad{v}": t2j(student[v].grad) for v in range(V)})
            tensors["newCenter"] = t2j(update_center(center, torch.cat(teacher), m))
            cases.append({"name": name, "dtype": str(dt)[6:],
                          "scalars": {"studentTemperature": ts, "teacherTemperature": tt,
                                      "centerMomentum": m, "loss": float(loss)},
                          "ints": {"crops": V, "globalCrops": T}, "tensors": tensors})
    for warm, final, warm_epochs, epochs in [(0.04, 0.07, 30, 100), (0.02, 0.04, 0, 10), (0.02, 0.06, 1, 4),
                                              (0.04, 0.07, 2, 5)]:
        sched = torch.tensor(teacher_temp_schedule(warm, final, warm_epochs, epochs), dtype=torch.float64)
        cases.append({"name": f"schedule_{warm_epochs}_of_{epochs}", "dtype": "float64",
                      "scalars": {"warmupTemperature": warm, "temperature": final},
                      "ints": {"warmupEpochs": warm_epochs, "epochs": epochs}, "tensors": {"schedule": t2j(sched)}})
    with open(os.path.join(root, "loss", "dino.json"), "w") as f:
        json.dump({"torch": torch.__version__, "generator": "src/test/python/make_dino_fixtures.py",
                   "cases": cases}, f)

    torch.manual_seed(11)  # DINOHead's own initialisation draws (overwritten below)
    head_fixture(DINOHead(24, 40, hidden_dim=32, bottleneck_dim=16), g, False,
                 os.path.join(root, "model", "dino_head.safetensors"), randomise_g=False)
    head_fixture(DINOHead(24, 40, use_bn=True, norm_last_layer=False, nlayers=2, hidden_dim=32, bottleneck_dim=16),
                 g, True, os.path.join(root, "model", "dino_head_bn.safetensors"), randomise_g=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/test/resources")
