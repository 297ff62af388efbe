package dev.selfsup.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ScalarsTest {
    static float[] gradAfterGc(boolean safe) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4});
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = safe ? Scalars.mul(x, 3.0) : x.mul(3.0f);
                // churn: free the direct buffers DJL used for the scalar, then reuse that memory
                for (int i = 0; i < 5; i++) {
                    System.gc();
                    for (int j = 0; j < 2000; j++) {
                        java.nio.ByteBuffer.allocateDirect(4).putFloat(0, Float.NaN);
                    }
                }
                gc.backward(y.sum());
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void scalarFactorsSurviveGarbageCollectionBeforeBackward() {
        for (int rep = 0; rep < 3; rep++) {
            assertArrayEquals(new float[] {3, 3, 3, 3}, gradAfterGc(true), 0f);
        }
    }

    @Test
    void float64ScalarsKeepDoublePrecision() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1.0});
            assertArrayEquals(new double[] {0.1}, Scalars.mul(x, 0.1).toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {1.0 / 3}, Scalars.div(x, 3).toDoubleArray(), 1e-15);
        }
    }
}
