package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.optim.LrSchedule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TransferTest {
    static final SyntheticShapes TRAIN = new SyntheticShapes(48, 3, 16, 16, 1);
    static final SyntheticShapes TEST = new SyntheticShapes(24, 3, 16, 16, 2);

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
        SelfsupEngine.seed(3);
    }

    static Backbone tiny(NDManager m) {
        Backbone b = ModelZoo.backbone("resnet10_cifar", ModelZoo.Options.DEFAULT.withBaseWidth(4));
        b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
        return b;
    }

    @Test
    void crossEntropyMatchesHandValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(new float[] {1, 2, 3, 0, 0, 0}, new Shape(2, 3));
            NDArray labels = m.create(new long[] {2, 0});
            // row 0: log(e + e² + e³) − 3 = 0.40760596; row 1: log 3 = 1.0986123
            assertEquals(
                    (0.40760596 + 1.0986123) / 2,
                    FineTune.crossEntropy(logits, labels, 3).getFloat(),
                    1e-6);
        }
    }

    @Test
    void fineTuningChangesTheBackboneAndLearns() {
        try (NDManager m = NDManager.newBaseManager();
                DatasetFeatureSource test =
                        DatasetFeatureSource.builder(TEST)
                                .setTransform(MultiCrop.evaluationResize(16))
                                .optBatchSize(16)
                                .optThreads(1)
                                .build()) {
            Backbone backbone = tiny(m);
            String before = Fingerprint.ofParameters(backbone);
            ProbeProtocol p =
                    new ProbeProtocol(
                            "custom", 0.05, 4, LrSchedule.constant(), 0.9, 1e-4, 16, false, 1);
            ProbeResult r =
                    FineTune.train(backbone, TRAIN, MultiCrop.linearProbe(16), test, 3, p, 7, 1, m);
            assertNotEquals(
                    before,
                    Fingerprint.ofParameters(backbone),
                    "fine-tuning must update the backbone");
            assertEquals(4, r.history().size());
            assertEquals(4, r.lastEpoch());
            double first = r.history().get(0).trainLoss();
            double last = r.history().get(3).trainLoss();
            assertTrue(first > 0 && Double.isFinite(last), r.history().toString());
            assertTrue(last < first, "training loss must fall: " + r.history());
            for (ProbeResult.EpochScore e : r.history()) {
                assertTrue(e.top1() >= 0 && e.top1() <= e.top5() && e.top5() <= 100, e.toString());
            }
        }
    }

    @Test
    void augmentedLinearProbeLeavesTheBackboneUntouchedAndIsReproducible() {
        try (NDManager m = NDManager.newBaseManager();
                DatasetFeatureSource test =
                        DatasetFeatureSource.builder(TEST)
                                .setTransform(MultiCrop.evaluationResize(16))
                                .optBatchSize(16)
                                .optThreads(1)
                                .build()) {
            Backbone backbone = tiny(m);
            String before = Fingerprint.ofParameters(backbone);
            try (Features testFeatures = FeatureExtractor.extract(backbone, test, 16, m)) {
                ProbeProtocol p =
                        new ProbeProtocol(
                                "custom", 0.05, 3, LrSchedule.constant(), 0.9, 0, 16, true, 1);
                ProbeResult r =
                        AugmentedLinearProbe.train(
                                backbone,
                                TRAIN,
                                MultiCrop.linearProbe(16),
                                testFeatures,
                                3,
                                p,
                                7,
                                1);
                assertEquals(
                        before,
                        Fingerprint.ofParameters(backbone),
                        "a probe must not touch the backbone");
                assertEquals(3, r.history().size());
                assertEquals(r.lastTop1(), r.history().get(2).top1());
                // same seed, same crops, same order
                ProbeResult again =
                        AugmentedLinearProbe.train(
                                backbone,
                                TRAIN,
                                MultiCrop.linearProbe(16),
                                testFeatures,
                                3,
                                p,
                                7,
                                1);
                assertEquals(r.history(), again.history());
            }
        }
    }

    /**
     * With a deterministic transform and one full batch per epoch (so the order does not matter),
     * the augmented path sees exactly the cached features: both must train the same classifier.
     */
    @Test
    void withoutAugmentationItEqualsTheCachedFeatureProbe() {
        try (NDManager m = NDManager.newBaseManager();
                DatasetFeatureSource train =
                        DatasetFeatureSource.builder(TRAIN)
                                .setTransform(MultiCrop.evaluationResize(16))
                                .optBatchSize(48)
                                .optThreads(1)
                                .build();
                DatasetFeatureSource test =
                        DatasetFeatureSource.builder(TEST)
                                .setTransform(MultiCrop.evaluationResize(16))
                                .optBatchSize(16)
                                .optThreads(1)
                                .build()) {
            Backbone backbone = tiny(m);
            ProbeProtocol p =
                    new ProbeProtocol(
                            "custom", 0.5, 4, LrSchedule.cosine(0), 0.9, 1e-4, 48, true, 1);
            try (Features trainFeatures = FeatureExtractor.extract(backbone, train, 48, m);
                    Features testFeatures = FeatureExtractor.extract(backbone, test, 16, m)) {
                ProbeResult cached =
                        LinearProbe.train(
                                trainFeatures.features(),
                                trainFeatures.labels(),
                                testFeatures.features(),
                                testFeatures.labels(),
                                3,
                                p,
                                11);
                ProbeResult online =
                        AugmentedLinearProbe.train(
                                backbone,
                                TRAIN,
                                MultiCrop.evaluationResize(16),
                                testFeatures,
                                3,
                                p,
                                11,
                                1);
                for (int e = 0; e < 4; e++) {
                    assertEquals(
                            cached.history().get(e).trainLoss(),
                            online.history().get(e).trainLoss(),
                            1e-4);
                    assertEquals(
                            cached.history().get(e).top1(), online.history().get(e).top1(), 1e-9);
                }
                assertTrue(
                        cached.history().get(3).trainLoss() < cached.history().get(0).trainLoss());
            }
        }
    }
}
