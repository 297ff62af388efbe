#!/usr/bin/env python3
"""PyTorch eager reference for `selfsup bench train-step` on small networks (issue #13, item 9).

The same network and step as the Java command with the same options, inputs pre-made (random
normal, no augmentation):

- backbone: our `resnet10_cifar` / `resnet18_cifar` (torchvision BasicBlock ResNet with stages of
  1,1,1,1 / 2,2,2,2 blocks, 3x3 stride-1 stem, no max-pool, widths w, 2w, 4w, 8w for base width
  w, global average pool), kaiming_normal_(fan_out) convs, BN gamma 1 beta 0;
- head: Linear(8w, hidden) -> BatchNorm1d -> ReLU -> Linear(hidden, dim) (`--no-head-bn` drops the
  BN, as MoCo v2's head);
- simclr: one backbone pass over both views (2B images), NT-Xent (mean over 2B anchors, T 0.5);
- mocov2: query pass over view 1, key pass (no grad) over view 2 in a random order with the order
  restored afterwards (single-device shuffle-BN), InfoNCE against a 65,536-row queue (T 0.2),
  EMA update of the key encoder (m 0.999) after the optimiser step, queue push;
- SGD momentum 0.9, lr 0.3 constant, weight decay 1e-6 on weights only (BN and bias exempt, two
  parameter groups), `opt.zero_grad()` as torch does by default (set_to_none=True).

Prints one JSON line like the Java command: median step seconds over `--steps` timed steps after
`--warmup`, images per second = batch / median. Debian's torch 1.13 lives in /usr/bin/python3
(`apt-get install -y python3-torch python3-torchvision`); selfsup itself runs libtorch 2.5.1.

    /usr/bin/python3 benchmarks/pytorch/train_step_small.py --method simclr \
        --backbone resnet10_cifar --base-width 16 --batch 256 --size 28 --head 512 --dim 64
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

STAGES = {"resnet10_cifar": (1, 1, 1, 1), "resnet18_cifar": (2, 2, 2, 2)}


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, 0, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(out + identity)


class CifarResNet(nn.Module):
    def __init__(self, blocks, width):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        layers = []
        inplanes = width
        for i, n in enumerate(blocks):
            planes = width << i
            stage = [BasicBlock(inplanes if j == 0 else planes, planes, (1 if i == 0 else 2) if j == 0 else 1)
                     for j in range(n)]
            layers.append(nn.Sequential(*stage))
            inplanes = planes
        self.layers = nn.Sequential(*layers)
        self.feature_dim = inplanes
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layers(x)
        return x.flatten(2).mean(2)


def head(in_dim, hidden, dim, bn):
    layers = []
    for h in hidden:
        layers += [nn.Linear(in_dim, h)] + ([nn.BatchNorm1d(h)] if bn else []) + [nn.ReLU()]
        in_dim = h
    return nn.Sequential(*layers, nn.Linear(in_dim, dim))


def nt_xent(z1, z2, t):
    z = torch.cat([F.normalize(z1, dim=1), F.normalize(z2, dim=1)])
    n = z.shape[0]
    sim = z @ z.t() / t
    sim.fill_diagonal_(-1e9)
    b = n // 2
    target = torch.cat([torch.arange(b, n), torch.arange(0, b)])
    return F.cross_entropy(sim, target)


def info_nce(q, k, queue, t):
    pos = (q * k).sum(1, keepdim=True)
    neg = q @ queue.t()
    logits = torch.cat([pos, neg], 1) / t
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--method", choices=["simclr", "mocov2"], default="simclr")
    p.add_argument("--backbone", choices=sorted(STAGES), default="resnet10_cifar")
    p.add_argument("--base-width", type=int, default=16)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--head", default="512", help="hidden widths, comma-separated")
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--no-head-bn", action="store_true")
    p.add_argument("--queue", type=int, default=65536)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    hidden = [int(h) for h in a.head.split(",") if h]
    net = CifarResNet(STAGES[a.backbone], a.base_width)
    proj = head(net.feature_dim, hidden, a.dim, not a.no_head_bn)
    model = nn.Sequential(net, proj)
    decay = [q for q in model.parameters() if q.dim() > 1]
    no_decay = [q for q in model.parameters() if q.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 1e-6}, {"params": no_decay, "weight_decay": 0.0}],
                          lr=0.3, momentum=0.9)
    if a.method == "mocov2":
        key = nn.Sequential(CifarResNet(STAGES[a.backbone], a.base_width),
                            head(net.feature_dim, hidden, a.dim, not a.no_head_bn))
        key.load_state_dict(model.state_dict())
        for q in key.parameters():
            q.requires_grad = False
        queue = F.normalize(torch.randn(a.queue, a.dim), dim=1)
        ptr = 0
    x1 = torch.randn(a.batch, 3, a.size, a.size)
    x2 = torch.randn(a.batch, 3, a.size, a.size)
    model.train()
    times = []
    phases = []
    cpu = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        if a.method == "simclr":
            z = model(torch.cat([x1, x2]))
            loss = nt_xent(z[: a.batch], z[a.batch:], 0.5)
        else:
            q = F.normalize(model(x1), dim=1)
            with torch.no_grad():
                perm = torch.randperm(a.batch)
                k = F.normalize(key(x2[perm]), dim=1)[torch.argsort(perm)]
            loss = info_nce(q, k, queue, 0.2)
        tf = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        loss.item()
        tb = time.perf_counter()
        opt.step()
        to = time.perf_counter()
        if a.method == "mocov2":
            with torch.no_grad():
                for pk, pq in zip(key.parameters(), model.parameters()):
                    pk.mul_(0.999).add_(pq.detach(), alpha=0.001)
                queue[ptr:ptr + a.batch] = k
                ptr = (ptr + a.batch) % a.queue
        t1 = time.perf_counter()
        c1 = time.process_time()
        if i >= a.warmup:
            cpu.append(c1 - c0)
            times.append(t1 - t0)
            phases.append((tf - t0, tb - tf, to - tb, t1 - to))
    med = statistics.median(times)
    print(json.dumps({"name": "train-step-pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "method": a.method, "backbone": a.backbone, "base_width": a.base_width, "batch": a.batch,
                      "size": a.size, "head": a.head, "dim": a.dim, "head_bn": not a.no_head_bn,
                      "median_step_seconds": med, "step_seconds": sorted(times),
                      "median_step_cpu_seconds": statistics.median(cpu),
                      "median_phase_seconds": {name: statistics.median(p[j] for p in phases)
                                               for j, name in enumerate(["forward", "backward", "optimizer", "method"])},
                      "images_per_second": a.batch / med}))


if __name__ == "__main__":
    main()
