"""Reference for loading a ViT position embedding trained at another resolution.

Command (from the repository root; Debian's python3-torch 1.13.1, CPU):
    /usr/bin/python3 src/test/python/make_pos_embed_fixture.py src/test/resources/model

Writes pos_embed_resample.json: a seeded [1, 1 + 4*4, 32] embedding and its resizes to 7x7 and
3x3 patch grids by timm's resample_abs_pos_embed (re-typed: class token kept, grid through
F.interpolate(size, mode="bicubic", antialias=False, align_corners=False)).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F


def resample_abs_pos_embed(posemb, new_size, num_prefix_tokens=1):
    embed_dim = posemb.shape[-1]
    old = int((posemb.shape[1] - num_prefix_tokens) ** 0.5)
    prefix, grid = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    grid = grid.reshape(1, old, old, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=new_size, mode="bicubic", antialias=False, align_corners=False)
    grid = grid.permute(0, 2, 3, 1).reshape(1, -1, embed_dim)
    return torch.cat([prefix, grid], dim=1)


def main(out_dir):
    torch.manual_seed(20261126)
    pos = torch.randn(1, 1 + 4 * 4, 32)
    out = {"torch": torch.__version__, "from": 4, "dim": 32, "pos": pos.reshape(-1).tolist()}
    for g in (7, 3):
        out["to_%d" % g] = resample_abs_pos_embed(pos, (g, g)).reshape(-1).tolist()
    with open(os.path.join(out_dir, "pos_embed_resample.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main(sys.argv[1])
