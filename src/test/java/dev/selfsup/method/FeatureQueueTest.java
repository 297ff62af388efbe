package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class FeatureQueueTest {
    @Test
    void ringOverwritesOldestRowsInOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureQueue q = new FeatureQueue(m, 4, 2, FeatureQueue.Order.RING);
            NDArray before = q.rows();
            q.push(m.create(new float[][] {{1, 1}, {2, 2}}));
            assertEquals(2, q.filled());
            assertFalse(q.isFull());
            q.push(m.create(new float[][] {{3, 3}, {4, 4}}));
            q.push(m.create(new float[][] {{5, 5}, {6, 6}}));
            assertTrue(q.isFull());
            assertArrayEquals(new float[] {5, 5, 6, 6, 3, 3, 4, 4}, q.rows().toFloatArray());
            assertEquals(2, q.pointer());
            assertSame(before, q.rows(), "updated in place");
        }
    }

    @Test
    void shiftPutsNewestFirstLikeSwav() {
        try (NDManager m = NDManager.newBaseManager()) {
            FeatureQueue q = new FeatureQueue(m, 3, 1, FeatureQueue.Order.SHIFT);
            q.push(m.create(new float[][] {{1}}));
            q.push(m.create(new float[][] {{2}}));
            assertArrayEquals(new float[] {2, 1, 0}, q.rows().toFloatArray());
            assertFalse(q.isFull());
            q.push(m.create(new float[][] {{3}}));
            q.push(m.create(new float[][] {{4}}));
            assertArrayEquals(new float[] {4, 3, 2}, q.rows().toFloatArray());
            assertTrue(q.isFull());
        }
    }

    @Test
    void pushLeaksNothingAndCarriesNoGradient() {
        try (NDManager run = NDManager.newBaseManager()) {
            FeatureQueue q = new FeatureQueue(run, 8, 3, FeatureQueue.Order.SHIFT);
            FeatureQueue ring = new FeatureQueue(run, 8, 3, FeatureQueue.Order.RING);
            int baseline = run.getManagedArrays().size();
            for (int i = 0; i < 50; i++) {
                try (NDManager step = run.newSubManager()) {
                    NDArray z = step.randomNormal(new Shape(2, 3));
                    z.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = dev.selfsup.internal.Scalars.mul(z, 2);
                        q.push(y);
                        ring.push(y);
                        gc.backward(y.sum());
                    }
                }
            }
            assertEquals(baseline, run.getManagedArrays().size());
            assertFalse(q.rows().hasGradient());
        }
    }
}
