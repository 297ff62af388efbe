#!/usr/bin/env python3
"""Reference fixtures for dev.selfsup.model (ResNet, ViT, BatchNorm, weight names).

Command (from the repository root, Debian python3-torch 1.13.1 + python3-torchvision 0.14.1, CPU):

    /usr/bin/python3 src/test/python/make_model_fixtures.py src/test/resources/model

Writes, with no network access:
  tiny_resnet_basic.safetensors / tiny_resnet_bottleneck.safetensors
      torchvision blocks (BasicBlock, Bottleneck v1.5) assembled into small ResNets (base width 8,
      one block per stage) with seeded weights and non-trivial BN statistics; tensors named
      exactly as the model's state_dict, plus "__input", "__output_eval" (eval mode),
      "__output_train" (training mode) and "__after_train.<bn buffer>" (running stats after the
      training forward).
  block_basic.safetensors / block_bottleneck.safetensors
      a single BasicBlock / a single Bottleneck with stride 2 and downsample, same layout.
  tiny_vit.safetensors
      a depth-1 DINO ViT (patch 8, embed 64, 2 heads, image 112 -> 14x14 grid) with its weights,
      inputs/outputs at 112x112, 48x48 (6x6 grid), 64x48 and 128x128 (upsampling), and the
      interpolated position embeddings "__pos_HxW".
  names_resnet18.json / names_resnet50.json / names_vit_small_patch16.json
      the complete state_dict name -> shape lists (torchvision 0.14; DINO vit_small), with fc.
The safetensors files are written by a small struct+json writer laid out like
safetensors.torch.save_file (8-byte little-endian header size, JSON header padded with spaces to
a multiple of 8, tensors ordered by dtype alignment then name).
"""
import json
import math
import struct
import sys
from functools import partial
from pathlib import Path

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet


# ----------------------------------------------------------------------------- safetensors writer
DTYPES = {torch.float32: ("F32", 4), torch.int64: ("I64", 8), torch.float64: ("F64", 8)}


def save_file(tensors, path):
    items = sorted(tensors.items(), key=lambda kv: (-DTYPES[kv[1].dtype][1], kv[0]))
    header, blobs, offset = {}, [], 0
    for name, t in items:
        t = t.detach().contiguous()
        data = t.numpy().tobytes()  # x86: little-endian
        header[name] = {"dtype": DTYPES[t.dtype][0], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# ----------------------------------------------------------------------------- DINO ViT (vision_transformer.py)
def drop_path(x, drop_prob=0.0, training=False):
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    random_tensor = keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device)
    random_tensor.floor_()
    return x.div(keep_prob) * random_tensor


class DropPath(nn.Module):
    def __init__(self, drop_prob=None):
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x):
        return drop_path(x, self.drop_prob, self.training)


class Mlp(nn.Module):
    def __init__(self, in_features, hidden_features=None, out_features=None, act_layer=nn.GELU, drop=0.0):
        super().__init__()
        out_features = out_features or in_features
        hidden_features = hidden_features or in_features
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = act_layer()
        self.fc2 = nn.Linear(hidden_features, out_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class Attention(nn.Module):
    def __init__(self, dim, num_heads=8, qkv_bias=False, qk_scale=None, attn_drop=0.0, proj_drop=0.0):
        super().__init__()
        self.num_heads = num_heads
        head_dim = dim // num_heads
        self.scale = qk_scale or head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.attn_drop = nn.Dropout(attn_drop)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(proj_drop)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        attn = self.attn_drop(attn)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        x = self.proj_drop(self.proj(x))
        return x, attn


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio=4.0, qkv_bias=False, qk_scale=None, drop=0.0,
                 attn_drop=0.0, drop_path=0.0, act_layer=nn.GELU, norm_layer=nn.LayerNorm):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = Attention(dim, num_heads=num_heads, qkv_bias=qkv_bias, qk_scale=qk_scale,
                              attn_drop=attn_drop, proj_drop=drop)
        self.drop_path = DropPath(drop_path) if drop_path > 0.0 else nn.Identity()
        self.norm2 = norm_layer(dim)
        self.mlp = Mlp(in_features=dim, hidden_features=int(dim * mlp_ratio), act_layer=act_layer, drop=drop)

    def forward(self, x):
        y, attn = self.attn(self.norm1(x))
        x = x + self.drop_path(y)
        x = x + self.drop_path(self.mlp(self.norm2(x)))
        return x


