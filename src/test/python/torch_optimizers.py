"""Reference trajectories of torch optimisers for dev.selfsup.optim.TorchOptimizerFixtureTest.

Command (from the repository root; Debian python3-torch 1.13.1 (reports 1.13.0a0), numpy):
    /usr/bin/python3 src/test/python/torch_optimizers.py \
        > src/test/resources/dev/selfsup/optim/torch_optimizers.json

Model: torch.nn.Linear(2, 1), loss 0.5 (y - target)^2 on one sample per step; five steps.
LARS variants are transcriptions of the reference code:
  - LARC: NVIDIA apex apex/parallel/LARC.py as wrapped around torch SGD by facebookresearch/swav;
  - solo-learn: solo/utils/lars.py (exclude_bias_n_norm=True), SimCLR's LARS.
The learning rate follows SwAV's main_swav.py schedule (np.linspace warmup, then cosine).
"""
import json
import math

import numpy as np
import torch

XS = [[1.0, 2.0], [-0.5, 1.5], [2.0, -1.0], [0.0, 0.0], [0.5, -2.0]]  # step 3: zero weight grad
TARGET = 0.3
W0 = [0.5, -1.25]


def swav_schedule(base, final, warmup, total, start):
    warm = np.linspace(start, base, warmup)
    iters = np.arange(total - warmup)
    cos = np.array([final + 0.5 * (base - final) * (1 + math.cos(math.pi * t / (total - warmup)))
                    for t in iters])
    return np.concatenate((warm, cos)).tolist()


class Larc:
    """apex LARC (trust_coefficient, clip, eps) around an inner optimiser."""

    def __init__(self, optim, trust_coefficient, clip, eps=1e-8):
        self.optim, self.trust_coefficient, self.clip, self.eps = optim, trust_coefficient, clip, eps
        self.param_groups = optim.param_groups

    def zero_grad(self):
        self.optim.zero_grad()

    def step(self):
        with torch.no_grad():
            weight_decays = []
            for group in self.optim.param_groups:
                weight_decay = group['weight_decay'] if 'weight_decay' in group else 0
                weight_decays.append(weight_decay)
                group['weight_decay'] = 0
                for p in group['params']:
                    if p.grad is None:
                        continue
                    param_norm = torch.norm(p.data)
                    grad_norm = torch.norm(p.grad.data)
                    if param_norm != 0 and grad_norm != 0:
                        adaptive_lr = self.trust_coefficient * param_norm / (
                            grad_norm + param_norm * weight_decay + self.eps)
                        if self.clip:
                            adaptive_lr = min(adaptive_lr / group['lr'], 1)
                        p.grad.data += weight_decay * p.data
                        p.grad.data *= adaptive_lr
        self.optim.step()
        for i, group in enumerate(self.optim.param_groups):
            group['weight_decay'] = weight_decays[i]


class SoloLars(torch.optim.Optimizer):
    """solo-learn LARS (dampening 0)."""

    def __init__(self, params, lr, momentum, weight_decay, eta, eps=1e-8, clip_lr=False,
                 exclude_bias_n_norm=True, nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta,
                                      eps=eps, clip_lr=clip_lr,
                                      exclude_bias_n_norm=exclude_bias_n_norm, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                d_p = p.grad
                p_norm = torch.norm(p.data)
                g_norm = torch.norm(p.grad.data)
                if p.ndim != 1 or not group['exclude_bias_n_norm']:
                    if p_norm != 0 and g_norm != 0:
                        lars_lr = p_norm / (g_norm + p_norm * group['weight_decay'] + group['eps'])
                        lars_lr *= group['eta']
                        if group['clip_lr']:
                            lars_lr = min(lars_lr / group['lr'], 1)
                        d_p = d_p.add(p, alpha=group['weight_decay'])
                        d_p *= lars_lr
                state = self.state[p]
                if 'momentum_buffer' not in state:
                    buf = state['momentum_buffer'] = torch.clone(d_p).detach()
                else:
                    buf = state['momentum_buffer']
                    buf.mul_(group['momentum']).add_(d_p)
                d_p = d_p.add(buf, alpha=group['momentum']) if group['nesterov'] else buf
                p.add_(d_p, alpha=-group['lr'])


CASES = {
    # name: (b0, schedule args, factory(weight, bias, lr0))
    'sgd_nesterov_bias_exempt': (0.25, (0.2, 0.01, 2, 5, 0.05), lambda w, b, lr: torch.optim.SGD(
        [{'params': [w], 'weight_decay': 0.1}, {'params': [b], 'weight_decay': 0.0}],
        lr=lr, momentum=0.9, nesterov=True)),
    'adamw_bias_exempt': (0.25, (0.2, 0.01, 2, 5, 0.05), lambda w, b, lr: torch.optim.AdamW(
        [{'params': [w], 'weight_decay': 0.05}, {'params': [b], 'weight_decay': 0.0}], lr=lr)),
    'lars_solo_learn': (0.25, (2.0, 0.1, 2, 5, 0.5), lambda w, b, lr: SoloLars(
        [w, b], lr=lr, momentum=0.9, weight_decay=0.1, eta=0.02)),
    'larc_swav_zero_bias': (0.0, (2.0, 0.1, 2, 5, 0.5), lambda w, b, lr: Larc(torch.optim.SGD(
        [w, b], lr=lr, momentum=0.9, weight_decay=0.1), trust_coefficient=0.02, clip=False)),
    'larc_clip': (0.25, (0.05, 0.01, 2, 5, 0.02), lambda w, b, lr: Larc(torch.optim.SGD(
        [w, b], lr=lr, momentum=0.9, weight_decay=0.1), trust_coefficient=0.02, clip=True)),
}


def run(b0, schedule, factory):
    torch.manual_seed(0)
    lin = torch.nn.Linear(2, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([W0]))
        lin.bias.copy_(torch.tensor([b0]))
    lrs = swav_schedule(*schedule)
    opt = factory(lin.weight, lin.bias, lrs[0])
    steps = []
    for t, x in enumerate(XS):
        for group in opt.param_groups:
            group['lr'] = lrs[t]
        opt.zero_grad()
        loss = (0.5 * (lin(torch.tensor([x])) - TARGET) ** 2).sum()
        loss.backward()
        opt.step()
        steps.append({'lr': lrs[t], 'w': lin.weight.flatten().tolist(), 'b': lin.bias.item()})
    return {'b0': b0, 'schedule': list(schedule), 'steps': steps}


out = {'torch': torch.__version__, 'xs': XS, 'target': TARGET, 'w0': W0,
       'cases': {name: run(*case) for name, case in CASES.items()}}
print(json.dumps(out, indent=1))
