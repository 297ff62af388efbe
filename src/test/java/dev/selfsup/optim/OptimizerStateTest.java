package dev.selfsup.optim;

import static dev.selfsup.optim.SgdTest.B0;
import static dev.selfsup.optim.SgdTest.TARGET;
import static dev.selfsup.optim.SgdTest.W0;
import static dev.selfsup.optim.SgdTest.XS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class OptimizerStateTest {
    private static Optimizer sgd(NDManager m, TinyModel model) {
        return Sgd.builder()
                .setManager(m)
                .setGroups(List.of(ParamGroup.of("net", model.linear)))
                .setLearningRate(Schedule.warmupCosine(0.2, 0.01, 1, 10, 0.1))
                .optWeightDecay(0.1)
                .build();
    }

    private static Optimizer adamW(NDManager m, TinyModel model) {
        return AdamW.builder()
                .setManager(m)
                .setGroups(List.of(ParamGroup.of("net", model.linear)))
                .setLearningRate(Schedule.constant(0.05))
                .build();
    }

    private static Optimizer lars(NDManager m, TinyModel model) {
        return Lars.builder()
                .setManager(m)
                .setGroups(List.of(ParamGroup.of("net", model.linear)))
                .setLearningRate(Schedule.constant(3))
                .optWeightDecay(0.1)
                .build();
    }

    /**
     * Trains A for two steps, loads A's state into a fresh B with A's parameter values, then steps
     * both once more: the results must be identical, and differ from a B without the state.
     */
    private static void roundTripReproducesTheNextUpdate(
            BiFunction<NDManager, TinyModel, Optimizer> make) {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel a = new TinyModel(m, W0, B0);
            Optimizer optA = make.apply(m, a);
            for (int t = 0; t < 2; t++) {
                a.backward(XS[t], TARGET);
                optA.step(t);
            }
            TinyModel b = new TinyModel(m, a.w(), a.b());
            TinyModel fresh = new TinyModel(m, a.w(), a.b());
            Optimizer optB = make.apply(m, b);
            Optimizer optFresh = make.apply(m, fresh);
            Map<String, NDArray> saved;
            try (NDManager checkpoint = m.newSubManager()) {
                // what a checkpoint does: copy out, (write, read,) load the copies
                saved = new HashMap<>();
                for (Map.Entry<String, NDArray> e : optA.state().entrySet()) {
                    saved.put(
                            e.getKey(),
                            e.getValue().toDevice(e.getValue().getDevice(), false).duplicate());
                }
                saved.values().forEach(v -> v.attach(checkpoint));
                optB.loadState(saved);
            } // the loaded arrays are closed here: B must hold copies
            assertEquals(optA.state().keySet(), optB.state().keySet());
            for (TinyModel model : List.of(a, b, fresh)) {
                model.backward(XS[2], TARGET);
            }
            optA.step(2);
            optB.step(2);
            optFresh.step(2);
            assertEquals(a.w()[0], b.w()[0], 0);
            assertEquals(a.w()[1], b.w()[1], 0);
            assertEquals(a.b(), b.b(), 0);
            assertNotEquals(
                    a.w()[0],
                    fresh.w()[0],
                    "the state must matter for this check to mean anything");
            for (Map.Entry<String, NDArray> e : optA.state().entrySet()) {
                NDArray other = optB.state().get(e.getKey());
                assertTrue(e.getValue().contentEquals(other), e.getKey());
            }
        }
    }

    @Test
    void sgdStateRoundTripReproducesTheNextUpdateExactly() {
        roundTripReproducesTheNextUpdate(OptimizerStateTest::sgd);
    }

    @Test
    void larsStateRoundTripReproducesTheNextUpdateExactly() {
        roundTripReproducesTheNextUpdate(OptimizerStateTest::lars);
    }

    @Test
    void adamWStateRoundTripIncludingStepCountReproducesTheNextUpdateExactly() {
        roundTripReproducesTheNextUpdate(OptimizerStateTest::adamW);
    }

    @Test
    void loadStateRejectsUnknownKeysWrongShapesAndPartialStateAndChangesNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Optimizer adam = adamW(m, model);
            model.backward(XS[0], TARGET);
            adam.step(0);
            Map<String, NDArray> before = adam.state();

            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    adam.loadState(
                                            Map.of(
                                                    "net/weight/momentum_buffer",
                                                    m.zeros(new Shape(1, 2)))));
            assertTrue(e.getMessage().contains("net/weight/momentum_buffer"), e.getMessage());
            assertTrue(e.getMessage().contains("exp_avg_sq"), e.getMessage());

            Map<String, NDArray> wrongShape = new HashMap<>(before);
            wrongShape.put("net/weight/exp_avg", m.zeros(new Shape(2)));
            e = assertThrows(IllegalArgumentException.class, () -> adam.loadState(wrongShape));
            assertTrue(
                    e.getMessage().contains("(1, 2)") && e.getMessage().contains("(2)"),
                    e.getMessage());

            Map<String, NDArray> partial = new HashMap<>(before);
            partial.remove("net/bias/step");
            e = assertThrows(IllegalArgumentException.class, () -> adam.loadState(partial));
            assertTrue(e.getMessage().contains("net/bias"), e.getMessage());

            assertEquals(before, adam.state(), "failed loads leave the state as it was");
            float[] expAvg = before.get("net/weight/exp_avg").toFloatArray();
            adam.loadState(adam.state()); // its own live arrays: copied before the old ones close
            assertArrayEquals(expAvg, adam.state().get("net/weight/exp_avg").toFloatArray());
            adam.loadState(Map.of());
            assertTrue(adam.state().isEmpty(), "loading an empty state resets to fresh");
        }
    }
}
