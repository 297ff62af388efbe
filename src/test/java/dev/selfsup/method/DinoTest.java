package dev.selfsup.method;

import static dev.selfsup.method.MethodFixtures.SEED;
import static dev.selfsup.method.MethodFixtures.batch;
import static dev.selfsup.method.MethodFixtures.create;
import static dev.selfsup.method.MethodFixtures.firstAndLast;
import static dev.selfsup.method.MethodFixtures.sgd;
import static dev.selfsup.method.MethodFixtures.train;
import static dev.selfsup.method.MethodFixtures.trainable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Precision;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.internal.SettingException;
import dev.selfsup.loss.DinoLoss;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.DinoHead;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.model.VisionTransformer;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.train.TrainStep;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DINO on a fixed tiny multi-crop batch (two 16-px global and two 8-px local crops): the loss of
 * the networks' outputs against {@link DinoLoss} (itself checked against the official formula), the
 * teacher seeing only the global crops, the centre, the teacher's EMA, the frozen last layer,
 * learning, and a ViT backbone.
 */
class DinoTest {
    /**
     * A small head (K 32, hidden 16, bottleneck 8), the teacher temperature warming 0.04 → 0.07.
     */
    static final DinoSettings SMALL =
            new DinoSettings(32, 16, 8, 3, false, true, 0.1, 0.07, 0.04, 3, 0.9, 0.996, 0, 2);

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    private static NDArray[] outputs(
            ParameterStore ps, Block backbone, Block head, List<NDArray> groups, int crops) {
        NDList features = new NDList();
        for (NDArray x : groups) {
            features.add(backbone.forward(ps, new NDList(x), true).singletonOrThrow());
        }
        NDArray all = NDArrays.concat(features, 0);
        return head.forward(ps, new NDList(all), true)
                .singletonOrThrow()
                .split(crops, 0)
                .toArray(new NDArray[0]);
    }

    @Test
    void lossIsDinoLossOfStudentOnAllCropsAndTeacherOnTheGlobalOnes() {
        try (NDManager run = NDManager.newBaseManager()) {
            Dino m = (Dino) create(SMALL, run);
            ParameterStore ps = new ParameterStore(run, false);
            try (NDManager step = run.newSubManager()) {
                MultiCropBatch b = batch(step, true);
                // epoch 1 of a 3-epoch warm-up: T_t = 0.04 + (0.07 - 0.04) / 2
                NDArray loss = m.loss(ps, b, new Step(0, 1, 10, SEED));
                NDArray[] s =
                        outputs(
                                ps,
                                m.blocks().get("student_backbone"),
                                m.blocks().get("student_head"),
                                List.of(b.groups().get(0).images(), b.groups().get(1).images()),
                                4);
                NDArray[] t =
                        outputs(
                                ps,
                                m.blocks().get("teacher_backbone"),
                                m.blocks().get("teacher_head"),
                                List.of(b.groups().get(0).images()),
                                2);
                NDArray expected = DinoLoss.loss(s, t, step.zeros(new Shape(1, 32)), 0.1, 0.055);
                assertEquals(
                        expected.getFloat(), loss.getFloat(), 1e-5 * Math.abs(expected.getFloat()));
                assertEquals(0.055, m.teacherTemperature(1), 1e-12);
                // a teacher that also embedded the local crops would average over 2 x 3 + 2 x 3
                // pairs
                NDArray[] tAll = new NDArray[] {t[0], t[1], s[2], s[3]};
                float wrong =
                        DinoLoss.loss(s, tAll, step.zeros(new Shape(1, 32)), 0.1, 0.055).getFloat();
                assertTrue(Math.abs(wrong - loss.getFloat()) > 1e-4, "distinguishable: " + wrong);
            }
        }
    }

