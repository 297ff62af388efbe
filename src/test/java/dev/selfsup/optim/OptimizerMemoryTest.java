package dev.selfsup.optim;

import static dev.selfsup.optim.SgdTest.B0;
import static dev.selfsup.optim.SgdTest.TARGET;
import static dev.selfsup.optim.SgdTest.W0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** STYLE.md §5: a step leaves nothing behind on the long-lived managers. */
class OptimizerMemoryTest {
    private static void managedArraysStayFlatOver200Steps(
            BiFunction<NDManager, List<ParamGroup>, Optimizer> make) {
        try (NDManager run = NDManager.newBaseManager();
                NDManager state = run.newSubManager()) {
            TinyModel model = new TinyModel(run, W0, B0);
            List<ParamGroup> groups =
                    List.of(ParamGroup.of("net", model.linear).frozenUntilIters(2));
            Optimizer optimizer = make.apply(state, groups);
            int runAfterWarmup = -1;
            int stateAfterWarmup = -1;
            for (int t = 0; t < 200; t++) {
                model.backward(new double[] {Math.sin(t), Math.cos(t)}, TARGET);
                GradientClipping.clipByGlobalNorm(groups, 0.5, t);
                optimizer.step(t);
                if (t == 3) { // after the frozen phase and the lazy state creation
                    runAfterWarmup = run.getManagedArrays().size();
                    stateAfterWarmup = state.getManagedArrays().size();
                    run.cap(); // from here, any stray attachment to run throws
                }
            }
            assertEquals(runAfterWarmup, run.getManagedArrays().size(), "run manager");
            assertEquals(
                    stateAfterWarmup, state.getManagedArrays().size(), "optimizer state manager");
            assertEquals(
                    optimizer.state().size(),
                    stateAfterWarmup,
                    "the state manager holds exactly the state");
            assertTrue(Double.isFinite(model.w()[0]) && model.w()[0] != W0[0], "trained");
        }
    }

    @Test
    void sgdLeaksNothing() {
        managedArraysStayFlatOver200Steps(
                (m, g) ->
                        Sgd.builder()
                                .setManager(m)
                                .setGroups(g)
                                .setLearningRate(Schedule.constant(0.01))
                                .optWeightDecay(1e-4)
                                .optNesterov(true)
                                .build());
    }

    @Test
    void larsLeaksNothing() {
        managedArraysStayFlatOver200Steps(
                (m, g) ->
                        Lars.builder()
                                .setManager(m)
                                .setGroups(g)
                                .setLearningRate(Schedule.warmupCosine(0.5, 0.001, 10, 200, 0))
                                .optWeightDecay(1e-6)
                                .optClip(true)
                                .build());
    }

    @Test
    void adamWLeaksNothing() {
        managedArraysStayFlatOver200Steps(
                (m, g) ->
                        AdamW.builder()
                                .setManager(m)
                                .setGroups(g)
                                .setLearningRate(Schedule.constant(1e-3))
                                .build());
    }
}
