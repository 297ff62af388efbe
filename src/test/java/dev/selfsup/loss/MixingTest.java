package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.selfsup.engine.Seeds;
import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** MoCHi (METHODS.md §5) and feature transformation (§6): structure, draws and gradients. */
class MixingTest {
    private static final int B = 4;
    private static final int D = 6;
    private static final int K = 40;

    private static double[] unit(RandomGenerator rng, int rows) {
        return GradCheck.unitRows(GradCheck.gaussian(rng, (long) rows * D), D);
    }

    private static double[] row(double[] a, int r) {
        return Arrays.copyOfRange(a, r * D, (r + 1) * D);
    }

    private static double[] normalise(double[] v) {
        double n = Math.sqrt(ContrastiveLossTest.dot(v, v));
        return Arrays.stream(v).map(x -> x / n).toArray();
    }

    @Test
    void mochiNegativesAreUnitMixesOfHardNegativesAndOfTheQuery() {
        RandomGenerator data = Seeds.derive(1, "mochi-test");
        double[] q = unit(data, B);
        double[] queue = unit(data, K);
        int n = 10;
        int s = 7;
        int s2 = 3;
        try (NDManager m = NDManager.newBaseManager()) {
            HardNegativeMixing.Mixed mixed =
                    HardNegativeMixing.mix(
                            m.create(q, new Shape(B, D)),
                            m.create(queue, new Shape(K, D)),
                            n,
                            s,
                            s2,
                            Seeds.derive(1, "mochi", 0));
            assertEquals(new Shape(B, s + s2, D), mixed.negatives().getShape());
            double[] h = mixed.negatives().toDoubleArray();
            HardNegativeMixing.Draws d = mixed.draws();
            // the same seed draws the same choices
            assertArrayEquals(
                    d.alpha(),
                    HardNegativeMixing.Draws.sample(Seeds.derive(1, "mochi", 0), B, n, s, s2)
                            .alpha());
            double meanHard = 0;
            double meanQueue = 0;
            for (int b = 0; b < B; b++) {
                double[] qb = row(q, b);
                int bb = b;
                Integer[] order =
                        IntStream.range(0, K)
                                .boxed()
                                .sorted(
                                        Comparator.comparingDouble(
                                                i -> -ContrastiveLossTest.dot(qb, row(queue, i))))
                                .toArray(Integer[]::new);
                for (int t = 0; t < s + s2; t++) {
                    double[] got =
                            Arrays.copyOfRange(
                                    h, (b * (s + s2) + t) * D, (b * (s + s2) + t + 1) * D);
                    assertEquals(
                            1.0, Math.sqrt(ContrastiveLossTest.dot(got, got)), 1e-12, "unit norm");
                    double[] expected = new double[D];
                    if (t < s) { // h = norm(α n_i + (1 − α) n_j), n_i, n_j among the N hardest
                        int at = bb * s + t;
                        double a = d.alpha()[at];
                        double[] ni = row(queue, order[d.first()[at]]);
                        double[] nj = row(queue, order[d.second()[at]]);
                        for (int j = 0; j < D; j++) {
                            expected[j] = a * ni[j] + (1 - a) * nj[j];
                        }
                        assertTrue(a >= 0 && a < 1);
                    } else { // h' = norm(β q + (1 − β) n_j), β in [0, 0.5)
                        int at = bb * s2 + (t - s);
                        double be = d.beta()[at];
                        double[] nj = row(queue, order[d.partner()[at]]);
                        for (int j = 0; j < D; j++) {
                            expected[j] = be * qb[j] + (1 - be) * nj[j];
                        }
                        assertTrue(be >= 0 && be < 0.5);
                    }
                    assertArrayEquals(normalise(expected), got, 1e-12);
                    if (t < s) {
                        meanHard += ContrastiveLossTest.dot(qb, got) / (B * s);
                    }
                }
                for (int i = 0; i < K; i++) {
                    meanQueue += ContrastiveLossTest.dot(qb, row(queue, i)) / (B * K);
                }
            }
            assertTrue(
                    meanHard > meanQueue + 0.2,
                    "mixed negatives are harder: " + meanHard + " vs " + meanQueue);
        }
    }

