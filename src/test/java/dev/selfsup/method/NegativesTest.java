package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.loss.HardNegativeMixing;
import dev.selfsup.loss.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The harder-negatives component: feature transformation, then MoCHi from its output. */
class NegativesTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void appliesFeatureTransformThenMochiAsAHostReimplementation() {
        int b = 3;
        int d = 8;
        int kq = 16;
        Negatives negatives =
                new Negatives(
                        FeatureTransformSettings.defaults()
                                .withEnabled(true)
                                .withPositiveAlpha(2.0)
                                .withNegativeAlpha(1.6),
                        MochiSettings.defaults()
                                .withEnabled(true)
                                .withHardest(6)
                                .withMixed(3)
                                .withMixedWithQuery(2)
                                .withStartEpoch(1));
        java.util.Random rng = new java.util.Random(9);
        double[] q = unitRows(rng, b, d);
        double[] k = unitRows(rng, b, d);
        double[] queue = unitRows(rng, kq, d);
        try (NDManager run = NDManager.newBaseManager()) {
            for (int epoch : new int[] {0, 1}) {
                Step step = new Step(5, epoch, 10, 5);
                double loss;
                try (NDManager scope = run.newSubManager()) {
                    loss =
                            negatives
                                    .infoNce(
                                            scope.create(q, new Shape(b, d)),
                                            scope.create(k, new Shape(b, d)),
                                            scope.create(queue, new Shape(kq, d)),
                                            0.2,
                                            step)
                                    .getDouble();
                }
                boolean mochiOn =
                        epoch >= 1; // feature transformation from epoch 0, MoCHi from epoch 1
                double expected =
                        ftThenMochi(
                                q,
                                k,
                                queue,
                                b,
                                d,
                                kq,
                                step,
                                0.2,
                                6,
                                mochiOn ? 3 : 0,
                                mochiOn ? 2 : 0);
                assertEquals(expected, loss, 1e-9, "epoch " + epoch);
                if (mochiOn) {
                    double ftOnly = ftThenMochi(q, k, queue, b, d, kq, step, 0.2, 6, 0, 0);
                    assertTrue(
                            Math.abs(ftOnly - loss) > 1e-3,
                            "MoCHi's negatives are in the loss: " + ftOnly + " vs " + loss);
                }
            }
        }
    }

    @Test
    void refusesToRankMoreNegativesThanTheQueueHolds() {
        Negatives negatives =
                new Negatives(
                        FeatureTransformSettings.defaults(),
                        MochiSettings.defaults().withEnabled(true).withHardest(17));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    negatives.infoNce(
                                            m.ones(new Shape(2, 4)),
                                            m.ones(new Shape(2, 4)),
                                            m.ones(new Shape(16, 4)),
                                            0.2,
                                            new Step(0, 0, 1, 0)));
            assertTrue(
                    e.getMessage().contains("17") && e.getMessage().contains("16"), e.getMessage());
        }
    }

    private static double[] unitRows(java.util.Random rng, int rows, int d) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (int j = 0; j < d; j++) {
                out[r * d + j] = rng.nextGaussian();
                n += out[r * d + j] * out[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                out[r * d + j] /= Math.sqrt(n);
            }
        }
        return out;
    }

    private static double dot(double[] a, int ai, double[] b, int bi, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += a[ai * d + j] * b[bi * d + j];
        }
        return s;
    }

    /**
     * METHODS.md §6 then §5 on host arrays, drawing as documented: λp = 1 + Beta(2, 2), λn =
     * Beta(1.6, 1.6), then the queue permutation from the step's "ft" generator; MoCHi's draws from
     * its "mochi" generator. Loss = mean_b (logsumexp(logits_b) − logits_b[0]).
     */
    private static double ftThenMochi(
            double[] q,
            double[] k,
            double[] queue,
            int b,
            int d,
            int kq,
            Step step,
            double temperature,
            int hardest,
            int mixed,
            int mixedWithQuery) {
        RandomGenerator ft = step.random("ft");
        double lp = 1 + Sampling.beta(ft, 2.0, 2.0);
        double ln = Sampling.beta(ft, 1.6, 1.6);
        int[] perm = Sampling.permutation(ft, kq);
        double[] qh = new double[b * d];
        double[] kh = new double[b * d];
        for (int i = 0; i < b * d; i++) {
            qh[i] = lp * q[i] + (1 - lp) * k[i];
            kh[i] = lp * k[i] + (1 - lp) * q[i];
        }
        double[] nh = new double[kq * d];
        for (int r = 0; r < kq; r++) {
            for (int j = 0; j < d; j++) {
                nh[r * d + j] = ln * queue[r * d + j] + (1 - ln) * queue[perm[r] * d + j];
            }
        }
        HardNegativeMixing.Draws draws =
                mixed + mixedWithQuery == 0
                        ? null
                        : HardNegativeMixing.Draws.sample(
                                step.random("mochi"), b, hardest, mixed, mixedWithQuery);
        double total = 0;
        for (int i = 0; i < b; i++) {
            List<Double> logits = new ArrayList<>();
            logits.add(dot(qh, i, kh, i, d));
            double[] sims = new double[kq];
            for (int r = 0; r < kq; r++) {
                sims[r] = dot(qh, i, nh, r, d);
                logits.add(sims[r]);
            }
            Integer[] order =
                    java.util.stream.IntStream.range(0, kq).boxed().toArray(Integer[]::new);
            java.util.Arrays.sort(
                    order, (x, y) -> Double.compare(sims[y], sims[x])); // hardest first
            for (int t = 0; t < mixed; t++) {
                int at = i * mixed + t;
                double alpha = draws.alpha()[at];
                int ni = order[draws.first()[at]];
                int nj = order[draws.second()[at]];
                double[] h = new double[d];
                for (int j = 0; j < d; j++) {
                    h[j] = alpha * nh[ni * d + j] + (1 - alpha) * nh[nj * d + j];
                }
                logits.add(dot(qh, i, normalised(h), 0, d));
            }
            for (int t = 0; t < mixedWithQuery; t++) {
                int at = i * mixedWithQuery + t;
                double beta = draws.beta()[at];
                int nj = order[draws.partner()[at]];
                double[] h = new double[d];
                for (int j = 0; j < d; j++) {
                    h[j] = beta * qh[i * d + j] + (1 - beta) * nh[nj * d + j];
                }
                logits.add(dot(qh, i, normalised(h), 0, d));
            }
            double max = logits.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double sum = logits.stream().mapToDouble(v -> Math.exp((v - max) / temperature)).sum();
            total += max / temperature + Math.log(sum) - logits.get(0) / temperature;
        }
        return total / b;
    }

    private static double[] normalised(double[] v) {
        double n = Math.sqrt(dot(v, 0, v, 0, v.length));
        double[] out = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = v[j] / n;
        }
        return out;
    }
}
