package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.selfsup.internal.Scalars;

/**
 * InfoNCE with a queue of negative keys, as in MoCo v1/v2 (He et al. 2020, Chen et al. 2020;
 * METHODS.md §3; facebookresearch/moco, moco/builder.py):
 *
 * <pre>
 *   logits = [q·k, q·queueᵀ (, q·extra)] / T,   loss = mean_b CE(logits_b, target 0)
 * </pre>
 *
 * The queue is stored [K, D] with one key per row (MoCo's buffer is [D, K]; the products are the
 * same). Normalising q, k and the queue is the caller's job. Gradients flow only into q: the key,
 * the queue and any extra negatives are detached here.
 */
public final class InfoNce {
    private InfoNce() {}

    /**
     * MoCo's InfoNCE loss.
     *
     * @param q queries, [B, D], FLOAT32 or FLOAT64 (normalised by the caller)
     * @param k positive keys, [B, D], no gradient
     * @param queue negative keys, [K, D], no gradient (MoCo v2: K = 65536)
     * @param temperature T, {@code > 0} (MoCo v2: 0.2, v1: 0.07)
     * @return scalar on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray loss(NDArray q, NDArray k, NDArray queue, double temperature) {
        check(q, k, queue, temperature);
        try (NDManager scope = Tensors.scope(q, k, queue)) {
            return scope.ret(
                    Tensors.crossEntropyFirst(rawLogits(q, k, queue, null, true, temperature)));
        }
    }

    /**
     * InfoNCE with extra negatives per query (MoCHi's synthetic negatives, METHODS.md §5): logits
     * [q·k, q·queueᵀ, q·extra_b] / T.
     *
     * @param q queries, [B, D]
     * @param k positive keys, [B, D], no gradient
     * @param queue negative keys, [K, D], no gradient
     * @param extraNegatives per-query negatives, [B, M, D], no gradient
     * @param temperature T, {@code > 0}
     * @return scalar on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray loss(
            NDArray q, NDArray k, NDArray queue, NDArray extraNegatives, double temperature) {
        check(q, k, queue, temperature);
        checkExtra(q, extraNegatives);
        try (NDManager scope = Tensors.scope(q, k, queue, extraNegatives)) {
            return scope.ret(
                    Tensors.crossEntropyFirst(
                            rawLogits(q, k, queue, extraNegatives, true, temperature)));
        }
    }

    /**
     * The logits of {@link #loss(NDArray, NDArray, NDArray, double)}, column 0 the positive.
     *
     * @param q queries, [B, D]
     * @param k positive keys, [B, D], detached
     * @param queue negative keys, [K, D], detached
     * @param temperature T, {@code > 0}
     * @return [B, 1 + K] on the manager of {@code q}; gradient flows into q
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray logits(NDArray q, NDArray k, NDArray queue, double temperature) {
        check(q, k, queue, temperature);
        try (NDManager scope = Tensors.scope(q, k, queue)) {
            return scope.ret(rawLogits(q, k, queue, null, true, temperature));
        }
    }

    /**
     * The logits with extra per-query negatives, [B, 1 + K + M], column 0 the positive.
     *
     * @param q queries, [B, D]
     * @param k positive keys, [B, D], detached
     * @param queue negative keys, [K, D], detached
     * @param extraNegatives per-query negatives, [B, M, D], detached
     * @param temperature T, {@code > 0}
     * @return [B, 1 + K + M] on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray logits(
            NDArray q, NDArray k, NDArray queue, NDArray extraNegatives, double temperature) {
        check(q, k, queue, temperature);
        checkExtra(q, extraNegatives);
        try (NDManager scope = Tensors.scope(q, k, queue, extraNegatives)) {
            return scope.ret(rawLogits(q, k, queue, extraNegatives, true, temperature));
        }
    }

    static void check(NDArray q, NDArray k, NDArray queue, double temperature) {
        Tensors.checkRank(q, 2, "q", "[B, D]");
        Tensors.checkFloat(q, "q", q);
        Tensors.checkRank(k, 2, "k", "[B, D]");
        Tensors.checkFloat(k, "k", q);
        checkArgument(
                k.getShape().equals(q.getShape()),
                "k must have the shape of q %s, got %s",
                q.getShape(),
                k.getShape());
        Tensors.checkRank(queue, 2, "queue", "[K, D]");
        Tensors.checkFloat(queue, "queue", q);
        checkArgument(
                Tensors.dim(queue, 1) == Tensors.dim(q, 1),
                "queue must be [K, %s] (rows are keys), got %s",
                Tensors.dim(q, 1),
                queue.getShape());
        Tensors.checkTemperature(temperature);
    }

    static void checkExtra(NDArray q, NDArray extra) {
        Tensors.checkRank(extra, 3, "extraNegatives", "[B, M, D]");
        Tensors.checkFloat(extra, "extraNegatives", q);
        checkArgument(
                Tensors.dim(extra, 0) == Tensors.dim(q, 0)
                        && Tensors.dim(extra, 2) == Tensors.dim(q, 1),
                "extraNegatives must be [%s, M, %s], got %s",
                Tensors.dim(q, 0),
                Tensors.dim(q, 1),
                extra.getShape());
    }

    /**
     * [q·k, q·queueᵀ (, q·extra)] / T without checks or scoping; {@code extra} may be null here
     * (package-private helper). FT keeps the key attached because its k̂ contains q.
     */
    static NDArray rawLogits(
            NDArray q,
            NDArray k,
            NDArray negatives,
            NDArray extra,
            boolean detachKey,
            double temperature) {
        NDArray key = detachKey ? k.stopGradient() : k;
        NDArray pos = q.mul(key).sum(new int[] {1}, true); // [B, 1]
        NDArray neg = q.matMul(negatives.stopGradient().transpose()); // [B, K]
        NDArray logits = pos.concat(neg, 1);
        if (extra != null) {
            logits = logits.concat(Tensors.rowDots(q, extra.stopGradient()), 1); // [B, M]
        }
        return Scalars.div(logits, temperature);
    }
}
