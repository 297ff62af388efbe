package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.loss.HardNegativeMixing.Draws;

/**
 * The synthetic negatives of {@link HardNegativeMixing} for given draws: ranks each query's
 * candidates, gathers the drawn ranks among its N hardest and mixes them. Shapes are checked by the
 * public functions before they call here.
 */
final class SyntheticNegatives {
    private SyntheticNegatives() {}

    /**
     * The synthetic negatives from detached queries {@code qd} [B, D], their detached similarities
     * {@code sims} [B, R] and the negatives {@code flat} [rows, D], where query b's candidate r is
     * row b · stride + r (stride 0 for a shared queue, M for per-query negatives).
     */
    static NDArray synthesize(NDArray qd, NDArray sims, NDArray flat, long stride, Draws draws) {
        NDManager m = qd.getManager();
        DataType type = qd.getDataType();
        int b = (int) Tensors.dim(qd, 0);
        long d = Tensors.dim(qd, 1);
        int s = draws.mixed();
        int s2 = draws.queryMixed();
        // rank → candidate index, [B, N], sorted hardest first
        NDArray top = sims.topK(draws.hardest(), 1, true, true).get(1);
        NDArray offsets =
                stride == 0 ? null : m.arange(0L, b * stride, stride, DataType.INT64).reshape(b, 1);
        NDArray out = null;
        if (s > 0) {
            NDArray ni = rows(m, top, offsets, flat, draws.first(), b, s);
            NDArray nj = rows(m, top, offsets, flat, draws.second(), b, s);
            NDArray alpha = m.create(draws.alpha(), new Shape(b, s, 1)).toType(type, false);
            NDArray oneMinus = alpha.neg().add(1);
            out = alpha.mul(ni).add(oneMinus.mul(nj)).normalize(2, 2, 1e-12); // [B, s, D]
        }
        if (s2 > 0) {
            NDArray nj = rows(m, top, offsets, flat, draws.partner(), b, s2);
            NDArray beta = m.create(draws.beta(), new Shape(b, s2, 1)).toType(type, false);
            NDArray oneMinus = beta.neg().add(1);
            NDArray mixedQ =
                    beta.mul(qd.reshape(b, 1, d)).add(oneMinus.mul(nj)).normalize(2, 2, 1e-12);
            out = out == null ? mixedQ : out.concat(mixedQ, 1);
        }
        if (out == null) {
            out = m.zeros(new Shape(b, 0, d), type);
        }
        return out;
    }

    /** Rows of {@code flat} for ranks [B · count] of each query's top list, as [B, count, D]. */
    private static NDArray rows(
            NDManager m,
            NDArray top,
            NDArray offsets,
            NDArray flat,
            int[] ranks,
            int b,
            int count) {
        long[] r = new long[ranks.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = ranks[i];
        }
        NDArray rankArray = m.create(r, new Shape(b, count));
        NDArray index = top.gather(rankArray, 1); // [B, count], candidate per query
        if (offsets != null) {
            index = index.add(offsets);
        }
        index = index.reshape(-1);
        return flat.get(new NDIndex("{}", index)).reshape(b, count, Tensors.dim(flat, 1));
    }
}
