package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Label-free health checks of an embedding, as static pure functions of embedding matrices (rows
 * are samples): alignment and uniformity (Wang &amp; Isola 2020), tolerance (Wang &amp; Liu 2021;
 * needs labels), the effective rank RankMe (Garrido et al. 2023) and the positive / negative pair
 * cosine scores a contrastive loss sees (the statistics Zhu et al. 2021 plot for feature
 * transformation).
 *
 * <p>Every function computes in float64 on the inputs' device, keeps its temporaries in a
 * sub-manager of the first input's manager and returns plain Java numbers, so nothing is left on
 * any manager; no gradient flows (the results are not arrays). Shapes: N samples, D embedding width
 * (backbone features F or projector output D alike).
 */
public final class EmbeddingDiagnostics {
    /** RankMe's ε added to each normalised singular value, 1e-7 (Garrido et al. 2023). */
    public static final double RANKME_EPSILON = 1e-7;

    private EmbeddingDiagnostics() {}

    /**
     * Alignment {@code E ||x̂_i − ŷ_i||²} over positive pairs (row i of x with row i of y) of the
     * L2-normalised rows: Wang &amp; Isola's {@code align_loss} with α = 2. 0 when every pair
     * coincides, 4 when every pair is antipodal.
     *
     * @param x embeddings of the first views, [N, D], any float type, not necessarily normalised
     * @param y embeddings of the second views, [N, D]
     * @return the mean squared distance, in [0, 4]
     * @throws IllegalArgumentException if x and y are not equal [N, D] shapes with N ≥ 1
     */
    public static double alignment(NDArray x, NDArray y) {
        checkPair(x, y);
        try (NDManager scope = x.getManager().newSubManager()) {
            borrow(scope, x, y);
            NDArray d = normalised(x).sub(normalised(y)); // [N, D]
            return d.square().sum(new int[] {1}).mean().getDouble();
        }
    }

    /**
     * Uniformity {@code log E_{i<j} exp(−t ||x̂_i − x̂_j||²)} over all distinct pairs of the
     * L2-normalised rows, t = 2: Wang &amp; Isola's {@code uniform_loss} ({@code torch.pdist(x,
     * p=2).pow(2).mul(-2).exp().mean().log()}), the same quantity Wang &amp; Liu report. Lower is
     * more uniform: 0 when all rows coincide, −4 when every pair is orthogonal (d² = 2), −8 for two
     * antipodal rows; rows spread uniformly over a sphere in D dimensions give about −4 + 8/D.
     *
     * @param x embeddings, [N, D], N ≥ 2
     * @return the log mean Gaussian potential, in [−8, 0]
     * @throws IllegalArgumentException if x is not [N, D] with N ≥ 2
     */
    public static double uniformity(NDArray x) {
        int n = checkMatrix(x, "x");
        checkArgument(n >= 2, "uniformity needs at least 2 rows, got %s", n);
        try (NDManager scope = x.getManager().newSubManager()) {
            borrow(scope, x);
            NDArray g = gram(normalised(x)); // [N, N] cosines
            NDArray d2 = g.mul(-2.0).add(2.0).clip(0.0, 4.0); // ||x̂_i − x̂_j||² = 2 − 2 cos
            NDArray potential = d2.mul(-2.0).exp().mul(offDiagonal(scope, n)); // exp(−t d²), i ≠ j
            // the mean over i ≠ j equals the mean over i < j (the matrix is symmetric)
            return Math.log(potential.sum().getDouble() / ((double) n * (n - 1)));
        }
    }

