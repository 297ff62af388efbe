"""Pillow reference crops for dev.selfsup.augment.Resampler.

Command (from the repository root; Debian's python3-pil 9.4, as python3-torchvision uses):
    /usr/bin/python3 src/test/python/make_resample_fixtures.py src/test/resources/augment

Writes pillow_resample.json: two seeded random images (RGB 97x83 and L 61x45) and crops of them
made the way torchvision's PIL path makes them. A box clamped to itself (RandomResizedCrop) is
torchvision's crop-then-resize: img.crop(integer hull of the box).resize(size, BILINEAR,
box=box relative to the hull); an unclamped box (resize-then-centre-crop) is img.resize(size,
BILINEAR, box=box) on the whole image. Outputs are planar CHW RGB (L replicated to three
channels), mirrored after resizing when flip is set, as Resampler.crop writes them.
"""
import base64
import json
import math
import os
import random
import sys

import PIL
from PIL import Image


def planar(img):
    rgb = img.convert("RGB")
    w, h = rgb.size
    px = rgb.tobytes()
    return bytes(px[(y * w + x) * 3 + c] for c in range(3) for y in range(h) for x in range(w))


def crop(img, box, clamp, size, flip):
    x, y, bw, bh = box
    if clamp:
        x0, y0 = max(0, math.floor(x)), max(0, math.floor(y))
        x1, y1 = min(img.width, math.ceil(x + bw)), min(img.height, math.ceil(y + bh))
        region = img.crop((x0, y0, x1, y1))
        out = region.resize((size, size), Image.BILINEAR, box=(x - x0, y - y0, x - x0 + bw, y - y0 + bh))
    else:
        out = img.resize((size, size), Image.BILINEAR, box=(x, y, x + bw, y + bh))
    if flip:
        out = out.transpose(Image.FLIP_LEFT_RIGHT)
    return planar(out)


def main(out_dir):
    rng = random.Random(20261126)
    images = []
    for mode, w, h in (("RGB", 97, 83), ("L", 61, 45)):
        c = 3 if mode == "RGB" else 1
        data = bytes(rng.randrange(256) for _ in range(w * h * c))
        img = Image.frombytes(mode, (w, h), data)
        cases = []
        for i in range(32):
            clamp = i % 4 != 3
            size = rng.choice([1, 3, 8, 17, 24, 40])
            bw = rng.uniform(0.6, 1.0) * w if i % 5 == 0 else rng.uniform(2.0, w)
            bh = rng.uniform(2.0, h)
            if clamp and i % 2 == 0:  # RandomResizedCrop draws integer boxes
                bw, bh = float(max(1, round(bw))), float(max(1, round(bh)))
                x, y = float(rng.randrange(0, w - int(bw) + 1)), float(rng.randrange(0, h - int(bh) + 1))
            else:
                x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            # Multiples of 2^-10, so that Pillow's box edges (x, x + w) give back w exactly: the
            # Java side is handed (x, w), Pillow (x0, x1), and a last-bit difference in the scale
            # could move a fixed-point weight by one.
            x, y, bw, bh = (round(v * 1024) / 1024 for v in (x, y, bw, bh))
            flip = rng.random() < 0.5
            expected = crop(img, (x, y, bw, bh), clamp, size, flip)
            cases.append({"box": [x, y, bw, bh], "clamp": clamp, "size": size, "flip": flip,
                          "expected": base64.b64encode(expected).decode()})
        images.append({"width": w, "height": h, "channels": c,
                       "pixels": base64.b64encode(data).decode(), "cases": cases})
    with open(os.path.join(out_dir, "pillow_resample.json"), "w") as f:
        json.dump({"pillow": PIL.__version__, "images": images}, f)


if __name__ == "__main__":
    main(sys.argv[1])
