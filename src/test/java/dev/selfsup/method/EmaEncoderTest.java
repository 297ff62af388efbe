package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.selfsup.optim.Schedule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The momentum encoder shared by MoCo's key encoder and a DINO teacher. */
class EmaEncoderTest {
    private static Block linear(NDManager m, int in, int out) {
        Block b = Linear.builder().setUnits(out).build();
        b.initialize(m, DataType.FLOAT32, new Shape(1, in));
        return b;
    }

    private static NDArray weight(Block b) {
        return b.getParameters().get(0).getValue().getArray();
    }

    @Test
    void targetStartsAsAFrozenCopyAndFollowsTheFormulaInPlace() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block online = linear(m, 2, 3);
            Block target = linear(m, 2, 3);
            EmaEncoder ema =
                    new EmaEncoder(List.of(online), List.of(target), 0.9, EmaSchedule.CONSTANT);
            assertArrayEquals(
                    weight(online).toFloatArray(),
                    weight(target).toFloatArray(),
                    0f,
                    "starts as a copy");
            assertFalse(
                    target.getParameters().get(0).getValue().requiresGradient(),
                    "the target is frozen");
            float[] k = weight(target).toFloatArray();
            weight(online)
                    .addi(m.ones(weight(online).getShape())); // a training step moved the online
            // weights
            float[] q = weight(online).toFloatArray();
            int baseline = m.getManagedArrays().size();
            ema.update(0.9, m);
            float[] after = weight(target).toFloatArray();
            for (int i = 0; i < k.length; i++) {
                assertEquals(0.9f * k[i] + 0.1f * q[i], after[i], 1e-6f);
            }
            assertEquals(
                    baseline, m.getManagedArrays().size(), "nothing stays on the scratch manager");
            ema.update(0.0, m);
            assertArrayEquals(q, weight(target).toFloatArray(), 0f);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.create(new float[] {1, 2}, new Shape(1, 2));
            assertArrayEquals(
                    online.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
                    target.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
                    1e-6f);
        }
    }

    @Test
    void momentumFollowsItsSchedule() {
        try (NDManager m = NDManager.newBaseManager()) {
            EmaEncoder constant =
                    new EmaEncoder(
                            List.of(linear(m, 2, 3)),
                            List.of(linear(m, 2, 3)),
                            0.99,
                            EmaSchedule.CONSTANT);
            EmaEncoder cosine =
                    new EmaEncoder(
                            List.of(linear(m, 2, 3)),
                            List.of(linear(m, 2, 3)),
                            0.996,
                            EmaSchedule.COSINE);
            Schedule expected = Schedule.emaMomentumCosine(0.996, 100);
            for (long i : new long[] {0, 25, 50, 99, 100}) {
                assertEquals(0.99, constant.emaMomentum(new Step(i, 0, 100, 0)), 0);
                assertEquals(
                        expected.value(i),
                        cosine.emaMomentum(new Step(i, 0, 100, 0)),
                        0,
                        "iteration " + i);
            }
            assertEquals(
                    0.998,
                    cosine.emaMomentum(new Step(50, 0, 100, 0)),
                    1e-15,
                    "halfway: (m + 1) / 2");
            assertEquals(
                    0.998,
                    cosine.update(new Step(50, 0, 100, 0), m),
                    1e-15,
                    "update applies and returns m");
        }
    }

    @Test
    void refusesMismatchedNetworks() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new EmaEncoder(
                                            List.of(linear(m, 2, 3)),
                                            List.of(linear(m, 2, 4)),
                                            0.9,
                                            EmaSchedule.CONSTANT));
            assertTrue(
                    e.getMessage().contains("(3, 2)") || e.getMessage().contains("(4, 2)"),
                    e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new EmaEncoder(
                                            List.of(linear(m, 2, 3)),
                                            List.of(),
                                            0.9,
                                            EmaSchedule.CONSTANT));
            assertTrue(
                    e.getMessage().contains("1 online blocks but 0 target blocks"), e.getMessage());
        }
    }
}
