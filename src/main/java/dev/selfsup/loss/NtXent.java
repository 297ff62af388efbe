package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.internal.Scalars;

/**
 * SimCLR's NT-Xent loss (Chen et al. 2020; METHODS.md §4).
 *
 * <p>z = cat(norm(z1), norm(z2)) gives 2B anchors; anchor i's positive is its other view (i ± B),
 * its negatives the other 2B − 2 rows; self-similarity is masked out. The loss is the mean of the
 * 2B cross-entropies of sim / T — the PyTorch convention (lightly's {@code NTXentLoss}, SimCLR's
 * PyTorch ports). The TF reference (google-research/simclr) reports loss_a + loss_b, each a mean
 * over B, i.e. 2× this value. Gradients flow into both views.
 */
public final class NtXent {
    private NtXent() {}

    /** Additive logit for masked entries: exp underflows to exactly 0 in float32 and float64. */
    private static final double MASKED = -1e9;

    /**
     * NT-Xent, mean over the 2B anchors.
     *
     * @param z1 first views, [B, D], FLOAT32 or FLOAT64 (L2-normalised here)
     * @param z2 second views, [B, D] (L2-normalised here)
     * @param temperature τ, {@code > 0} (SimCLR: 0.5 at small batch, 0.1 at 4096)
     * @return scalar on the manager of {@code z1}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray loss(NDArray z1, NDArray z2, double temperature) {
        check(z1, z2, temperature);
        try (NDManager scope = Tensors.scope(z1, z2)) {
            return scope.ret(lossOf(z1, z2, null, temperature));
        }
    }

    /**
     * NT-Xent with extra negatives per anchor (MoCHi on in-batch negatives, METHODS.md §5): the
     * logits of anchor i gain the columns z_i · extra[i] / τ.
     *
     * @param z1 first views, [B, D] (normalised here)
     * @param z2 second views, [B, D] (normalised here)
     * @param extraNegatives per-anchor negatives, [2B, M, D], rows 0…B−1 for z1's anchors, then
     *     z2's; used as given (not normalised) and detached
     * @param temperature τ, {@code > 0}
     * @return scalar on the manager of {@code z1}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray loss(NDArray z1, NDArray z2, NDArray extraNegatives, double temperature) {
        check(z1, z2, temperature);
        Tensors.checkRank(extraNegatives, 3, "extraNegatives", "[2B, M, D]");
        Tensors.checkFloat(extraNegatives, "extraNegatives", z1);
        checkArgument(
                Tensors.dim(extraNegatives, 0) == 2 * Tensors.dim(z1, 0)
                        && Tensors.dim(extraNegatives, 2) == Tensors.dim(z1, 1),
                "extraNegatives must be [%s, M, %s], got %s",
                2 * Tensors.dim(z1, 0),
                Tensors.dim(z1, 1),
                extraNegatives.getShape());
        try (NDManager scope = Tensors.scope(z1, z2, extraNegatives)) {
            return scope.ret(lossOf(z1, z2, extraNegatives, temperature));
        }
    }

    /**
     * The anchors and, for each, its in-batch negatives, both normalised and detached: the input of
     * {@link HardNegativeMixing#mixPerQuery} for MoCHi on SimCLR.
     *
     * @param z1 first views, [B, D]
     * @param z2 second views, [B, D]
     * @return [2B, 2B − 2, D]: row i holds every normalised sample except anchor i and its
     *     positive, in index order; on the manager of {@code z1}
     * @throws IllegalArgumentException on a shape or type mismatch
     */
    public static NDArray inBatchNegatives(NDArray z1, NDArray z2) {
        check(z1, z2, 1);
        long b = Tensors.dim(z1, 0);
        long d = Tensors.dim(z1, 1);
        checkArgument(b >= 2, "in-batch negatives need B >= 2, got %s", b);
        int n = (int) (2 * b);
        long[] index = new long[n * (n - 2)];
        int at = 0;
        for (int i = 0; i < n; i++) {
            int pos = i < b ? (int) (i + b) : (int) (i - b);
            for (int j = 0; j < n; j++) {
                if (j != i && j != pos) {
                    index[at++] = j;
                }
            }
        }
        try (NDManager scope = Tensors.scope(z1, z2)) {
            NDArray z = anchors(z1, z2).stopGradient(); // [2B, D]
            NDArray rows = z.get(new NDIndex("{}", scope.create(index)));
            return scope.ret(rows.reshape(n, n - 2, d));
        }
    }

    private static void check(NDArray z1, NDArray z2, double temperature) {
        Tensors.checkRank(z1, 2, "z1", "[B, D]");
        Tensors.checkFloat(z1, "z1", z1);
        Tensors.checkRank(z2, 2, "z2", "[B, D]");
        Tensors.checkFloat(z2, "z2", z1);
        checkArgument(
                z1.getShape().equals(z2.getShape()),
                "z2 must have the shape of z1 %s, got %s",
                z1.getShape(),
                z2.getShape());
        checkArgument(Tensors.dim(z1, 0) >= 1, "B must be >= 1, got %s", z1.getShape());
        Tensors.checkTemperature(temperature);
    }

    /** cat(norm(z1), norm(z2)), [2B, D]; F.normalize's ε = 1e-12. */
    private static NDArray anchors(NDArray z1, NDArray z2) {
        return z1.normalize(2, 1, 1e-12).concat(z2.normalize(2, 1, 1e-12), 0);
    }

    private static NDArray lossOf(NDArray z1, NDArray z2, NDArray extra, double temperature) {
        NDManager m = z1.getManager();
        DataType type = z1.getDataType();
        int b = (int) Tensors.dim(z1, 0);
        int n = 2 * b;
        NDArray z = anchors(z1, z2);
        NDArray logits = Scalars.div(z.matMul(z.transpose()), temperature); // [2B, 2B]
        long extraCols = extra == null ? 0 : Tensors.dim(extra, 1);
        long cols = n + extraCols;
        // additive mask for self-similarity, and a one-hot mask picking the positive (column i ± B)
        double[] self = new double[(int) (n * cols)];
        double[] positive = new double[(int) (n * cols)];
        for (int i = 0; i < n; i++) {
            self[(int) (i * cols + i)] = MASKED;
            positive[(int) (i * cols + (i < b ? i + b : i - b))] = 1;
        }
        if (extra != null) {
            logits =
                    logits.concat(
                            Scalars.div(Tensors.rowDots(z, extra.stopGradient()), temperature), 1);
        }
        Shape shape = new Shape(n, cols);
        logits = logits.add(m.create(self, shape).toType(type, false));
        NDArray positives = Scalars.owned(m.create(positive, shape).toType(type, false));
        return logits.logSoftmax(1).mul(positives).sum(new int[] {1}).neg().mean();
    }
}
