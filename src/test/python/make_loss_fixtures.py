"""Reference fixtures for dev.selfsup.loss, computed with the official code paths.

Command (from the repository root; Debian's python3-torch 1.13.1, CPU):
    /usr/bin/python3 src/test/python/make_loss_fixtures.py src/test/resources/loss

Each function below re-types the maths of the official implementation it names (not a library
import), runs it on seeded random inputs in float32 and float64 (the float64 inputs are the float32
ones widened, so both cases share the same numbers), and stores inputs, outputs and the gradients
of the loss with respect to the inputs as JSON: {"torch": version, "cases": [{"name", "dtype",
"scalars": {...}, "ints": {...}, "tensors": {name: {"shape": [...], "data": [...]}}}]}.
Random draws of MoCHi and FT are inputs here (ranks, coefficients, permutations), so the Java side
replays exactly the same step.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F


def t2j(x):
    x = x.detach()
    return {"shape": list(x.shape), "data": [float(v) for v in x.reshape(-1).tolist()]}


def i2j(x):
    return {"shape": list(x.shape), "data": [int(v) for v in x.reshape(-1).tolist()]}


# ---------------------------------------------------------------- SwAV (facebookresearch/swav)
@torch.no_grad()
def distributed_sinkhorn(out, epsilon, sinkhorn_iterations, world_size=1):
    # main_swav.py, distributed_sinkhorn, with dist.all_reduce the identity (one process)
    Q = torch.exp(out / epsilon).t()  # Q is K-by-B
    B = Q.shape[1] * world_size
    K = Q.shape[0]
    sum_Q = torch.sum(Q)
    Q /= sum_Q
    for it in range(sinkhorn_iterations):
        sum_of_rows = torch.sum(Q, dim=1, keepdim=True)
        Q /= sum_of_rows
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()


def swav_loss(scores, crops_for_assign, temperature, epsilon, iterations, queue_scores=None):
    # main_swav.py, train(): output = cat of all crops' scores (bs rows each)
    output = torch.cat(scores, 0)
    bs = scores[0].shape[0]
    nmb_crops = len(scores)
    loss = 0
    codes = []
    for i, crop_id in enumerate(crops_for_assign):
        with torch.no_grad():
            out = output[bs * crop_id: bs * (crop_id + 1)].detach()
            if queue_scores is not None:
                out = torch.cat((queue_scores[i], out))
            q = distributed_sinkhorn(out, epsilon, iterations)[-bs:]
        codes.append(q)
        subloss = 0
        for v in [x for x in range(nmb_crops) if x != crop_id]:
            x = output[bs * v: bs * (v + 1)] / temperature
            subloss -= torch.mean(torch.sum(q * F.log_softmax(x, dim=1), dim=1))
        loss += subloss / (nmb_crops - 1)
    loss /= len(crops_for_assign)
    return loss, codes


# ---------------------------------------------------------------- MoCo (facebookresearch/moco)
def moco_logits(q, k, queue_dk, T, extra=None):
    # moco/builder.py forward(): queue buffer is [D, K]
    l_pos = torch.einsum("nc,nc->n", [q, k.detach()]).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", [q, queue_dk.clone().detach()])
    parts = [l_pos, l_neg]
    if extra is not None:  # MoCHi: q·H for the per-query synthetic negatives
        parts.append(torch.einsum("nc,nmc->nm", [q, extra.detach()]))
    logits = torch.cat(parts, dim=1)
    logits /= T
    return logits


def ce0(logits):
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    return F.cross_entropy(logits, labels)


# ---------------------------------------------------------------- NT-Xent (lightly NTXentLoss)
def ntxent(out0, out1, T, extra=None):
    # lightly/loss/ntx_ent_loss.py, single process
    out0 = F.normalize(out0, dim=1)
    out1 = F.normalize(out1, dim=1)
    batch_size = out0.shape[0]
    diag_mask = torch.eye(batch_size, dtype=torch.bool)
    logits_00 = torch.einsum("nc,mc->nm", out0, out0) / T
    logits_01 = torch.einsum("nc,mc->nm", out0, out1) / T
    logits_10 = torch.einsum("nc,mc->nm", out1, out0) / T
    logits_11 = torch.einsum("nc,mc->nm", out1, out1) / T
    logits_00 = logits_00[~diag_mask].view(batch_size, -1)
    logits_11 = logits_11[~diag_mask].view(batch_size, -1)
    logits_0100 = torch.cat([logits_01, logits_00], dim=1)
    logits_1011 = torch.cat([logits_10, logits_11], dim=1)
    logits = torch.cat([logits_0100, logits_1011], dim=0)
    if extra is not None:  # MoCHi on in-batch negatives: per-anchor extra columns
        z = torch.cat([out0, out1], 0)
        logits = torch.cat([logits, torch.einsum("nc,nmc->nm", z, extra.detach()) / T], 1)
    labels = torch.arange(batch_size).repeat(2)
    return F.cross_entropy(logits, labels)


def in_batch_negatives(z1, z2):
    z = torch.cat([F.normalize(z1, dim=1), F.normalize(z2, dim=1)], 0).detach()
    n = z.shape[0]
    b = n // 2
    rows = []
    for i in range(n):
        pos = i + b if i < b else i - b
        rows.append(z[[j for j in range(n) if j != i and j != pos]])
    return torch.stack(rows)


# ---------------------------------------------------------------- MoCHi (paper, Kalantidis 2020)
def mochi_synthetic(q, sims, cand, N, first, second, alpha, partner, beta):
    """cand(b, idx) -> [len, D] candidate rows for query b; ranks index the sorted top-N."""
    q = q.detach()
    _, top = torch.topk(sims.detach(), N, dim=1, largest=True, sorted=True)
    B, D = q.shape
    s = first.shape[1]
    s2 = partner.shape[1]
    out = []
    for b in range(B):
        parts = []
        if s > 0:
            ni = cand(b, top[b, first[b]])
            nj = cand(b, top[b, second[b]])
            a = alpha[b].unsqueeze(1)
            parts.append(F.normalize(a * ni + (1 - a) * nj, dim=1))
        if s2 > 0:
            nj = cand(b, top[b, partner[b]])
            be = beta[b].unsqueeze(1)
            parts.append(F.normalize(be * q[b].unsqueeze(0) + (1 - be) * nj, dim=1))
        out.append(torch.cat(parts, 0))
    return torch.stack(out).detach()


# ------------------------------------------------ FT (DTennant/CL-Visualizing-Feature-Transformation)
def ft_loss(q, k, queue, pos_mask, neg_mask, indices, T):
    # memory/mem_moco.py, RGBMoCo_dropmix_norm.forward, mix_target='posneg', expolation_mask=True
    k = k.detach()
    queue = queue.clone().detach()
    q_mix = pos_mask * q + (1 - pos_mask) * k
    k_mix = pos_mask * k + (1 - pos_mask) * q
    q, k = q_mix, k_mix
    queue = neg_mask * queue + (1 - neg_mask) * queue[indices]
    bsz = q.shape[0]
    pos = torch.bmm(q.view(bsz, 1, -1), k.view(bsz, -1, 1)).view(bsz, 1)
    neg = torch.mm(queue, q.transpose(1, 0)).transpose(0, 1)
    out = torch.cat((pos, neg), dim=1) / T
    return ce0(out), q_mix, k_mix, queue


def leaf(x, dtype):
    return x.clone().to(dtype).requires_grad_(True)


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(20240611)  # torch.distributions draws from the global generator
    g = torch.Generator().manual_seed(20240611)
    files = {}

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float32)

    def unit(*shape):
        return F.normalize(randn(*shape), dim=-1)

    # Sinkhorn: raw official output on normalised-embedding-like scores
    cases = []
    for (B, K, eps, iters, scale) in [(12, 7, 0.05, 3, 1.0), (5, 9, 0.1, 1, 0.5), (16, 4, 0.03, 5, 1.0)]:
        S = (unit(B, 8) @ unit(K, 8).t()) * scale
        for dt in (torch.float32, torch.float64):
            s = S.to(dt)
            cases.append({"name": f"sinkhorn_{B}x{K}", "dtype": str(dt)[6:],
                          "scalars": {"epsilon": eps}, "ints": {"iterations": iters},
                          "tensors": {"scores": t2j(s), "codes": t2j(distributed_sinkhorn(s, eps, iters))}})
    files["sinkhorn"] = cases

    # SwAV loss: 2 + 3 crops, assign [0, 1]; plus a queue case
    cases = []
    B, K, V = 6, 10, 5
    raw = [unit(B, 16) @ unit(K, 16).t() for _ in range(V)]
    queue_raw = [unit(18, 16) @ unit(K, 16).t() for _ in range(2)]
    for use_queue in (False, True):
        for dt in (torch.float32, torch.float64):
            scores = [leaf(r, dt) for r in raw]
            qs = [r.to(dt) for r in queue_raw] if use_queue else None
            loss, codes = swav_loss(scores, [0, 1], 0.1, 0.05, 3, qs)
            loss.backward()
            tensors = {f"scores{v}": t2j(scores[v]) for v in range(V)}
            tensors.update({f"grad{v}": t2j(scores[v].grad) for v in range(V)})
            tensors.update({f"codes{i}": t2j(c) for i, c in enumerate(codes)})
            if use_queue:
                tensors.update({f"queue{i}": t2j(q) for i, q in enumerate(qs)})
            cases.append({"name": "swav_queue" if use_queue else "swav", "dtype": str(dt)[6:],
                          "scalars": {"temperature": 0.1, "epsilon": 0.05, "loss": float(loss)},
                          "ints": {"iterations": 3, "crops": V},
                          "tensors": tensors})
    files["swav"] = cases

    # MoCo InfoNCE
    cases = []
    B, D, Kq = 8, 16, 40
    q0, k0, queue0 = unit(B, D), unit(B, D), unit(Kq, D)
    for dt in (torch.float32, torch.float64):
        q = leaf(q0, dt)
        loss = ce0(moco_logits(q, k0.to(dt), queue0.to(dt).t(), 0.2))
        loss.backward()
        cases.append({"name": "moco", "dtype": str(dt)[6:], "scalars": {"temperature": 0.2, "loss": float(loss)},
                      "ints": {}, "tensors": {"q": t2j(q), "k": t2j(k0), "queue": t2j(queue0), "gradQ": t2j(q.grad)}})
    files["infonce"] = cases

    # NT-Xent (unnormalised inputs: normalisation is inside)
    cases = []
    B, D = 6, 8
    z10, z20 = randn(B, D) * 3, randn(B, D) * 0.5
    for dt in (torch.float32, torch.float64):
        z1, z2 = leaf(z10, dt), leaf(z20, dt)
        loss = ntxent(z1, z2, 0.5)
        loss.backward()
        cases.append({"name": "ntxent", "dtype": str(dt)[6:], "scalars": {"temperature": 0.5, "loss": float(loss)},
                      "ints": {}, "tensors": {"z1": t2j(z1), "z2": t2j(z2), "grad1": t2j(z1.grad),
                                              "grad2": t2j(z2.grad)}})
    files["ntxent"] = cases

    # MoCHi on a queue and on in-batch negatives, with explicit draws
    cases = []
    B, D, Kq, N, s, s2 = 5, 12, 30, 8, 6, 3
    q0, k0, queue0 = unit(B, D), unit(B, D), unit(Kq, D)
    first = torch.randint(0, N, (B, s), generator=g)
    second = torch.randint(0, N, (B, s), generator=g)
    alpha = torch.rand(B, s, generator=g, dtype=torch.float64)
    partner = torch.randint(0, N, (B, s2), generator=g)
    beta = torch.rand(B, s2, generator=g, dtype=torch.float64) / 2
    draws = {"first": i2j(first), "second": i2j(second), "partner": i2j(partner)}
    for dt in (torch.float32, torch.float64):
        q = leaf(q0, dt)
        queue = queue0.to(dt)
        H = mochi_synthetic(q, q @ queue.t(), lambda b, idx: queue[idx], N, first, second,
                            alpha.to(dt), partner, beta.to(dt))
        loss = ce0(moco_logits(q, k0.to(dt), queue.t(), 0.2, H))
        loss.backward()
        cases.append({"name": "mochi_queue", "dtype": str(dt)[6:], "scalars": {"temperature": 0.2, "loss": float(loss)},
                      "ints": {"hardest": N, "mixed": s, "queryMixed": s2}, "draws": draws,
                      "tensors": {"q": t2j(q), "k": t2j(k0), "queue": t2j(queue0), "alpha": t2j(alpha),
                                  "beta": t2j(beta), "negatives": t2j(H), "gradQ": t2j(q.grad)}})
    # in-batch: anchors = normalised cat(z1, z2), candidates = the 2B - 2 others
    B, D, N, s, s2 = 4, 6, 4, 5, 2
    z10, z20 = randn(B, D), randn(B, D)
    first = torch.randint(0, N, (2 * B, s), generator=g)
    second = torch.randint(0, N, (2 * B, s), generator=g)
    alpha = torch.rand(2 * B, s, generator=g, dtype=torch.float64)
    partner = torch.randint(0, N, (2 * B, s2), generator=g)
    beta = torch.rand(2 * B, s2, generator=g, dtype=torch.float64) / 2
    draws = {"first": i2j(first), "second": i2j(second), "partner": i2j(partner)}
    for dt in (torch.float32, torch.float64):
        z1, z2 = leaf(z10, dt), leaf(z20, dt)
        negs = in_batch_negatives(z1, z2)
        anchors = torch.cat([F.normalize(z1, dim=1), F.normalize(z2, dim=1)], 0).detach()
        sims = torch.einsum("nc,nmc->nm", anchors, negs)
        H = mochi_synthetic(anchors, sims, lambda b, idx: negs[b, idx], N, first, second,
                            alpha.to(dt), partner, beta.to(dt))
        loss = ntxent(z1, z2, 0.5, H)
        loss.backward()
        cases.append({"name": "mochi_inbatch", "dtype": str(dt)[6:], "scalars": {"temperature": 0.5, "loss": float(loss)},
                      "ints": {"hardest": N, "mixed": s, "queryMixed": s2}, "draws": draws,
                      "tensors": {"z1": t2j(z1), "z2": t2j(z2), "alpha": t2j(alpha), "beta": t2j(beta),
                                  "negatives": t2j(H), "grad1": t2j(z1.grad), "grad2": t2j(z2.grad)}})
    files["mochi"] = cases

    # FT: scalar coefficients (dim_mask='none') and per-element masks (dim_mask='both')
    cases = []
    B, D, Kq = 6, 10, 20
    q0, k0, queue0 = unit(B, D), unit(B, D), unit(Kq, D)
    perm = torch.randperm(Kq, generator=g)
    lp_scalar = torch.tensor(1.0 + 0.6372, dtype=torch.float64)
    ln_scalar = torch.tensor(0.3141, dtype=torch.float64)
    lp_elem = 1 + torch.distributions.Beta(2.0, 2.0).sample((B, D)).double()
    ln_elem = torch.distributions.Beta(1.6, 1.6).sample((Kq, D)).double()
    for kind, lp, ln in (("ft_scalar", lp_scalar, ln_scalar), ("ft_element", lp_elem, ln_elem)):
        for dt in (torch.float32, torch.float64):
            q = leaf(q0, dt)
            loss, qh, kh, negs = ft_loss(q, k0.to(dt), queue0.to(dt), lp.to(dt), ln.to(dt), perm, 0.2)
            loss.backward()
            cases.append({"name": kind, "dtype": str(dt)[6:], "scalars": {"temperature": 0.2, "loss": float(loss)},
                          "ints": {}, "draws": {"permutation": i2j(perm)},
                          "tensors": {"q": t2j(q), "k": t2j(k0), "queue": t2j(queue0), "lambdaP": t2j(lp),
                                      "lambdaN": t2j(ln), "qHat": t2j(qh), "kHat": t2j(kh),
                                      "negatives": t2j(negs), "gradQ": t2j(q.grad)}})
    files["ft"] = cases

    for name, cases in files.items():
        with open(os.path.join(outdir, name + ".json"), "w") as f:
            json.dump({"torch": torch.__version__, "generator": "src/test/python/make_loss_fixtures.py",
                       "cases": cases}, f)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/loss")