    @Test
    void oneStepMovesTheCentreAndTheTeacherAndNotTheFrozenLastLayer() {
        try (NDManager run = NDManager.newBaseManager()) {
            Dino m = (Dino) create(SMALL.withFreezeLastLayerIters(2), run);
            Optimizer opt = sgd(m, run);
            ParameterStore ps = new ParameterStore(run, false);
            TrainStep stepper = new TrainStep(m, opt, ps, 1, 0);
            Block student = m.blocks().get("student_backbone");
            Block teacher = m.blocks().get("teacher_backbone");
            NDArray v = null;
            for (var p : ((DinoHead) m.blocks().get("student_head")).lastLayerParameters()) {
                if (p.getValue().requiresGradient()) {
                    v = p.getValue().getArray(); // weight_v; g is fixed
                }
            }
            float[] v0 = v.toFloatArray();
            List<float[]> theta0 = trainable(student);
            assertEquals(theta0.size(), trainable(teacher).size());
            try (NDManager data = run.newSubManager()) {
                MultiCropBatch fixed = batch(data, true);
                for (int i = 0; i < 3; i++) {
                    float[] expectedCenter;
                    try (NDManager probe = run.newSubManager()) {
                        NDArray[] t =
                                outputs(
                                        ps,
                                        teacher,
                                        m.blocks().get("teacher_head"),
                                        List.of(fixed.groups().get(0).images()),
                                        2);
                        float[] c = m.center().toFloatArray();
                        float[] mean =
                                NDArrays.concat(new NDList(t), 0)
                                        .mean(new int[] {0})
                                        .toFloatArray();
                        expectedCenter = new float[c.length];
                        for (int k = 0; k < c.length; k++) {
                            expectedCenter[k] = 0.9f * c[k] + 0.1f * mean[k];
                        }
                    }
                    try (NDManager step = run.newSubManager()) {
                        step.tempAttachAll(fixed.arrays().toArray(new NDArray[0]));
                        stepper.run(step, fixed, new Step(i, 0, 3, SEED), true, "none");
                    }
                    assertArrayEquals(
                            expectedCenter,
                            m.center().toFloatArray(),
                            1e-5f,
                            "centre after step " + i);
                    if (i < 2) {
                        assertArrayEquals(
                                v0, v.toFloatArray(), 0f, "last layer frozen at iteration " + i);
                    } else {
                        assertFalse(
                                Arrays.equals(v0, v.toFloatArray()),
                                "last layer trains at iteration 2");
                    }
                    if (i == 0) {
                        // teacher ← m θ_t + (1 − m) θ_s with the cosine momentum at iteration 0: m
                        // = 0.996
                        List<float[]> s1 = trainable(student);
                        List<float[]> t1 = trainable(teacher);
                        for (int p = 0; p < s1.size(); p++) {
                            for (int k = 0; k < s1.get(p).length; k++) {
                                float want = 0.996f * theta0.get(p)[k] + 0.004f * s1.get(p)[k];
                                assertEquals(
                                        want,
                                        t1.get(p)[k],
                                        1e-6f + 1e-5f * Math.abs(want),
                                        "param " + p);
                            }
                        }
                        assertFalse(Arrays.equals(theta0.get(0), s1.get(0)), "the student trained");
                    }
                }
            }
        }
    }

    @Test
    void theStudentLearnsAFixedTeachersTargets() {
        // the loss is H(P_t) + KL(P_t || P_s): with the teacher and centre moving, H(P_t) moves
        // too, so learning shows with both held (momenta 1): only the KL term can change
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(SMALL.withMomenta(1.0, 1.0), run);
            float[] fl = firstAndLast(train(m, sgd(m, run), run, true, 30, false));
            assertTrue(fl[1] < 0.5 * fl[0], "loss " + fl[0] + " -> " + fl[1]);
        }
    }

    @Test
    void theTeacherEmbedsTheGlobalCropsAndTheBatchMustHoldThem() {
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(SMALL, run);
            assertEquals(Crops.all(), m.branches().get("student"));
            assertEquals(Crops.of(0, 1), m.branches().get("teacher"));
            assertEquals(List.of("center"), List.copyOf(m.stateTensors().keySet()));
        }
        SettingException e =
                assertThrows(
                        SettingException.class,
                        () ->
                                SMALL.withGlobalCrops(3)
                                        .checkBatches(new MethodSettings.Batches(8, 2, true)));
        assertTrue(e.getMessage().contains("global_crops"), e.getMessage());
    }

    @Test
    void trainsAVisionTransformerOnGlobalAndLocalCropSizes() {
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(SEED);
            Parts vit =
                    new Parts() {
                        @Override
                        public NDManager manager() {
                            return run;
                        }

                        @Override
                        public int batchSize() {
                            return MethodFixtures.B;
                        }

                        @Override
                        public Backbone backbone(int bnSplits) {
                            Backbone b =
                                    VisionTransformer.builder()
                                            .setEmbedDim(16)
                                            .setDepth(2)
                                            .setNumHeads(2)
                                            .setPatchSize(4)
                                            .optImageSize(16)
                                            .optDropPathRate(0.1)
                                            .build();
                            b.initialize(
                                    run,
                                    Precision.DEFAULT.parameterType(),
                                    new Shape(1, 3, 16, 16));
                            return b;
                        }

                        @Override
                        public ProjectionHead head(int inputDim, int bnSplits) {
                            throw new AssertionError("DINO builds its own head");
                        }
                    };
            Method m = Methods.create(SMALL, vit);
            float[] fl = firstAndLast(train(m, sgd(m, run), run, true, 6, false));
            assertTrue(Float.isFinite(fl[1]), "finite loss with 8-px local crops: " + fl[1]);
            assertFalse(fl[0] == fl[1], "the ViT student trains");
        }
    }
}
