#!/usr/bin/env python3
"""Cuts the embedded, class-balanced Fashion-MNIST subset from the full IDX files.

Command (run from the repository root, after `apt-get install dataset-fashion-mnist`):

    python3 scripts/cut_fashion_mnist_subset.py /usr/share/datasets/fashion-mnist \
        src/main/resources/dev/selfsup/data/fashion-mnist 1000 200

Takes the first PER_CLASS_TRAIN images of each class from the training file and the first
PER_CLASS_TEST of each class from the test file, keeps their original order, and writes
gzip-compressed IDX files (mtime 0, so the output is byte-for-byte reproducible).
Fashion-MNIST: Copyright (c) 2017 Zalando SE, MIT licence (see NOTICE).
"""
import gzip
import struct
import sys
from pathlib import Path


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return dims, data[4 + 4 * ndim :]


def write_idx(path, dims, payload):
    header = struct.pack(">I", 0x0800 | len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(header + payload)


def cut(src, dst, split, per_class):
    (n, h, w), pixels = read_idx(src / f"{split}-images-idx3-ubyte.gz")
    (nl,), labels = read_idx(src / f"{split}-labels-idx1-ubyte.gz")
    assert n == nl, (n, nl)
    taken = {c: 0 for c in range(10)}
    keep = []
    for i, label in enumerate(labels):
        if taken[label] < per_class:
            taken[label] += 1
            keep.append(i)
    assert all(v == per_class for v in taken.values()), taken
    size = h * w
    write_idx(dst / f"{split}-images-idx3-ubyte.gz", (len(keep), h, w),
              b"".join(pixels[i * size : (i + 1) * size] for i in keep))
    write_idx(dst / f"{split}-labels-idx1-ubyte.gz", (len(keep),), bytes(labels[i] for i in keep))
    print(f"{split}: {len(keep)} images of {h}x{w}, {per_class} per class")


def main():
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    cut(src, dst, "train", int(sys.argv[3]))
    cut(src, dst, "t10k", int(sys.argv[4]))


if __name__ == "__main__":
    main()
