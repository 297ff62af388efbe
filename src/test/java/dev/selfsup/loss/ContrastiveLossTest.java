package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Seeds;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * InfoNCE and NT-Xent: METHODS.md check values, a naive loop, closed forms, symmetry, gradients.
 */
class ContrastiveLossTest {

    @Test
    void infoNceMatchesMocoCheckValue() { // METHODS.md §3
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.create(new float[][] {{1, 0}, {.6f, .8f}});
            NDArray k = m.create(new float[][] {{.8f, .6f}, {0, 1}});
            NDArray queue = m.create(new float[][] {{1, 0}, {0, 1}, {-1, 0}});
            NDArray loss = InfoNce.loss(q, k, queue, 0.07);
            assertEquals(1.8172231f, loss.getFloat(), 1e-6f);
            assertEquals(DataType.FLOAT32, loss.getDataType());
            assertSame(m, loss.getManager());
            assertEquals(new Shape(2, 4), InfoNce.logits(q, k, queue, 0.07).getShape());
        }
    }

    @Test
    void ntXentMatchesCheckValuePerAnchor() { // METHODS.md §4
        try (NDManager m = NDManager.newBaseManager()) {
            double r = Math.sqrt(0.5);
            NDArray z1 = m.create(new float[][] {{1, 0}, {0, 1}});
            NDArray z2 = m.create(new float[][] {{1, 1}, {-1, 1}}); // normalised inside
            assertEquals(0.535969f, NtXent.loss(z1, z2, 0.5).getFloat(), 1e-6f);
            double[] perAnchor =
                    naivePerAnchor(new double[][] {{1, 0}, {0, 1}, {r, r}, {-r, r}}, 0.5);
            double[] expected = {0.26407, 0.80787, 0.80787, 0.26407};
            for (int i = 0; i < 4; i++) {
                assertEquals(expected[i], perAnchor[i], 1e-5);
            }
        }
    }

    /** Per-anchor NT-Xent by loops on normalised rows z (2B of them). */
    static double[] naivePerAnchor(double[][] z, double temperature) {
        int n = z.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            int pos = i < n / 2 ? i + n / 2 : i - n / 2;
            double denom = 0;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    denom += Math.exp(dot(z[i], z[j]) / temperature);
                }
            }
            out[i] = -Math.log(Math.exp(dot(z[i], z[pos]) / temperature) / denom);
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void ntXentEqualsNaiveLoopAndIsSymmetric() {
        RandomGenerator rng = Seeds.derive(11, "ntxent-test");
        int b = 7;
        int d = 5;
        double[] a1 = GradCheck.gaussian(rng, b * d);
        double[] a2 = GradCheck.gaussian(rng, b * d);
        double[] u1 = GradCheck.unitRows(a1, d);
        double[] u2 = GradCheck.unitRows(a2, d);
        double[][] z = new double[2 * b][d];
        for (int i = 0; i < b; i++) {
            System.arraycopy(u1, i * d, z[i], 0, d);
            System.arraycopy(u2, i * d, z[i + b], 0, d);
        }
        double expected = java.util.Arrays.stream(naivePerAnchor(z, 0.3)).average().orElseThrow();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z1 = m.create(a1, new Shape(b, d));
            NDArray z2 = m.create(a2, new Shape(b, d));
            assertEquals(expected, NtXent.loss(z1, z2, 0.3).getDouble(), 1e-12);
            assertEquals(
                    NtXent.loss(z1, z2, 0.3).getDouble(),
                    NtXent.loss(z2, z1, 0.3).getDouble(),
                    1e-12);
            // float32 agrees with the float64 loop at float32 precision
            assertEquals(
                    expected,
                    NtXent.loss(
                                    z1.toType(DataType.FLOAT32, false),
                                    z2.toType(DataType.FLOAT32, false),
                                    0.3)
                            .getFloat(),
                    1e-5);
        }
    }

    @Test
    void ntXentOfIdenticalEmbeddingsIsLogOfTwoNMinusOne() {
        // lightly's closed form: all 2N embeddings equal → every anchor sees 2N − 1 equal logits
        try (NDManager m = NDManager.newBaseManager()) {
            for (int n : new int[] {1, 2, 5}) {
                NDArray z = m.ones(new Shape(n, 3), DataType.FLOAT64);
                for (double t : new double[] {0.1, 1, 10}) {
                    assertEquals(Math.log(2 * n - 1), NtXent.loss(z, z, t).getDouble(), 1e-12);
                }
            }
        }
    }

    @Test
    void infoNceGradientMatchesFiniteDifferences() {
        RandomGenerator rng = Seeds.derive(12, "infonce-grad");
        int b = 3;
        int d = 4;
        int k = 6;
        double[][] data = {
            GradCheck.unitRows(GradCheck.gaussian(rng, b * d), d),
            GradCheck.unitRows(GradCheck.gaussian(rng, b * d), d),
            GradCheck.unitRows(GradCheck.gaussian(rng, k * d), d)
        };
        Shape[] shapes = {new Shape(b, d), new Shape(b, d), new Shape(k, d)};
        // autograd reaches q only; finite differences of the same function, in q
        GradCheck.check(
                x -> InfoNce.loss(x[0], x[1], x[2], 0.2),
                x -> InfoNce.loss(x[0], x[1], x[2], 0.2),
                data,
                shapes,
                new boolean[] {true, false, false});
        double[][] g = GradCheck.autograd(x -> InfoNce.loss(x[0], x[1], x[2], 0.2), data, shapes);
        assertZero(g[1], "k");
        assertZero(g[2], "queue");
    }

    @Test
    void infoNceWithExtraNegativesGradientMatchesFiniteDifferences() {
        RandomGenerator rng = Seeds.derive(13, "infonce-grad");
        int b = 3;
        int d = 4;
        double[][] data = {
            GradCheck.unitRows(GradCheck.gaussian(rng, b * d), d),
            GradCheck.unitRows(GradCheck.gaussian(rng, b * d), d),
            GradCheck.unitRows(GradCheck.gaussian(rng, 5 * d), d),
            GradCheck.unitRows(GradCheck.gaussian(rng, b * 2 * d), d)
        };
        Shape[] shapes = {new Shape(b, d), new Shape(b, d), new Shape(5, d), new Shape(b, 2, d)};
        GradCheck.check(
                x -> InfoNce.loss(x[0], x[1], x[2], x[3], 0.2),
                x -> InfoNce.loss(x[0], x[1], x[2], x[3], 0.2),
                data,
                shapes,
                new boolean[] {true, false, false, false});
        assertZero(
                GradCheck.autograd(x -> InfoNce.loss(x[0], x[1], x[2], x[3], 0.2), data, shapes)[3],
                "extra");
    }

    @Test
    void ntXentGradientsMatchFiniteDifferencesWithAndWithoutExtraNegatives() {
        RandomGenerator rng = Seeds.derive(14, "ntxent-grad");
        int b = 3;
        int d = 4;
        double[][] data = {GradCheck.gaussian(rng, b * d), GradCheck.gaussian(rng, b * d)};
        Shape[] shapes = {new Shape(b, d), new Shape(b, d)};
        GradCheck.check(x -> NtXent.loss(x[0], x[1], 0.5), data, shapes);
        double[][] withExtra = {
            data[0], data[1], GradCheck.unitRows(GradCheck.gaussian(rng, 2 * b * 2 * d), d)
        };
        Shape[] extraShapes = {shapes[0], shapes[1], new Shape(2 * b, 2, d)};
        GradCheck.check(
                x -> NtXent.loss(x[0], x[1], x[2], 0.5),
                x -> NtXent.loss(x[0], x[1], x[2], 0.5),
                withExtra,
                extraShapes,
                new boolean[] {true, true, false});
    }

    static void assertZero(double[] g, String name) {
        for (double v : g) {
            assertEquals(0.0, v, 0.0, name + " must receive no gradient");
        }
    }

    @Test
    void rejectsMismatchedShapesNamingThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.ones(new Shape(2, 3));
            Fixtures.assertRejects(
                    "queue must be [K, 3] (rows are keys), got (3, 4)",
                    () -> InfoNce.loss(q, q, m.ones(new Shape(3, 4)), 0.2));
            Fixtures.assertRejects(
                    "temperature must be finite and > 0, got -1.0",
                    () -> InfoNce.loss(q, q, q, -1));
            Fixtures.assertRejects(
                    "z2 must have the shape of z1 (2, 3), got (3, 3)",
                    () -> NtXent.loss(q, m.ones(new Shape(3, 3)), 0.5));
            Fixtures.assertRejects(
                    "extraNegatives must be [4, M, 3], got (2, 1, 3)",
                    () -> NtXent.loss(q, q, m.ones(new Shape(2, 1, 3)), 0.5));
            Fixtures.assertRejects(
                    "k must have the data type of the other inputs",
                    () -> InfoNce.loss(q, q.toType(DataType.FLOAT64, false), q, 0.2));
        }
    }
}
