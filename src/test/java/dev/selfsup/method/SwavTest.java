package dev.selfsup.method;

import static dev.selfsup.method.MethodFixtures.SEED;
import static dev.selfsup.method.MethodFixtures.assertLearnsAFixedBatch;
import static dev.selfsup.method.MethodFixtures.batch;
import static dev.selfsup.method.MethodFixtures.create;
import static dev.selfsup.method.MethodFixtures.sgd;
import static dev.selfsup.method.MethodFixtures.train;
import static dev.selfsup.method.MethodFixtures.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.internal.SettingException;
import dev.selfsup.model.Prototypes;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.train.TrainStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SwAV on a fixed tiny multi-crop batch: learning, prototype freezing, queues, state, memory. */
class SwavTest {
    private static final SwavSettings SMALL = SwavSettings.defaults().withPrototypes(16);

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void learnsAFixedBatch() {
        assertLearnsAFixedBatch(SMALL, true);
    }

    @Test
    void prototypesFrozenForExactlyNIterationsWithoutWeightDecay() {
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(SMALL.withFreezePrototypesIters(3), run);
            Optimizer opt = sgd(m, run);
            NDArray w = m.blocks().get("prototypes").getParameters().get(0).getValue().getArray();
            ((Prototypes) m.blocks().get("prototypes")).normaliseRows();
            float[] start = w.toFloatArray();
            List<float[]> backbone0 = values(m.blocks().get("backbone"));
            TrainStep stepper = new TrainStep(m, opt, new ParameterStore(run, false), 1, 0);
            try (NDManager data = run.newSubManager()) {
                MultiCropBatch fixed = batch(data, true);
                for (int i = 0; i < 4; i++) {
                    try (NDManager step = run.newSubManager()) {
                        step.tempAttachAll(fixed.arrays().toArray(new NDArray[0]));
                        stepper.run(step, fixed, new Step(i, 0, 4, SEED), true, "none");
                    }
                    float[] now = w.toFloatArray();
                    if (i < 2) {
                        // iterations 0, 1, 2 are frozen; the next forward re-normalises, which is a
                        // no-op on unit rows
                        assertArrayEquals(start, now, 1e-6f, "frozen at iteration " + i);
                    }
                    if (i == 3) {
                        assertFalse(java.util.Arrays.equals(start, now), "updated at iteration 3");
                    }
                }
            }
            assertFalse(
                    java.util.Arrays.equals(
                            backbone0.get(0), values(m.blocks().get("backbone")).get(0)),
                    "the backbone trains meanwhile");
        }
    }

    @Test
    void factoryRoundsTheQueueDownToWholeBatchesAndStateCountsItsRows() {
        try (NDManager run = NDManager.newBaseManager()) {
            Swav m = (Swav) create(SMALL.withQueueLength(20).withQueueStartEpoch(1), run);
            assertEquals(16, m.queueLength(), "20 rounded down to a multiple of the batch of 8");
            assertEquals(Map.of("online", Crops.all()), m.branches());
            m.beforeEpoch(0);
            assertEquals(
                    new Swav.State(List.of()), m.state(), "no queues before queue_start_epoch");
            m.beforeEpoch(1);
            train(m, sgd(m, run), run, true, 1, true);
            assertEquals(
                    new Swav.State(List.of(8L, 8L)),
                    m.state(),
                    "one batch in each assigned crop's queue");
            m.restore(new Swav.State(List.of(16L, 16L)));
            assertEquals(new Swav.State(List.of(16L, 16L)), m.state());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> m.restore(new Swav.State(List.of(16L))));
            assertTrue(
                    e.getMessage().contains("1 queue fill counts")
                            && e.getMessage().contains("2 queues"),
                    e.getMessage());
        }
    }

    @Test
    void assignedCropsMustExist() {
        SettingException e =
                assertThrows(
                        SettingException.class,
                        () ->
                                SMALL.withCropsForAssign(List.of(0, 4))
                                        .checkBatches(new MethodSettings.Batches(8, 4, true)));
        assertEquals("crops_for_assign", e.key());
        assertTrue(e.getMessage().contains("crop count 4"), e.getMessage());
    }

    @Test
    void fiveHundredStepsLeakNeitherArraysNorNativeMemory() throws Exception {
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(SMALL.withQueueLength(16).withQueueStartEpoch(0), run);
            TrainStep stepper = new TrainStep(m, sgd(m, run), new ParameterStore(run, false), 1, 0);
            m.beforeEpoch(0);
            int arrays = 0;
            List<Long> samples = new ArrayList<>();
            for (int i = 1; i <= 500; i++) {
                try (NDManager step = run.newSubManager()) {
                    // a fresh batch in the step manager each time, as the trainer makes them
                    Engine.getInstance().setRandomSeed(11);
                    MultiCropBatch fresh = batch(step, true);
                    stepper.run(step, fresh, new Step(i, 0, 501, SEED), true, "none");
                }
                if (i == 100) {
                    arrays = run.getManagedArrays().size();
                }
                if (i >= 100 && i % 50 == 0) {
                    samples.add(nativeKb());
                }
            }
            assertEquals(
                    arrays, run.getManagedArrays().size(), "managed arrays flat after warm-up");
            // RSS minus the committed heap swings by tens of MB as the collector resizes the heap,
            // so
            // compare the lowest readings: a leak raises the floor, noise does not
            long early =
                    samples.subList(0, 3).stream().mapToLong(Long::longValue).min().orElseThrow();
            long late =
                    samples.subList(samples.size() - 3, samples.size()).stream()
                            .mapToLong(Long::longValue)
                            .min()
                            .orElseThrow();
            System.err.println("native kB every 50 steps from step 100: " + samples);
            assertTrue(
                    late - early < 32_000,
                    "native memory floor rose from " + early + " to " + late + " kB: " + samples);
        }
    }

    /** Resident memory outside the Java heap, after a GC. */
    private static long nativeKb() throws java.io.IOException {
        System.gc();
        long heap = Runtime.getRuntime().totalMemory() / 1024;
        for (String line :
                java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) - heap;
            }
        }
        return 0;
    }
}
