package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
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

    @Test
    void emaFollowsTheFormulaInPlace() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block online = Linear.builder().setUnits(3).build();
            Block key = Linear.builder().setUnits(3).build();
            online.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            key.initialize(m, DataType.FLOAT32, new Shape(1, 2));
            float[] q = online.getParameters().get(0).getValue().getArray().toFloatArray();
            float[] k = key.getParameters().get(0).getValue().getArray().toFloatArray();
            EmaEncoder ema = new EmaEncoder(online, key);
            int baseline = m.getManagedArrays().size();
            ema.update(0.9, m);
            float[] after = key.getParameters().get(0).getValue().getArray().toFloatArray();
            for (int i = 0; i < k.length; i++) {
                assertEquals(0.9f * k[i] + 0.1f * q[i], after[i], 1e-6f);
            }
            assertEquals(baseline, m.getManagedArrays().size());
            ema.update(0.0, m);
            assertArrayEquals(q, key.getParameters().get(0).getValue().getArray().toFloatArray(), 0f);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.create(new float[] {1, 2}, new Shape(1, 2));
            assertArrayEquals(online.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
                    key.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(), 1e-6f);
            assertNull(null);
        }
    }
}
