package dev.selfsup.eval;

import static dev.selfsup.eval.HostReferences.dot;
import static dev.selfsup.eval.HostReferences.gaussian;
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
 * {@link EmbeddingDiagnostics}' alignment, uniformity, tolerance and pair scores against closed
 * forms and naive double loops on the host. The functions compute in float64, so float64 inputs are
 * compared at 1e-12 (sums of ~N² terms of O(1)); float32 inputs only carry their own rounding
 * (1e-6). The spectrum is tested in {@link EmbeddingSpectrumTest}.
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

    private static double[][] normalise(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double norm = Math.sqrt(dot(x[i], x[i]));
            out[i] = Arrays.stream(x[i]).map(v -> v / norm).toArray();
        }
        return out;
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
}
