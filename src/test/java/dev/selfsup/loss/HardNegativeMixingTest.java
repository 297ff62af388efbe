package dev.selfsup.loss;

import static dev.selfsup.loss.MixingData.B;
import static dev.selfsup.loss.MixingData.D;
import static dev.selfsup.loss.MixingData.K;
import static dev.selfsup.loss.MixingData.row;
import static dev.selfsup.loss.MixingData.unit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Seeds;
import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** MoCHi (METHODS.md §5): structure, draws and gradients. */
class HardNegativeMixingTest {
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
}