    /**
     * Tolerance: the mean cosine similarity {@code x̂_i · x̂_j} over pairs i ≠ j whose labels are
     * equal. Wang &amp; Liu (2021) define it as "the mean similarities of samples belonging to the
     * same class" and write it as {@code E[f(x)ᵀf(y) · 1(l(x) = l(y))]} over all pairs; we follow
     * the sentence (the conditional mean), which the formula equals up to the factor P(same class).
     * Needs class labels, so it is not a label-free diagnostic.
     *
     * @param x embeddings, [N, D]
     * @param labels class of each row, [N], integer, each {@code >= 0}
     * @return the mean same-class cosine, in [−1, 1]
     * @throws IllegalArgumentException if the shapes disagree, a label is negative, or no two rows
     *     share a label
     */
    public static double tolerance(NDArray x, NDArray labels) {
        int n = checkMatrix(x, "x");
        checkArgument(
                labels.getShape().dimension() == 1 && labels.getShape().get(0) == n,
                "labels must be [%s] to match x %s, got %s",
                n,
                x.getShape(),
                labels.getShape());
        long[] l = labels.toType(DataType.INT64, false).toLongArray();
        double[] mask = new double[n * n];
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            checkArgument(
                    l[i] >= 0,
                    "labels must be >= 0 (tolerance needs classes), got %s at row %s",
                    l[i],
                    i);
            for (int j = 0; j < n; j++) {
                if (i != j && l[i] == l[j]) {
                    mask[i * n + j] = 1;
                    pairs++;
                }
            }
        }
        checkArgument(
                pairs > 0,
                "tolerance needs two rows of the same class; the %s labels are all distinct",
                n);
        try (NDManager scope = x.getManager().newSubManager()) {
            borrow(scope, x);
            NDArray same = scope.create(mask, new Shape(n, n));
            return gram(normalised(x)).mul(same).sum().getDouble() / pairs;
        }
    }

    /**
     * RankMe, the effective rank of an embedding matrix (Garrido et al. 2023): {@code exp(−Σ_k p_k
     * log p_k)} with {@code p_k = σ_k / Σ_j σ_j + ε} over the min(N, D) singular values σ of x as
     * it is (not normalised, not centred), ε = {@value #RANKME_EPSILON}. Between 1 (rank one) and
     * min(N, D) (all singular values equal), so with a batch of N rows it can report at most N.
     *
     * @param x embeddings, [N, D], not all zero
     * @return the effective rank
     * @throws IllegalArgumentException if x is not [N, D] or is all zero
     */
    public static double effectiveRank(NDArray x) {
        return effectiveRank(singularValues(x));
    }

    /**
     * RankMe of given singular values; see {@link #effectiveRank(NDArray)}.
     *
     * @param singularValues σ_k, each {@code >= 0}, not all zero
     * @return {@code exp(−Σ p_k log p_k)}, {@code p_k = σ_k / Σσ + ε}
     * @throws IllegalArgumentException if a value is negative or all are zero
     */
    public static double effectiveRank(double[] singularValues) {
        double total = 0;
        for (double s : singularValues) {
            checkArgument(s >= 0, "singular values must be >= 0, got %s", s);
            total += s;
        }
        checkArgument(total > 0, "the embedding matrix is all zero: no effective rank");
        double entropy = 0;
        for (double s : singularValues) {
            double p = s / total + RANKME_EPSILON;
            entropy -= p * Math.log(p);
        }
        return Math.exp(entropy);
    }

    /**
     * The singular values of x, largest first: square roots of the eigenvalues of the smaller Gram
     * matrix ({@code x xᵀ} or {@code xᵀ x}, formed in float64 on the device), found on the host by
     * Householder tridiagonalisation and implicit QL. Values below about {@code 1e-8·σ_max} are
     * lost to the squaring, which does not move RankMe at the precision it is reported.
     *
     * @param x a matrix, [N, D]
     * @return min(N, D) values, descending, each {@code >= 0}
     * @throws IllegalArgumentException if x is not 2-D
     */
    public static double[] singularValues(NDArray x) {
        int n = checkMatrix(x, "x");
        int d = (int) x.getShape().get(1);
        int m = Math.min(n, d);
        double[] flat;
        try (NDManager scope = x.getManager().newSubManager()) {
            borrow(scope, x);
            NDArray a = x.toType(DataType.FLOAT64, false);
            NDArray g = n <= d ? a.matMul(a.transpose()) : a.transpose().matMul(a); // [m, m]
            flat = g.toDoubleArray();
        }
        double[][] gram = new double[m][m];
        for (int i = 0; i < m; i++) {
            System.arraycopy(flat, i * m, gram[i], 0, m);
        }
        double[] eigen = symmetricEigenvalues(gram);
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            out[i] = Math.sqrt(Math.max(0, eigen[m - 1 - i]));
        }
        return out;
    }

    /**
     * Mean and variance of the cosine scores of the pairs a contrastive loss compares.
     *
     * @param positiveMean mean of {@code cos(x_i, y_i)}
     * @param positiveVariance population variance of the positive scores
     * @param negativeMean mean of {@code cos(x_i, y_j)}, i ≠ j
     * @param negativeVariance population variance of the negative scores
     */
    public record PairScores(
            double positiveMean,
            double positiveVariance,
            double negativeMean,
            double negativeVariance) {}

    /**
     * The positive-pair scores {@code cos(x_i, y_i)} and the in-batch negative scores {@code
     * cos(x_i, y_j)}, i ≠ j (the first views against the other images' second views, N(N − 1)
     * scores), summarised by mean and population variance: the distributions Zhu et al. (2021,
     * "Improving Contrastive Learning by Visualizing Feature Transformation") plot to motivate
     * feature transformation. A queue's negatives (MoCo) are not included; these are the batch's.
     *
     * @param x embeddings of the first views, [N, D], N ≥ 2
     * @param y embeddings of the second views, [N, D]
     * @return the four statistics
     * @throws IllegalArgumentException if x and y are not equal [N, D] shapes with N ≥ 2
     */
    public static PairScores pairScores(NDArray x, NDArray y) {
        int n = checkPair(x, y);
        checkArgument(
                n >= 2, "pair scores need at least 2 rows (negatives are other rows), got %s", n);
        try (NDManager scope = x.getManager().newSubManager()) {
            borrow(scope, x, y);
            NDArray xn = normalised(x);
            NDArray yn = normalised(y);
            NDArray scores = xn.matMul(yn.transpose()); // [N, N]; the diagonal holds the positives
            NDArray positives = xn.mul(yn).sum(new int[] {1}); // [N]
            double posSum = positives.sum().getDouble();
            double posSq = positives.square().sum().getDouble();
            double negSum = scores.sum().getDouble() - posSum;
            double negSq = scores.square().sum().getDouble() - posSq;
            double negCount = (double) n * (n - 1);
            double posMean = posSum / n;
            double negMean = negSum / negCount;
            return new PairScores(
                    posMean,
                    Math.max(0, posSq / n - posMean * posMean),
                    negMean,
                    Math.max(0, negSq / negCount - negMean * negMean));
        }
    }

    /**
     * Eigenvalues of a symmetric matrix, ascending ({@link SymmetricEigen#eigenvalues}); destroys
     * {@code a}.
     *
     * @param a a symmetric m × m matrix (only the lower triangle is read)
     * @return the m eigenvalues, ascending
     * @throws IllegalStateException if QL does not converge
     */
    static double[] symmetricEigenvalues(double[][] a) {
        return SymmetricEigen.eigenvalues(a);
    }

    /**
     * Borrows the inputs into the scope, each once: attaching one array twice would record the
     * scope as its home and free it with the scope ({@code alignment(x, x)} is a fair call).
     */
    private static void borrow(NDManager scope, NDArray x, NDArray... more) {
        scope.tempAttachAll(x);
        for (NDArray a : more) {
            if (a != x) {
                scope.tempAttachAll(a);
            }
        }
    }

    private static NDArray normalised(NDArray x) {
        return x.toType(DataType.FLOAT64, false).normalize(2, 1);
    }

    private static NDArray gram(NDArray rows) {
        return rows.matMul(rows.transpose());
    }

    private static NDArray offDiagonal(NDManager scope, int n) {
        return scope.ones(new Shape(n, n), DataType.FLOAT64)
                .sub(scope.eye(n, n, 0, DataType.FLOAT64));
    }

    private static int checkMatrix(NDArray x, String name) {
        checkArgument(
                x.getShape().dimension() == 2, "%s must be [N, D], got %s", name, x.getShape());
        checkArgument(
                x.getShape().get(0) >= 1 && x.getShape().get(1) >= 1,
                "%s must be non-empty, got %s",
                name,
                x.getShape());
        return (int) x.getShape().get(0);
    }

    private static int checkPair(NDArray x, NDArray y) {
        int n = checkMatrix(x, "x");
        checkArgument(
                x.getShape().equals(y.getShape()),
                "x and y must have the same [N, D] shape, got %s and %s",
                x.getShape(),
                y.getShape());
        return n;
    }
}
