package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.data.ValidationSplit;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KnnMonitorTest {
    private static final SyntheticShapes DATA = new SyntheticShapes(60, 3, 20, 20, 9);
    private static final MultiCrop TRANSFORM = MultiCrop.evaluationResize(16);

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void evaluatesEveryNthEpochAndAfterTheLast() {
        ValidationSplit split = ValidationSplit.of(DATA, 0.2, 0);
        KnnMonitor m =
                KnnMonitor.builder()
                        .setData(split.train(), split.validation())
                        .setTransform(TRANSFORM)
                        .setEveryEpochs(3)
                        .build();
        List<Integer> evaluated = new java.util.ArrayList<>();
        for (int e = 0; e < 10; e++) {
            if (m.evaluates(e, 10)) {
                evaluated.add(e + 1);
            }
        }
        assertEquals(List.of(3, 6, 9, 10), evaluated);
    }

    @Test
    void reportsTheKnnAccuracyOfTheValidationImagesAgainstTheBank() throws IOException {
        ValidationSplit split = ValidationSplit.of(DATA, 0.25, 4);
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(2);
            Backbone net =
                    ModelZoo.backbone("resnet10_cifar", new ModelZoo.Options(4, false, 0, 0));
            net.initialize(run, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            KnnMonitor monitor =
                    KnnMonitor.builder()
                            .setData(split.train(), split.validation())
                            .setTransform(TRANSFORM)
                            .setEveryEpochs(1)
                            .optK(7)
                            .optTemperature(0.1)
                            .optExtractBatch(16)
                            .build();
            Knn.Score o;
            try (NDManager scope = run.newSubManager()) {
                o = monitor.evaluate(net, scope);
            }
            String message = monitor.describe(o);
            assertTrue(
                    message.contains(
                                    String.format(
                                            java.util.Locale.ROOT, "kNN top-1 %.2f %%", o.top1()))
                            && message.contains("k 7, T 0.1; 15 validation / 45 bank"),
                    message);
            // the same numbers by hand: bank = the rest of the split, queries = the held-out images
            try (NDManager scope = run.newSubManager();
                    DatasetFeatureSource bank =
                            DatasetFeatureSource.builder(split.train())
                                    .setTransform(TRANSFORM)
                                    .build();
                    DatasetFeatureSource val =
                            DatasetFeatureSource.builder(split.validation())
                                    .setTransform(TRANSFORM)
                                    .build();
                    Features b = FeatureExtractor.extract(net, bank, 32, scope);
                    Features v = FeatureExtractor.extract(net, val, 32, scope)) {
                Knn.Score s =
                        Knn.evaluate(
                                        b.features(),
                                        b.labels(),
                                        v.features(),
                                        v.labels(),
                                        new int[] {7},
                                        0.1,
                                        3)
                                .get(0);
                assertEquals(s.top1(), o.top1(), 1e-9);
                assertEquals(s.top5(), o.top5(), 1e-9);
            }
            try (NDManager scope = run.newSubManager()) {
                assertEquals(
                        o, monitor.evaluate(net, scope), "the same backbone scores the same again");
            }
        }
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        ValidationSplit split = ValidationSplit.of(DATA, 0.2, 0);
        IllegalArgumentException k =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                KnnMonitor.builder()
                                        .setData(split.train(), split.validation())
                                        .setTransform(TRANSFORM)
                                        .setEveryEpochs(1)
                                        .optK(49)
                                        .build());
        assertTrue(
                k.getMessage().contains("[1, 48]") && k.getMessage().contains("49"),
                k.getMessage());
        IllegalArgumentException every =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                KnnMonitor.builder()
                                        .setData(split.train(), split.validation())
                                        .setTransform(TRANSFORM)
                                        .build());
        assertTrue(every.getMessage().contains("setEveryEpochs"), every.getMessage());
        IllegalArgumentException random =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                KnnMonitor.builder()
                                        .setData(split.train(), split.validation())
                                        .setTransform(MultiCrop.linearProbe(16))
                                        .setEveryEpochs(1)
                                        .build());
        assertFalse(random.getMessage().isBlank());
    }
}