    @Test
    void mochiLossSendsNoGradientToTheQueueAndMatchesFiniteDifferences() {
        RandomGenerator data = Seeds.derive(2, "mochi-test");
        double[][] x = {unit(data, B), unit(data, B), unit(data, K)};
        Shape[] shapes = {new Shape(B, D), new Shape(B, D), new Shape(K, D)};
        HardNegativeMixing.Draws draws =
                HardNegativeMixing.Draws.sample(Seeds.derive(2, "mochi", 0), B, 8, 5, 2);
        double[] frozen;
        try (NDManager m = NDManager.newBaseManager()) {
            frozen =
                    HardNegativeMixing.mix(
                                    m.create(x[0], shapes[0]), m.create(x[2], shapes[2]), draws)
                            .negatives()
                            .toDoubleArray();
        }
        // H is a constant of the step (detached), so the reference is InfoNCE with H frozen
        GradCheck.check(
                a -> HardNegativeMixing.loss(a[0], a[1], a[2], draws, 0.2),
                a ->
                        InfoNce.loss(
                                a[0],
                                a[1],
                                a[2],
                                a[0].getManager().create(frozen, new Shape(B, 7, D)),
                                0.2),
                x,
                shapes,
                new boolean[] {true, false, false});
        double[][] g =
                GradCheck.autograd(
                        a -> HardNegativeMixing.loss(a[0], a[1], a[2], draws, 0.2), x, shapes);
        ContrastiveLossTest.assertZero(g[2], "queue");
        ContrastiveLossTest.assertZero(g[1], "k");
        // the rng convenience draws the same choices from the same seed
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.create(x[0], shapes[0]);
            double viaRng =
                    HardNegativeMixing.loss(
                                    q,
                                    m.create(x[1], shapes[1]),
                                    m.create(x[2], shapes[2]),
                                    8,
                                    5,
                                    2,
                                    0.2,
                                    Seeds.derive(2, "mochi", 0))
                            .getDouble();
            double viaDraws =
                    HardNegativeMixing.loss(
                                    q,
                                    m.create(x[1], shapes[1]),
                                    m.create(x[2], shapes[2]),
                                    draws,
                                    0.2)
                            .getDouble();
            assertEquals(viaDraws, viaRng, 0.0);
        }
    }

    @Test
    void mochiRejectsHardestBeyondTheQueue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.ones(new Shape(2, 3));
            Fixtures.assertRejects(
                    "hardest (N) must be in [1, K = 4], got 5",
                    () ->
                            HardNegativeMixing.mix(
                                    q, m.ones(new Shape(4, 3)), 5, 1, 1, Seeds.derive(0, "x")));
        }
    }

    @Test
    void featureTransformFollowsItsDrawsAndFormulas() {
        RandomGenerator data = Seeds.derive(3, "ft-test");
        double[] q = unit(data, B);
        double[] k = unit(data, B);
        double[] queue = unit(data, K);
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureTransform.Transformed t =
                    FeatureTransform.transform(
                            m.create(q, new Shape(B, D)),
                            m.create(k, new Shape(B, D)),
                            m.create(queue, new Shape(K, D)),
                            FeatureTransform.Settings.defaults(),
                            Seeds.derive(3, "ft", 0));
            // replay the documented draw order: λp, λn, permutation
            RandomGenerator replay = Seeds.derive(3, "ft", 0);
            double lp = 1 + Sampling.beta(replay, 2.0, 2.0);
            double ln = Sampling.beta(replay, 1.6, 1.6);
            int[] perm = Sampling.permutation(replay, K);
            double[] qh = t.qHat().toDoubleArray();
            double[] kh = t.kHat().toDoubleArray();
            double[] neg = t.negatives().toDoubleArray();
            for (int i = 0; i < B * D; i++) {
                assertEquals(lp * q[i] + (1 - lp) * k[i], qh[i], 1e-12);
                assertEquals(lp * k[i] + (1 - lp) * q[i], kh[i], 1e-12);
            }
            for (int r = 0; r < K; r++) { // convex combination of two queue rows
                for (int j = 0; j < D; j++) {
                    assertEquals(
                            ln * queue[r * D + j] + (1 - ln) * queue[perm[r] * D + j],
                            neg[r * D + j],
                            1e-12);
                }
            }
            assertTrue(ln > 0 && ln < 1 && lp > 1 && lp < 2);
            // extrapolation makes the positive pair harder: q̂·k̂ < q·k
            for (int b = 0; b < B; b++) {
                assertTrue(
                        ContrastiveLossTest.dot(row(qh, b), row(kh, b))
                                < ContrastiveLossTest.dot(row(q, b), row(k, b)));
            }
        }
    }

    @Test
    void featureTransformGranularitiesDrawTheRightShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(B, D)).normalize(2, 1);
            NDArray queue = m.randomNormal(new Shape(K, D)).normalize(2, 1);
            FeatureTransform.Settings perElement =
                    new FeatureTransform.Settings(
                            FeatureTransform.Target.BOTH,
                            2.0,
                            1.6,
                            FeatureTransform.Granularity.PER_ELEMENT,
                            FeatureTransform.Granularity.PER_SAMPLE);
            FeatureTransform.Transformed t =
                    FeatureTransform.transform(q, q, queue, perElement, Seeds.derive(4, "ft", 0));
            assertEquals(new Shape(K, D), t.negatives().getShape());
            // per-sample λn: each row is a mix of two rows with one coefficient, so neg_r −
            // Q_perm(r) ∥ Q_r − Q_perm(r)
            FeatureTransform.Settings positiveOnly =
                    new FeatureTransform.Settings(
                            FeatureTransform.Target.POSITIVE,
                            2.0,
                            1.6,
                            FeatureTransform.Granularity.PER_BATCH,
                            FeatureTransform.Granularity.PER_BATCH);
            FeatureTransform.Transformed p =
                    FeatureTransform.transform(q, q, queue, positiveOnly, Seeds.derive(4, "ft", 1));
            assertArrayEquals(
                    queue.toFloatArray(),
                    p.negatives().toFloatArray(),
                    0f,
                    "POSITIVE leaves the queue as is");
            assertEquals(DataType.FLOAT32, p.qHat().getDataType());
        }
    }

    @Test
    void featureTransformLossGradientMatchesFiniteDifferences() {
        RandomGenerator data = Seeds.derive(5, "ft-test");
        double[][] x = {unit(data, B), unit(data, B), unit(data, 9)};
        Shape[] shapes = {new Shape(B, D), new Shape(B, D), new Shape(9, D)};
        int[] perm = Sampling.permutation(Seeds.derive(5, "perm"), 9);
        RandomGenerator lambdas = Seeds.derive(5, "lambda");
        double[] lp = new double[B * D];
        for (int i = 0; i < lp.length; i++) {
            lp[i] = 1 + Sampling.beta(lambdas, 2, 2);
        }
        java.util.function.Function<NDArray[], NDArray> f =
                a -> {
                    NDManager m = a[0].getManager();
                    FeatureTransform.Transformed t =
                            FeatureTransform.transform(
                                    a[0],
                                    a[1],
                                    a[2],
                                    m.create(lp, new Shape(B, D)),
                                    m.create(0.3),
                                    perm);
                    return FeatureTransform.loss(t, 0.2);
                };
        GradCheck.check(f, f, x, shapes, new boolean[] {true, false, false});
        double[][] g = GradCheck.autograd(f, x, shapes);
        ContrastiveLossTest.assertZero(g[1], "k");
        ContrastiveLossTest.assertZero(g[2], "queue");
    }

    @Test
    void featureTransformThenMochiGradientTreatsTheMixedNegativesAsConstants() {
        RandomGenerator data = Seeds.derive(8, "ft-mochi-test");
        double[][] x = {unit(data, B), unit(data, B), unit(data, 9)};
        Shape[] shapes = {new Shape(B, D), new Shape(B, D), new Shape(9, D)};
        int[] perm = Sampling.permutation(Seeds.derive(8, "perm"), 9);
        HardNegativeMixing.Draws draws =
                HardNegativeMixing.Draws.sample(Seeds.derive(8, "mochi", 0), B, 5, 3, 2);
        // FT first (λp = 1.4, λn = 0.3), then MoCHi on q̂ and Q̂
        java.util.function.Function<NDArray[], FeatureTransform.Transformed> ft =
                a ->
                        FeatureTransform.transform(
                                a[0],
                                a[1],
                                a[2],
                                a[0].getManager().create(1.4),
                                a[0].getManager().create(0.3),
                                perm);
        double[] frozen;
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureTransform.Transformed t =
                    ft.apply(
                            new NDArray[] {
                                m.create(x[0], shapes[0]),
                                m.create(x[1], shapes[1]),
                                m.create(x[2], shapes[2])
                            });
            NDArray h = HardNegativeMixing.mix(t.qHat(), t.negatives(), draws).negatives();
            assertEquals(new Shape(B, 5, D), h.getShape());
            frozen = h.toDoubleArray();
        }
        java.util.function.Function<NDArray[], NDArray> f =
                a -> {
                    FeatureTransform.Transformed t = ft.apply(a);
                    return FeatureTransform.loss(
                            t,
                            HardNegativeMixing.mix(t.qHat(), t.negatives(), draws).negatives(),
                            0.2);
                };
        // H is built from detached q̂ and Q̂, so the reference holds it fixed at the base point
        java.util.function.Function<NDArray[], NDArray> reference =
                a ->
                        FeatureTransform.loss(
                                ft.apply(a),
                                a[0].getManager().create(frozen, new Shape(B, 5, D)),
                                0.2);
        GradCheck.check(f, reference, x, shapes, new boolean[] {true, false, false});
        double[][] g = GradCheck.autograd(f, x, shapes);
        ContrastiveLossTest.assertZero(g[1], "k");
        ContrastiveLossTest.assertZero(g[2], "queue");
        // the logits are [q̂·k̂, q̂·Q̂ᵀ, q̂·H] / T
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureTransform.Transformed t =
                    ft.apply(
                            new NDArray[] {
                                m.create(x[0], shapes[0]),
                                m.create(x[1], shapes[1]),
                                m.create(x[2], shapes[2])
                            });
            NDArray h = m.create(frozen, new Shape(B, 5, D));
            NDArray logits = FeatureTransform.logits(t, h, 0.2);
            assertEquals(new Shape(B, 1 + 9 + 5), logits.getShape());
            double[] qh = t.qHat().toDoubleArray();
            double[] kh = t.kHat().toDoubleArray();
            double[] nh = t.negatives().toDoubleArray();
            double[] l = logits.toDoubleArray();
            for (int b = 0; b < B; b++) {
                double[] qb = row(qh, b);
                assertEquals(ContrastiveLossTest.dot(qb, row(kh, b)) / 0.2, l[b * 15], 1e-12);
                for (int r = 0; r < 9; r++) {
                    assertEquals(
                            ContrastiveLossTest.dot(qb, row(nh, r)) / 0.2,
                            l[b * 15 + 1 + r],
                            1e-12);
                }
                for (int j = 0; j < 5; j++) {
                    assertEquals(
                            ContrastiveLossTest.dot(qb, row(frozen, b * 5 + j)) / 0.2,
                            l[b * 15 + 10 + j],
                            1e-12);
                }
            }
        }
    }

    @Test
    void noGradientReachesAQueueThatRequiresOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(B, D)).normalize(2, 1);
            NDArray k = m.randomNormal(new Shape(B, D)).normalize(2, 1);
            NDArray queue = m.randomNormal(new Shape(K, D)).normalize(2, 1);
            q.setRequiresGradient(true);
            queue.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss =
                        HardNegativeMixing.loss(
                                        q, k, queue, 8, 4, 4, 0.2, Seeds.derive(6, "mochi", 0))
                                .add(
                                        FeatureTransform.loss(
                                                q,
                                                k,
                                                queue,
                                                FeatureTransform.Settings.defaults(),
                                                0.2,
                                                Seeds.derive(6, "ft", 0)));
                gc.backward(loss);
            }
            assertEquals(0f, queue.getGradient().abs().sum().getFloat(), 0f);
            assertTrue(q.getGradient().abs().sum().getFloat() > 0);
        }
    }
}
