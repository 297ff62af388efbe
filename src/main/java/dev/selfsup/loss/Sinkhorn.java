package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Sinkhorn–Knopp equipartition codes for SwAV (Caron et al. 2020; METHODS.md §1).
 *
 * <p>The official {@code distributed_sinkhorn} (facebookresearch/swav, main_swav.py) computes, with
 * Q = exp(S / ε)ᵀ of shape [K, B]: Q /= sum(Q); then {@code iterations} times: divide each row
 * (prototype) by its sum and by K, divide each column (sample) by its sum and by B; finally Q ·= B.
 * Every step divides by a positive vector, so Q = diag(a) exp(S / ε)ᵀ diag(b) throughout, and the
 * same order of row and column divisions is carried out here on the logarithms of a and b:
 *
 * <pre>
 *   log a = −LSE_b(S/ε + log b) − log K     (rows: each prototype gets mass 1/K)
 *   log b = −LSE_k(S/ε + log a) − log B     (columns: each sample gets mass 1/B)
 *   codes = exp(S/ε + log a + log b + log B)
 * </pre>
 *
 * LSE subtracts its maximum first, so nothing overflows or underflows to a whole zero row or
 * column; the official code returns NaN once |S|/ε passes ~88 in float32, while this form equals
 * the exact result. When the scores' range allows it (below {@link #EXP_SAFE_RANGE}, which covers
 * SwAV's unit-norm scores) the one-device form runs the official exp-domain iteration after
 * subtracting the maximum instead: the same numbers up to rounding, with one exp instead of seven.
 * The first division by sum(Q) is a constant factor that the first row normalisation cancels
 * exactly, so it is omitted (the result is identical in exact arithmetic).
 */
public final class Sinkhorn {
    private Sinkhorn() {}

    /**
     * All-reduce hooks for the distributed form: the per-prototype sums are reduced over every
     * device's samples, the per-sample sums stay local, and B is the global batch (official code:
     * {@code B = Q.shape[1] * world_size}). Implementations must be called by every device in the
     * same order and return arrays of the argument's shape, on its manager.
     */
    public interface Reducer {
        /** The one-device reducer: identity reductions and global batch = local batch. */
        Reducer LOCAL =
                new Reducer() {
                    @Override
                    public NDArray sum(NDArray local) {
                        return local;
                    }

                    @Override
                    public NDArray max(NDArray local) {
                        return local;
                    }

                    @Override
                    public long globalBatch(long localBatch) {
                        return localBatch;
                    }
                };

        /**
         * Element-wise sum over devices.
         *
         * @param local this device's partial sums, [1, K]
         * @return the global sums, [1, K]
         */
        NDArray sum(NDArray local);

        /**
         * Element-wise maximum over devices (keeps the log-sum-exp shift common to all devices).
         *
         * @param local this device's maxima, [1, K]
         * @return the global maxima, [1, K]
         */
        NDArray max(NDArray local);

        /**
         * The number of samples the codes are balanced over.
         *
         * @param localBatch this device's rows
         * @return the total over devices
         */
        long globalBatch(long localBatch);
    }

    /**
     * Soft codes for prototype scores: rows sum to 1, each prototype receives ≈ 1/K of the batch.
     * Official SwAV normalisation order in the log domain (see the class comment); no gradient
     * flows (the scores are detached).
     *
     * @param scores prototype scores S = z · Cᵀ, [B, K], FLOAT32 or FLOAT64, finite
     * @param epsilon entropy weight ε, finite and {@code > 0} (SwAV: 0.05)
     * @param iterations normalisation rounds, {@code >= 1} (SwAV: 3)
     * @return codes Q, [B, K], same type, on the manager (and device) of {@code scores}
     * @throws IllegalArgumentException if scores is not 2-D or an argument is out of range
     */
    public static NDArray codes(NDArray scores, double epsilon, int iterations) {
        return codes(scores, epsilon, iterations, Reducer.LOCAL);
    }

