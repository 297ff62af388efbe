package dev.selfsup.loss;

import static dev.selfsup.loss.MixingData.B;
import static dev.selfsup.loss.MixingData.D;
import static dev.selfsup.loss.MixingData.K;
import static dev.selfsup.loss.MixingData.row;
import static dev.selfsup.loss.MixingData.unit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.selfsup.engine.Seeds;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * MoCHi (METHODS.md §5) and feature transformation (§6) together: gradients, logits, and no
 * gradient into the queue.
 */
class MixingTest {
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
