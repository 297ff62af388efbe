#!/usr/bin/env python3
"""PyTorch reference for `selfsup bench train-step` (SimCLR step, inputs pre-made).

Same work as the Java benchmark: resnet18 with the CIFAR stem (3x3 stride-1 conv, no max-pool),
head 512 -> 2048 (BN, ReLU) -> 128, NT-Xent (mean over 2B anchors, T 0.5), SGD momentum 0.9,
two views of `--batch` images at `--size` px, median of `--steps` timed steps after `--warmup`.
Prints one JSON line like the Java command. Debian's torch 1.13 lives in /usr/bin/python3:

    /usr/bin/python3 benchmarks/pytorch/train_step.py --batch 128 --size 32 --threads 2
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


def nt_xent(z1, z2, t):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z.shape[0]
    sim = z @ z.t() / t
    sim.fill_diagonal_(float("-inf"))
    b = n // 2
    target = torch.cat([torch.arange(b, n), torch.arange(0, b)])
    return F.cross_entropy(sim, target)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = torchvision.models.resnet18()
    net.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    net.maxpool = nn.Identity()
    net.fc = nn.Identity()
    head = nn.Sequential(nn.Linear(512, 2048), nn.BatchNorm1d(2048), nn.ReLU(), nn.Linear(2048, 128))
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.3, momentum=0.9, weight_decay=1e-6)
    x1 = torch.randn(a.batch, 3, a.size, a.size)
    x2 = torch.randn(a.batch, 3, a.size, a.size)
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        z = head(net(torch.cat([x1, x2])))
        loss = nt_xent(z[: a.batch], z[a.batch :], 0.5)
        opt.zero_grad()
        loss.backward()
        opt.step()
        t1 = time.perf_counter()
        if i >= a.warmup:
            times.append(t1 - t0)
    med = statistics.median(times)
    print(json.dumps({"name": "train-step-pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "batch": a.batch, "size": a.size, "median_step_seconds": med,
                      "images_per_second": a.batch / med}))


if __name__ == "__main__":
    main()