    /**
     * The distributed form of {@link #codes(NDArray, double, int)}: this device holds B local
     * samples, the per-prototype sums go through {@code reducer}, and the codes are balanced over
     * {@code reducer.globalBatch(B)} samples.
     *
     * @param scores this device's prototype scores, [B, K], FLOAT32 or FLOAT64, finite
     * @param epsilon entropy weight ε, finite and {@code > 0} (SwAV: 0.05)
     * @param iterations normalisation rounds, {@code >= 1} (SwAV: 3)
     * @param reducer the all-reduce hooks ({@link Reducer#LOCAL} on one device)
     * @return this device's codes, [B, K], rows summing to 1
     * @throws IllegalArgumentException if scores is not 2-D or an argument is out of range
     */
    public static NDArray codes(NDArray scores, double epsilon, int iterations, Reducer reducer) {
        Tensors.checkRank(scores, 2, "scores", "[B, K]");
        Tensors.checkFloat(scores, "scores", scores);
        checkArgument(
                epsilon > 0 && Double.isFinite(epsilon),
                "epsilon must be finite and > 0, got %s",
                epsilon);
        checkArgument(iterations >= 1, "iterations must be >= 1, got %s", iterations);
        checkArgument(reducer != null, "reducer must not be null (use Reducer.LOCAL)");
        long localB = Tensors.dim(scores, 0);
        long k = Tensors.dim(scores, 1);
        checkArgument(localB >= 1 && k >= 1, "scores must be non-empty, got %s", scores.getShape());
        long globalB = reducer.globalBatch(localB);
        checkArgument(
                globalB >= localB,
                "reducer.globalBatch(%s) must be >= %s, got %s",
                localB,
                localB,
                globalB);
        double logB = Math.log(globalB);
        double logK = Math.log(k);
        try (NDManager scope = Tensors.scope(scores)) {
            NDArray x = scores.stopGradient().div(epsilon); // S / ε, [B, K]
            if (reducer == Reducer.LOCAL) {
                double max =
                        x.max().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                double min =
                        x.min().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
                if (max - min < EXP_SAFE_RANGE) {
                    return scope.ret(expDomain(x, max, iterations, globalB, k));
                }
            }
            NDArray logA = null; // per prototype, [1, K]
            NDArray logBv = null; // per sample, [B, 1]
            for (int i = 0; i < iterations; i++) {
                NDArray rows = logBv == null ? x : x.add(logBv);
                logA = globalLogSumExp(rows, reducer).add(logK).neg();
                logBv = logSumExp(x.add(logA), 1).add(logB).neg();
            }
            return scope.ret(x.add(logA).add(logBv.add(logB)).exp());
        }
    }

    /**
     * Below this range of S/ε every exp(S/ε − max) is a normal float32 (e^-80 ≈ 1.8e-35), so the
     * official exp-domain iteration is exact up to rounding and about four times cheaper than the
     * log domain (one exp instead of seven). SwAV's unit-norm scores with ε = 0.05 span at most 40.
     */
    static final float EXP_SAFE_RANGE = 80f;

    /** The official normalisation in the exp domain, on one device; x = S / ε, [B, K]. */
    private static NDArray expDomain(NDArray x, double max, int iterations, long b, long k) {
        // no autograd here (detached), so Number operands are safe
        NDArray q =
                x.sub(Tensors.isDouble(x) ? (Number) max : (Number) (float) max).exp(); // [B, K]
        q.divi(q.sum());
        for (int i = 0; i < iterations; i++) {
            q.divi(q.sum(new int[] {0}, true)).divi((float) k); // each prototype: mass 1/K
            q.divi(q.sum(new int[] {1}, true)).divi((float) b); // each sample: mass 1/B
        }
        return q.muli((float) b);
    }

    /**
     * Mean per-row entropy −Σ_k q log q of codes (0 log 0 = 0), a collapse metric: log K for
     * uniform rows, 0 for one-hot rows.
     *
     * @param codes [B, K], rows summing to 1
     * @return scalar, same type, on the manager of {@code codes}; no gradient
     * @throws IllegalArgumentException if codes is not 2-D
     */
    public static NDArray entropy(NDArray codes) {
        Tensors.checkRank(codes, 2, "codes", "[B, K]");
        Tensors.checkFloat(codes, "codes", codes);
        try (NDManager scope = Tensors.scope(codes)) {
            NDArray q = codes.stopGradient();
            // clamping only the log argument keeps 0 · log(tiny) = 0 where q underflowed to 0
            NDArray logQ = q.maximum(Float.MIN_NORMAL).log();
            return scope.ret(q.mul(logQ).sum(new int[] {1}).neg().mean());
        }
    }

    /** log Σ exp(x) along {@code axis}, kept as a size-1 axis; the maximum is subtracted first. */
    static NDArray logSumExp(NDArray x, int axis) {
        NDArray m = x.max(new int[] {axis}, true);
        return x.sub(m).exp().sum(new int[] {axis}, true).log().add(m);
    }

    /** log Σ_b exp(x) over the global batch (axis 0), with the shift and sums all-reduced. */
    private static NDArray globalLogSumExp(NDArray x, Reducer reducer) {
        NDArray m = reducer.max(x.max(new int[] {0}, true));
        return reducer.sum(x.sub(m).exp().sum(new int[] {0}, true)).log().add(m);
    }
}
