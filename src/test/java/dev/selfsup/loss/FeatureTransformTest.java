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
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Seeds;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Feature transformation (METHODS.md §6): structure, draws and gradients. */
class FeatureTransformTest {
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
}
