package dev.selfsup.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.Loader;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.internal.InPlace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hand-written loop's step helper: scaled gradients, unscaled loss, nothing left behind. */
class StepScopeTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    /**
     * Mean squared output of a linear map of the flattened crop: a loss with a gradient in every
     * weight.
     */
    private static NDArray loss(Linear linear, ai.djl.training.ParameterStore ps, StepScope step) {
        NDArray x = step.batch().groups().get(0).images();
        NDArray flat = x.reshape(x.getShape().get(0), -1);
        return linear.forward(ps, new NDList(flat), true).singletonOrThrow().square().mean();
    }

    /**
     * The first batch of an epoch (no shuffle, deterministic transform: the same images every
     * epoch).
     */
    private static HostBatch first(Loader loader, int epoch) {
        try (Loader.Epoch e = loader.epoch(epoch)) {
            return e.next();
        }
    }

    @Test
    void gradientIsScaledTheLossIsNotAndTheRunManagerStaysFlat() {
        SyntheticShapes data = new SyntheticShapes(8, 2, 8, 8, 1);
        try (NDManager run = NDManager.newBaseManager();
                Loader loader =
                        Loader.builder()
                                .setDataset(data)
                                .setTransform(MultiCrop.evaluationResize(8))
                                .setBatchSize(4)
                                .optThreads(1)
                                .optShuffle(false)
                                .build()) {
            Linear linear = Linear.builder().setUnits(3).build();
            linear.initialize(run, DataType.FLOAT32, new Shape(1, 3 * 8 * 8));
            Parameter w = linear.getParameters().get("weight");
            float[][] grads = new float[2][];
            float[] losses = new float[2];
            double[] scales = {1.0, 0.25};
            for (int i = 0; i < 2; i++) {
                try (StepScope step = StepScope.open(run, first(loader, i), linear)) {
                    NDArray l = step.backward(ps -> loss(linear, ps, step), scales[i]);
                    losses[i] = l.getFloat();
                    grads[i] = w.getArray().getGradient().toFloatArray();
                    try (NDManager zero = run.newSubManager()) {
                        NDArray g = w.getArray().getGradient();
                        zero.attachAll(g);
                        InPlace.copy(g, zero.zeros(g.getShape()));
                    }
                }
            }
            assertEquals(losses[0], losses[1], 0f, "the returned loss is unscaled");
            float[] quarter = new float[grads[0].length];
            for (int k = 0; k < quarter.length; k++) {
                quarter[k] = grads[0][k] * 0.25f;
            }
            assertArrayEquals(quarter, grads[1], 1e-6f);

            int before = run.getManagedArrays().size();
            for (int rep = 0; rep < 5; rep++) {
                try (StepScope step = StepScope.open(run, first(loader, 2 + rep), linear)) {
                    step.backward(ps -> loss(linear, ps, step), 0.5);
                }
            }
            assertEquals(
                    before, run.getManagedArrays().size(), "every array of a step dies with it");

            StepScope closed = StepScope.open(run, first(loader, 9), linear);
            closed.close();
            assertThrows(
                    IllegalStateException.class,
                    () -> closed.backward(ps -> loss(linear, ps, closed)));
            try (StepScope step = StepScope.open(run, first(loader, 10), linear)) {
                assertThrows(
                        IllegalArgumentException.class,
                        () -> step.backward(ps -> loss(linear, ps, step), 0));
            }
        }
    }
}
