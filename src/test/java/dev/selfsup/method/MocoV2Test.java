package dev.selfsup.method;

import static dev.selfsup.method.MethodFixtures.B;
import static dev.selfsup.method.MethodFixtures.SEED;
import static dev.selfsup.method.MethodFixtures.assertLearnsAFixedBatch;
import static dev.selfsup.method.MethodFixtures.assertTrainsDown;
import static dev.selfsup.method.MethodFixtures.batch;
import static dev.selfsup.method.MethodFixtures.create;
import static dev.selfsup.method.MethodFixtures.parts;
import static dev.selfsup.method.MethodFixtures.sgd;
import static dev.selfsup.method.MethodFixtures.train;
import static dev.selfsup.method.MethodFixtures.trainable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.internal.SettingException;
import dev.selfsup.loss.Sampling;
import dev.selfsup.model.Backbone;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.optim.Schedule;
import dev.selfsup.train.TrainStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MoCo v2 on a fixed tiny batch: learning, queue, EMA key encoder, shuffle-BN, state, memory. */
class MocoV2Test {
    private static final MocoSettings SMALL =
            MocoSettings.defaults().withQueueLength(64).withEmaMomentum(0.9);

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void learnsAFixedBatch() {
        assertLearnsAFixedBatch(SMALL, false);
    }

    @Test
    void mochiAndFeatureTransformTrainAloneAndTogetherWithSplitBatchNorm() {
        MochiSettings mochi =
                MochiSettings.defaults()
                        .withEnabled(true)
                        .withHardest(16)
                        .withMixed(8)
                        .withMixedWithQuery(4);
        FeatureTransformSettings ft = FeatureTransformSettings.defaults().withEnabled(true);
        for (MocoSettings s :
                List.of(
                        SMALL.withMochi(mochi),
                        SMALL.withFeatureTransform(ft),
                        SMALL.withBnSplits(4).withMochi(mochi).withFeatureTransform(ft))) {
            assertTrainsDown(s);
        }
    }

    @Test
    void queueHoldsTheKeysOfEachStepInRingOrderAndEmaFollowsTheFormula() {
        MocoSettings s =
                MocoSettings.defaults()
                        .withQueueLength(16)
                        .withEmaMomentum(0.75)
                        .withShuffleBn(true);
        try (NDManager run = NDManager.newBaseManager()) {
            MocoV2 m = (MocoV2) create(s, run);
            Map<String, Block> blocks = m.blocks();
            float[] queueBefore = m.queue().rows().toFloatArray();
            List<float[]> q0 = trainable(blocks.get("backbone"));
            List<float[]> k0 = trainable(blocks.get("key_backbone"));
            for (int i = 0; i < q0.size(); i++) {
                assertArrayEquals(q0.get(i), k0.get(i), 0f, "key encoder starts as a copy");
            }
            // the keys the step will enqueue: key encoder on view 2 (with one BN batch, bn_splits
            // 1,
            // the statistics ignore the shuffle's order)
            float[] expectedKeys;
            try (NDManager tmp = run.newSubManager()) {
                Engine.getInstance().setRandomSeed(11);
                MultiCropBatch fixed = batch(tmp, false);
                ParameterStore ps = new ParameterStore(run, false);
                NDArray k =
                        blocks.get("key_head")
                                .forward(
                                        ps,
                                        blocks.get("key_backbone")
                                                .forward(
                                                        ps,
                                                        new NDList(fixed.groups().get(0).crop(1)),
                                                        true),
                                        true)
                                .singletonOrThrow()
                                .normalize(2, 1);
                expectedKeys = k.toFloatArray();
            }
            train(m, sgd(m, run), run, false, 1, true);
            float[] queue = m.queue().rows().toFloatArray();
            for (int i = 0; i < expectedKeys.length; i++) {
                assertEquals(expectedKeys[i], queue[i], 2e-5f, "row-major key " + i);
            }
            for (int i = expectedKeys.length; i < queue.length; i++) {
                assertEquals(queueBefore[i], queue[i], 0f, "rows past B untouched");
            }
            assertEquals(new MocoV2.State(8, 8), m.state());
            List<float[]> q1 = trainable(blocks.get("backbone"));
            List<float[]> k1 = trainable(blocks.get("key_backbone"));
            for (int i = 0; i < q1.size(); i++) {
                for (int j = 0; j < q1.get(i).length; j++) {
                    assertEquals(0.75f * k0.get(i)[j] + 0.25f * q1.get(i)[j], k1.get(i)[j], 1e-6f);
                }
            }
            for (Pair<String, Parameter> p : blocks.get("key_backbone").getParameters()) {
                assertFalse(
                        p.getValue().requiresGradient(),
                        "key encoder takes no gradient: " + p.getKey());
            }
        }
    }

