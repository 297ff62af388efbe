package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddingDiagnostics} against closed forms and naive double loops on the host. The
 * functions compute in float64, so float64 inputs are compared at 1e-12 (sums of ~N² terms of
 * O(1)); float32 inputs only carry their own rounding (1e-6).
 */
class EmbeddingDiagnosticsTest {
    private static final double EXACT = 1e-12;

    @Test
    void identicalViewsHaveZeroAlignmentAndAntipodalViewsFour() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(gaussian(new SplittableRandom(1), 12, 5));
            assertEquals(0, EmbeddingDiagnostics.alignment(x, x), EXACT);
            assertEquals(4, EmbeddingDiagnostics.alignment(x, x.neg()), EXACT);
            // scale does not matter: rows are normalised inside
            assertEquals(0, EmbeddingDiagnostics.alignment(x, x.mul(3.0)), EXACT);
        }
    }

    @Test
    void uniformityOfClosedFormConfigurations() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two orthogonal unit points: d² = 2, log exp(−2·2) = −4
            assertEquals(
                    -4,
                    EmbeddingDiagnostics.uniformity(m.create(new double[][] {{1, 0}, {0, 2}})),
                    EXACT);
            // two antipodal points: d² = 4 → −8
            assertEquals(
                    -8,
                    EmbeddingDiagnostics.uniformity(m.create(new double[][] {{1, 1}, {-2, -2}})),
                    EXACT);
            // all rows equal: exp(0) = 1 → 0
            assertEquals(
                    0,
                    EmbeddingDiagnostics.uniformity(
                            m.create(new double[][] {{1, 2}, {1, 2}, {2, 4}})),
                    EXACT);
            // the D standard basis vectors: every pair orthogonal → −4 for any D
            assertEquals(
                    -4,
                    EmbeddingDiagnostics.uniformity(
                            m.eye(6).toType(ai.djl.ndarray.types.DataType.FLOAT64, false)),
                    EXACT);
        }
    }

    @Test
    void matchesNaiveDoubleLoops() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 40;
        int d = 7;
        double[][] x = gaussian(rng, n, d);
        double[][] y = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                y[i][j] = x[i][j] + 0.7 * rng.nextGaussian(); // correlated views
            }
        }
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(4);
        }
        double[][] xn = normalise(x);
        double[][] yn = normalise(y);
        double align = 0;
        for (int i = 0; i < n; i++) {
            align += dist2(xn[i], yn[i]);
        }
        align /= n;
        double potential = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                potential += Math.exp(-2 * dist2(xn[i], xn[j]));
                pairs++;
            }
        }
        double uniform = Math.log(potential / pairs);
        double tolerance = 0;
        int same = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && labels[i] == labels[j]) {
                    tolerance += dot(xn[i], xn[j]);
                    same++;
                }
            }
        }
        tolerance /= same;
        double[] pos = new double[n];
        double[] neg = new double[n * (n - 1)];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    pos[i] = dot(xn[i], yn[j]);
                } else {
                    neg[k++] = dot(xn[i], yn[j]);
                }
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x);
            NDArray ya = m.create(y);
            assertEquals(align, EmbeddingDiagnostics.alignment(xa, ya), EXACT);
            assertEquals(uniform, EmbeddingDiagnostics.uniformity(xa), EXACT);
            assertEquals(tolerance, EmbeddingDiagnostics.tolerance(xa, m.create(labels)), EXACT);
            EmbeddingDiagnostics.PairScores s = EmbeddingDiagnostics.pairScores(xa, ya);
            assertEquals(mean(pos), s.positiveMean(), EXACT);
            assertEquals(variance(pos), s.positiveVariance(), EXACT);
            assertEquals(mean(neg), s.negativeMean(), EXACT);
            assertEquals(variance(neg), s.negativeVariance(), EXACT);
            assertTrue(
                    s.positiveMean() > s.negativeMean() + 0.3,
                    "correlated views score higher: " + s);
            // float32 inputs give the same numbers up to their own rounding
            NDArray xf = xa.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            NDArray yf = ya.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            assertEquals(align, EmbeddingDiagnostics.alignment(xf, yf), 1e-6);
            assertEquals(uniform, EmbeddingDiagnostics.uniformity(xf), 1e-6);
        }
    }

    @Test
    void recoversKnownSingularValuesAndTheirRankMe() {
        SplittableRandom rng = new SplittableRandom(11);
        double[] s = {9, 5, 5, 2, 0.5, 0.01};
        for (int[] nd : new int[][] {{30, 12}, {12, 30}, {6, 6}}) {
            int n = nd[0];
            int d = nd[1];
            double[][] u = orthonormalColumns(rng, n, s.length);
            double[][] v = orthonormalColumns(rng, d, s.length);
            double[][] x = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    for (int r = 0; r < s.length; r++) {
                        x[i][j] += u[i][r] * s[r] * v[j][r];
                    }
                }
            }
            double[] expected = new double[Math.min(n, d)];
            System.arraycopy(s, 0, expected, 0, s.length); // the rest are zero
            try (NDManager m = NDManager.newBaseManager()) {
                double[] got = EmbeddingDiagnostics.singularValues(m.create(x));
                // σ² comes from a float64 Gram matrix: zeros come back as ~sqrt(1e-16·σ_max²) ≈
                // 1e-7
                assertArrayEquals(expected, got, 1e-6, Arrays.toString(got));
                double total = Arrays.stream(expected).sum();
                double entropy = 0;
                for (double e : expected) {
                    double p = e / total + 1e-7;
                    entropy -= p * Math.log(p);
                }
                assertEquals(
                        Math.exp(entropy), EmbeddingDiagnostics.effectiveRank(m.create(x)), 1e-5);
            }
        }
    }

    @Test
    void rankMeClosedForms() {
        // k equal singular values: p = 1/k + ε each → exp(−k (1/k + ε) log(1/k + ε)) ≈ k
        for (int k : new int[] {1, 3, 64}) {
            double[] s = new double[k];
            Arrays.fill(s, 2.5);
            double p = 1.0 / k + 1e-7;
            assertEquals(
                    Math.exp(-k * p * Math.log(p)), EmbeddingDiagnostics.effectiveRank(s), 1e-12);
            assertEquals(k, EmbeddingDiagnostics.effectiveRank(s), 1e-4 * k);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            // a rank-one matrix (every row a multiple of one vector): effective rank 1
            double[][] x = new double[20][8];
            for (int i = 0; i < 20; i++) {
                for (int j = 0; j < 8; j++) {
                    x[i][j] = (i + 1) * (j - 3.5);
                }
            }
            assertEquals(1, EmbeddingDiagnostics.effectiveRank(m.create(x)), 1e-4);
        }
    }

    @Test
    void eigenvaluesMatchJacobiRotations() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 5, 33}) {
            double[][] g = gaussian(rng, n, n);
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[i][j] = g[i][j] + g[j][i];
                }
            }
            double[] expected = jacobiEigenvalues(copy(a));
            assertArrayEquals(expected, EmbeddingDiagnostics.symmetricEigenvalues(copy(a)), 1e-10);
        }
        // repeated and zero eigenvalues: diag(0, 0, 2, 2, 2) rotated
        double[][] q = orthonormalColumns(rng, 5, 5);
        double[] lambda = {0, 0, 2, 2, 2};
        double[][] a = new double[5][5];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                for (int r = 0; r < 5; r++) {
                    a[i][j] += q[i][r] * lambda[r] * q[j][r];
                }
            }
        }
        assertArrayEquals(lambda, EmbeddingDiagnostics.symmetricEigenvalues(a), 1e-12);
    }

    @Test
    void leavesNothingOnTheCallersManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x =
                    m.create(gaussian(new SplittableRandom(5), 16, 4))
                            .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            NDArray y = x.add(0.1f);
            NDArray labels = m.create(new long[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3});
            int before = m.getManagedArrays().size();
            EmbeddingDiagnostics.alignment(x, y);
            EmbeddingDiagnostics.uniformity(x);
            EmbeddingDiagnostics.tolerance(x, labels);
            EmbeddingDiagnostics.effectiveRank(x);
            EmbeddingDiagnostics.pairScores(x, y);
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void rejectsBadArgumentsNamingTheValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4, 3));
            IllegalArgumentException shape =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> EmbeddingDiagnostics.alignment(x, m.ones(new Shape(4, 2))));
            assertTrue(shape.getMessage().contains("(4, 2)"), shape.getMessage());
            IllegalArgumentException one =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> EmbeddingDiagnostics.uniformity(m.ones(new Shape(1, 3))));
            assertTrue(one.getMessage().contains("got 1"), one.getMessage());
            IllegalArgumentException distinct =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    EmbeddingDiagnostics.tolerance(
                                            x, m.create(new long[] {0, 1, 2, 3})));
            assertTrue(distinct.getMessage().contains("distinct"), distinct.getMessage());
            IllegalArgumentException unlabelled =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    EmbeddingDiagnostics.tolerance(
                                            x, m.create(new long[] {0, -1, 0, 1})));
            assertTrue(unlabelled.getMessage().contains("-1"), unlabelled.getMessage());
            IllegalArgumentException zero =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> EmbeddingDiagnostics.effectiveRank(m.zeros(new Shape(3, 3))));
            assertTrue(zero.getMessage().contains("all zero"), zero.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> EmbeddingDiagnostics.uniformity(m.ones(new Shape(4))));
        }
    }

    // ---- independent host references ----

    private static double[][] gaussian(SplittableRandom rng, int rows, int cols) {
        double[][] out = new double[rows][cols];
        for (double[] row : out) {
            for (int j = 0; j < cols; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        return out;
    }

    private static double[][] normalise(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double norm = Math.sqrt(dot(x[i], x[i]));
            out[i] = Arrays.stream(x[i]).map(v -> v / norm).toArray();
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double dist2(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).sum() / v.length;
    }

    private static double variance(double[] v) {
        double mu = mean(v);
        return Arrays.stream(v).map(a -> (a - mu) * (a - mu)).sum() / v.length;
    }

    /** Gram–Schmidt on Gaussian columns: an n × k matrix with orthonormal columns. */
    private static double[][] orthonormalColumns(SplittableRandom rng, int n, int k) {
        double[][] q = new double[n][k];
        for (int c = 0; c < k; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rng.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) { // twice is enough for float64 orthogonality
                for (int p = 0; p < c; p++) {
                    double proj = 0;
                    for (int i = 0; i < n; i++) {
                        proj += q[i][p] * v[i];
                    }
                    for (int i = 0; i < n; i++) {
                        v[i] -= proj * q[i][p];
                    }
                }
            }
            double norm = Math.sqrt(dot(v, v));
            for (int i = 0; i < n; i++) {
                q[i][c] = v[i] / norm;
            }
        }
        return q;
    }

    private static double[][] copy(double[][] a) {
        return Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
    }

    /** Cyclic Jacobi rotations until the off-diagonal mass vanishes; eigenvalues ascending. */
    private static double[] jacobiEigenvalues(double[][] a) {
        int n = a.length;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t =
                            Math.signum(theta == 0 ? 1 : theta)
                                    / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) { // A ← A J (columns p, q)
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // A ← Jᵀ A (rows p, q)
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i][i];
        }
        Arrays.sort(d);
        return d;
    }
}
