#!/usr/bin/env python3
"""Official-style reference for `selfsup bench augment-multicrop`: SwAV's multi-crop data path.

The transforms of SwAV's `src/multicropdataset.py` (facebookresearch/swav), re-typed: per crop
RandomResizedCrop (2 x 224 with scale (0.14, 1), 6 x 96 with scale (0.05, 0.14)), horizontal flip,
colour distortion (ColorJitter 0.8/0.8/0.8/0.2 with p 0.8, grayscale p 0.2), PIL Gaussian blur
with p 0.5 and radius in [0.1, 2], ToTensor, Normalize; images read with PIL from a folder and
batched by a torch DataLoader with `--workers` worker processes. Times source images per second
until the batch tensors exist, after `--warmup` batches, and prints one JSON line like the Java
command. Debian's torch 1.13 / torchvision 0.14 / Pillow live in /usr/bin/python3:

    /usr/bin/python3 benchmarks/pytorch/augment_multicrop.py --images /tmp/jpgs --workers 2
"""
import argparse
import json
import os
import random
import resource
import time

import torch
import torchvision.transforms as T
from PIL import Image, ImageFilter


class PILRandomGaussianBlur:
    def __init__(self, p=0.5, radius_min=0.1, radius_max=2.0):
        self.prob, self.radius_min, self.radius_max = p, radius_min, radius_max

    def __call__(self, img):
        if random.random() > self.prob:
            return img
        return img.filter(ImageFilter.GaussianBlur(radius=random.uniform(self.radius_min, self.radius_max)))


def color_distortion(s=1.0):
    jitter = T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)
    return T.Compose([T.RandomApply([jitter], p=0.8), T.RandomGrayscale(p=0.2)])


class MultiCropFolder(torch.utils.data.Dataset):
    def __init__(self, root, sizes=(224, 96), counts=(2, 6), scales=((0.14, 1.0), (0.05, 0.14))):
        exts = (".jpg", ".jpeg", ".png")
        self.files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.lower().endswith(exts))
        normalize = T.Normalize(mean=[0.485, 0.456, 0.406], std=[0.228, 0.224, 0.225])
        self.trans = []
        for size, count, scale in zip(sizes, counts, scales):
            t = T.Compose([T.RandomResizedCrop(size, scale=scale), T.RandomHorizontalFlip(p=0.5),
                           color_distortion(), PILRandomGaussianBlur(), T.ToTensor(), normalize])
            self.trans.extend([t] * count)

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        with open(self.files[i], "rb") as f:
            img = Image.open(f).convert("RGB")
        return [t(img) for t in self.trans]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--batches", type=int, default=16)
    p.add_argument("--warmup", type=int, default=4)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(1)
    ds = MultiCropFolder(a.images)
    loader = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers,
                                         drop_last=True, persistent_workers=a.workers > 0)
    done, start, cpu0 = 0, None, None
    while done < a.warmup + a.batches:
        for batch in loader:
            assert len(batch) == 8 and batch[0].shape == (a.batch, 3, 224, 224)
            done += 1
            if done == a.warmup:
                start = time.perf_counter()
                cpu0 = cpu_seconds()
            if done == a.warmup + a.batches:
                break
    seconds = time.perf_counter() - start
    images = a.batches * a.batch
    cpu = cpu_seconds() - cpu0
    print(json.dumps({"name": "augment-multicrop-torchvision", "images_per_second": round(images / seconds, 1),
                      "cpu_seconds_per_image": round(cpu / images, 5), "workers": a.workers, "batch": a.batch,
                      "timed_images": images, "seconds": round(seconds, 3), "torch": torch.__version__,
                      "load_average": os.getloadavg()[0]}))


def cpu_seconds():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # Worker processes are only counted in RUSAGE_CHILDREN once they exit; read /proc instead.
    total = own.ru_utime + own.ru_stime
    for pid in children():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return total + kids.ru_utime + kids.ru_stime


def children():
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


if __name__ == "__main__":
    main()