class PatchEmbed(nn.Module):
    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768):
        super().__init__()
        self.img_size = img_size
        self.patch_size = patch_size
        self.num_patches = (img_size // patch_size) * (img_size // patch_size)
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    def __init__(self, img_size=[224], patch_size=16, in_chans=3, num_classes=0, embed_dim=768, depth=12,
                 num_heads=12, mlp_ratio=4.0, qkv_bias=False, qk_scale=None, drop_rate=0.0,
                 attn_drop_rate=0.0, drop_path_rate=0.0, norm_layer=nn.LayerNorm, **kwargs):
        super().__init__()
        self.num_features = self.embed_dim = embed_dim
        self.patch_embed = PatchEmbed(img_size=img_size[0], patch_size=patch_size, in_chans=in_chans,
                                      embed_dim=embed_dim)
        num_patches = self.patch_embed.num_patches
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim))
        self.pos_drop = nn.Dropout(p=drop_rate)
        dpr = [x.item() for x in torch.linspace(0, drop_path_rate, depth)]
        self.blocks = nn.ModuleList([
            Block(dim=embed_dim, num_heads=num_heads, mlp_ratio=mlp_ratio, qkv_bias=qkv_bias, qk_scale=qk_scale,
                  drop=drop_rate, attn_drop=attn_drop_rate, drop_path=dpr[i], norm_layer=norm_layer)
            for i in range(depth)])
        self.norm = norm_layer(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)

    def interpolate_pos_encoding(self, x, w, h):
        npatch = x.shape[1] - 1
        N = self.pos_embed.shape[1] - 1
        if npatch == N and w == h:
            return self.pos_embed
        class_pos_embed = self.pos_embed[:, 0]
        patch_pos_embed = self.pos_embed[:, 1:]
        dim = x.shape[-1]
        w0 = w // self.patch_embed.patch_size
        h0 = h // self.patch_embed.patch_size
        w0, h0 = w0 + 0.1, h0 + 0.1
        patch_pos_embed = nn.functional.interpolate(
            patch_pos_embed.reshape(1, int(math.sqrt(N)), int(math.sqrt(N)), dim).permute(0, 3, 1, 2),
            scale_factor=(w0 / math.sqrt(N), h0 / math.sqrt(N)),
            mode="bicubic",
        )
        assert int(w0) == patch_pos_embed.shape[-2] and int(h0) == patch_pos_embed.shape[-1]
        patch_pos_embed = patch_pos_embed.permute(0, 2, 3, 1).view(1, -1, dim)
        return torch.cat((class_pos_embed.unsqueeze(0), patch_pos_embed), dim=1)

    def prepare_tokens(self, x):
        B, nc, w, h = x.shape
        x = self.patch_embed(x)
        cls_tokens = self.cls_token.expand(B, -1, -1)
        x = torch.cat((cls_tokens, x), dim=1)
        x = x + self.interpolate_pos_encoding(x, w, h)
        return self.pos_drop(x)

    def forward(self, x):
        x = self.prepare_tokens(x)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return x[:, 0]


def vit_small(patch_size=16, **kwargs):
    return VisionTransformer(patch_size=patch_size, embed_dim=384, depth=12, num_heads=6, mlp_ratio=4,
                             qkv_bias=True, norm_layer=partial(nn.LayerNorm, eps=1e-6), **kwargs)


# ----------------------------------------------------------------------------- tiny torchvision ResNets
class TinyResNet(nn.Module):
    """torchvision's ResNet with a configurable stem width; _make_layer and forward are torchvision's."""

    def __init__(self, block, layers, width, cifar_stem=False):
        super().__init__()
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        if cifar_stem:
            self.conv1 = nn.Conv2d(3, width, kernel_size=3, stride=1, padding=1, bias=False)
            self.maxpool = nn.Identity()
        else:
            self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = ResNet._make_layer(self, block, width, layers[0])
        self.layer2 = ResNet._make_layer(self, block, width * 2, layers[1], stride=2)
        self.layer3 = ResNet._make_layer(self, block, width * 4, layers[2], stride=2)
        self.layer4 = ResNet._make_layer(self, block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)