    @Test
    void cosineEmaScheduleIsTheSharedEmaMomentumCosine() {
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(SMALL.withEmaSchedule(EmaSchedule.COSINE), run);
            TrainStep stepper = new TrainStep(m, sgd(m, run), new ParameterStore(run, false), 1, 0);
            Schedule expected = Schedule.emaMomentumCosine(0.9, 4);
            for (int i = 0; i < 4; i++) {
                try (NDManager step = run.newSubManager()) {
                    stepper.run(step, batch(step, false), new Step(i, 0, 4, SEED), true, "none");
                }
                assertEquals(
                        expected.value(i),
                        m.stepMetrics().get("ema_momentum"),
                        0,
                        "iteration " + i);
            }
            assertTrue(m.stepMetrics().get("ema_momentum") > 0.9, "rises from the base");
        }
    }

    @Test
    void embedsCropZeroAsQueryAndCropOneAsKey() {
        try (NDManager run = NDManager.newBaseManager()) {
            assertEquals(
                    Map.of("query", Crops.of(0), "key", Crops.of(1)),
                    create(SMALL, run).branches());
        }
    }

    @Test
    void stateRestoresThePointerAndRefusesAnotherMethodsState() {
        try (NDManager run = NDManager.newBaseManager()) {
            MocoV2 m = (MocoV2) create(SMALL, run);
            assertEquals(new MocoV2.State(0, 0), m.state());
            m.restore(new MocoV2.State(24, 40));
            assertEquals(new MocoV2.State(24, 40), m.state());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> m.restore(new Swav.State(List.of(3L))));
            assertTrue(e.getMessage().contains("MocoV2.State"), e.getMessage());
        }
    }

    @Test
    void mochiMayNotRankMoreNegativesThanTheQueueHolds() {
        MochiSettings mochi = MochiSettings.defaults().withEnabled(true).withHardest(65);
        SettingException e = assertThrows(SettingException.class, () -> SMALL.withMochi(mochi));
        assertEquals("mochi.hardest", e.key());
        assertTrue(
                e.getMessage().contains("got 65") && e.getMessage().contains("64"), e.getMessage());
        assertEquals(64, SMALL.withMochi(mochi.withHardest(64)).mochi().hardest());
        assertEquals(1024, SMALL.mochi().hardest(), "off, the default N does not have to fit");
    }

    @Test
    void shuffleBnWithSplitBatchNormNormalisesKeysPerGroupOfTheShuffledBatch() {
        for (int splits : new int[] {1, 4}) {
            MocoSettings s = MocoSettings.defaults().withQueueLength(16).withBnSplits(splits);
            try (NDManager run = NDManager.newBaseManager()) {
                MocoV2 a = (MocoV2) create(s.withShuffleBn(true), run);
                MocoV2 b = (MocoV2) create(s.withShuffleBn(false), run);
                ParameterStore ps = new ParameterStore(run, false);
                Engine.getInstance().setRandomSeed(12);
                NDArray x = run.randomNormal(new Shape(B, 3, 16, 16));
                Step step = new Step(3, 0, 10, SEED);
                // the reference: one plain-BN key encoder per group, each from the initial key
                // weights
                List<float[]> expectedShuffled =
                        perGroupReference(
                                a,
                                x,
                                Sampling.permutation(step.random("shuffle-bn"), B),
                                splits,
                                run);
                List<float[]> expectedOrdered =
                        perGroupReference(b, x, IntStream.range(0, B).toArray(), splits, run);
                float[] ka = a.keys(ps, x, step).toFloatArray();
                float[] kb = b.keys(ps, x, step).toFloatArray();
                String what = "bn_splits " + splits;
                assertArrayEquals(expectedShuffled.get(0), ka, 2e-5f, what + ": shuffled keys");
                assertArrayEquals(expectedOrdered.get(0), kb, 2e-5f, what + ": unshuffled keys");
                assertArrayEquals(
                        expectedShuffled.get(1),
                        runningStats(a.blocks().get("key_backbone"), a.blocks().get("key_head")),
                        1e-5f,
                        what + ": running statistics = mean over the groups' updated copies");
                assertArrayEquals(
                        expectedOrdered.get(1),
                        runningStats(b.blocks().get("key_backbone"), b.blocks().get("key_head")),
                        1e-5f);
                float diff = 0;
                for (int i = 0; i < ka.length; i++) {
                    diff = Math.max(diff, Math.abs(ka[i] - kb[i]));
                }
                if (splits == 1) {
                    assertTrue(
                            diff < 2e-5f,
                            what + ": one BN batch ignores the order, max diff " + diff);
                } else {
                    assertTrue(
                            diff > 1e-3f,
                            what
                                    + ": per-group statistics depend on the shuffle, max diff "
                                    + diff);
                }
            }
        }
    }

    @Test
    void splitBatchNormStepsLeaveNoArraysOnTheRunManager() {
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(MocoSettings.defaults().withQueueLength(16).withBnSplits(4), run);
            TrainStep stepper = new TrainStep(m, sgd(m, run), new ParameterStore(run, false), 1, 0);
            int arrays = 0;
            for (int i = 0; i < 40; i++) {
                try (NDManager step = run.newSubManager()) {
                    stepper.run(step, batch(step, false), new Step(i, 0, 40, SEED), true, "none");
                }
                if (i == 9) {
                    arrays = run.getManagedArrays().size();
                }
            }
            assertEquals(
                    arrays, run.getManagedArrays().size(), "managed arrays flat after warm-up");
        }
    }

    @Test
    void everyParameterQueueAndOptimiserSlotLivesOnTheRunDevice() {
        try (NDManager run = NDManager.newBaseManager(Device.cpu())) {
            Method m = create(MocoSettings.defaults().withQueueLength(16), run);
            Optimizer opt = sgd(m, run);
            train(m, opt, run, false, 2, false);
            for (Block b : m.blocks().values()) {
                for (Pair<String, Parameter> p : b.getParameters()) {
                    assertEquals(run.getDevice(), p.getValue().getArray().getDevice(), p.getKey());
                }
            }
            for (NDArray a : m.stateTensors().values()) {
                assertEquals(run.getDevice(), a.getDevice());
            }
            assertFalse(opt.state().isEmpty());
            for (NDArray a : opt.state().values()) {
                assertEquals(run.getDevice(), a.getDevice());
            }
        }
    }

    /**
     * Keys [B·D] and the key encoder's running statistics after one training pass, computed by
     * running each group of the permuted batch (positions j with j mod S = g) through its own
     * plain-BN copy of the key encoder and averaging the copies' statistics; the keys go back to
     * the samples' original positions.
     */
    private static List<float[]> perGroupReference(
            MocoV2 moco, NDArray x, int[] perm, int splits, NDManager run) {
        int size = B / splits;
        float[] keys = null;
        float[] stats = null;
        try (NDManager scope = run.newSubManager()) {
            ParameterStore ps = new ParameterStore(scope, false);
            for (int g = 0; g < splits; g++) {
                Backbone backbone = parts(scope).backbone(1);
                Block head = parts(scope).head(backbone.featureDim(), 1);
                dev.selfsup.model.Weights.copy(moco.blocks().get("key_backbone"), backbone);
                dev.selfsup.model.Weights.copy(moco.blocks().get("key_head"), head);
                long[] members = new long[size];
                for (int t = 0; t < size; t++) {
                    members[t] = perm[g + t * splits];
                }
                NDArray xg = x.get(new NDIndex("{}", scope.create(members)));
                float[] kg =
                        head.forward(ps, backbone.forward(ps, new NDList(xg), true), true)
                                .singletonOrThrow()
                                .normalize(2, 1)
                                .toFloatArray();
                int d = kg.length / size;
                if (keys == null) {
                    keys = new float[B * d];
                }
                for (int t = 0; t < size; t++) {
                    System.arraycopy(kg, t * d, keys, (int) members[t] * d, d);
                }
                float[] sg = runningStats(backbone, head);
                if (stats == null) {
                    stats = new float[sg.length];
                }
                for (int i = 0; i < sg.length; i++) {
                    stats[i] += sg[i] / splits;
                }
            }
        }
        return List.of(keys, stats);
    }

    /** Every BN running mean and variance of the blocks, concatenated in parameter order. */
    private static float[] runningStats(Block... blocks) {
        List<Float> out = new ArrayList<>();
        for (Block block : blocks) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                Parameter.Type t = p.getValue().getType();
                if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                    for (float v : p.getValue().getArray().toFloatArray()) {
                        out.add(v);
                    }
                }
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }
}