def randomise(model, gen):
    """Seeded weights with O(1) activations, and BN buffers that differ from (0, 1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.2 + (1.0 if name.endswith("weight") else 0.0))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=gen) * 0.1)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=gen) + 0.5)
            elif name.endswith("num_batches_tracked"):
                b.fill_(7)


def bn_fixture(model, x, path):
    tensors = {k: v.clone() for k, v in model.state_dict().items()}
    tensors["__input"] = x
    model.eval()
    with torch.no_grad():
        tensors["__output_eval"] = model(x)
        model.train()
        tensors["__output_train"] = model(x)
    for k, v in model.state_dict().items():
        if "running_" in k or "num_batches" in k:
            tensors["__after_train." + k] = v.clone()
    save_file(tensors, path)


def names(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def main(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    gen = torch.Generator().manual_seed(20240531)

    # single torchvision blocks
    basic = BasicBlock(8, 8)
    randomise(basic, gen)
    bn_fixture(basic, torch.randn(2, 8, 10, 10, generator=gen), out / "block_basic.safetensors")
    down = nn.Sequential(nn.Conv2d(16, 32, kernel_size=1, stride=2, bias=False), nn.BatchNorm2d(32))
    bottleneck = Bottleneck(16, 8, stride=2, downsample=down)
    randomise(bottleneck, gen)
    bn_fixture(bottleneck, torch.randn(2, 16, 9, 9, generator=gen), out / "block_bottleneck.safetensors")

    # tiny ResNets (stem + 4 stages)
    tiny = TinyResNet(BasicBlock, [1, 1, 1, 1], width=8, cifar_stem=True)
    randomise(tiny, gen)
    bn_fixture(tiny, torch.randn(2, 3, 16, 16, generator=gen), out / "tiny_resnet_basic.safetensors")
    tiny = TinyResNet(Bottleneck, [1, 2, 1, 1], width=8)
    randomise(tiny, gen)
    bn_fixture(tiny, torch.randn(2, 3, 40, 40, generator=gen), out / "tiny_resnet_bottleneck.safetensors")

    # depth-1 DINO ViT on a 14x14 grid (patch 8, image 112)
    torch.manual_seed(7)
    vit = VisionTransformer(img_size=[112], patch_size=8, embed_dim=64, depth=1, num_heads=2, mlp_ratio=4,
                            qkv_bias=True, norm_layer=partial(nn.LayerNorm, eps=1e-6))
    with torch.no_grad():
        # larger than DINO's std .02 so that every term matters at 1e-5
        for name, p in vit.named_parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * (0.5 if p.dim() > 1 else 0.3)
                    / (math.sqrt(p[0].numel()) if p.dim() == 2 and "embed" not in name else 1.0))
    vit.eval()
    tensors = {k: v.clone() for k, v in vit.state_dict().items()}
    with torch.no_grad():
        for h, w in [(112, 112), (48, 48), (64, 48), (128, 128)]:
            x = torch.randn(2, 3, h, w, generator=gen)
            tensors[f"__input_{h}x{w}"] = x
            tensors[f"__output_{h}x{w}"] = vit(x)
            tokens = torch.zeros(1, (h // 8) * (w // 8) + 1, 64)
            tensors[f"__pos_{h}x{w}"] = vit.interpolate_pos_encoding(tokens, h, w)
    save_file(tensors, out / "tiny_vit.safetensors")

    for name, model in [("resnet18", torchvision.models.resnet18()), ("resnet50", torchvision.models.resnet50()),
                        ("vit_small_patch16", vit_small())]:
        (out / f"names_{name}.json").write_text(json.dumps(names(model)) + "\n")
        print(name, sum(p.numel() for p in model.parameters()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/model")
