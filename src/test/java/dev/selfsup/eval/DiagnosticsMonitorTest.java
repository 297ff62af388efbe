package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.method.Method;
import dev.selfsup.run.Augmentations;
import dev.selfsup.run.Pretraining;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DiagnosticsMonitorTest {
    private static final Recipe RECIPE =
            RecipeLoader.parse(
                    """
            method: simclr
            seed: 5
            data: {dataset: synthetic, batch_size: 8, synthetic_images: 40, synthetic_classes: 4, synthetic_resolution: 20}
            augment: {preset: simclr, crops: [{count: 2, size: 16, scale_min: 0.3, scale_max: 1.0}]}
            model: {backbone: resnet10_cifar, base_width: 4, head_hidden_dims: [16], head_output_dim: 8}
            """,
                    "tiny");
    private static final SyntheticShapes DATA = new SyntheticShapes(40, 4, 20, 20, 5);

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    private static DiagnosticsMonitor monitor(long seed, int every) throws IOException {
        return DiagnosticsMonitor.builder()
                .setDataset(DATA)
                .setTransform(Augmentations.multiCrop(RECIPE.augment()))
                .setEverySteps(every)
                .optBatch(16)
                .optSeed(seed)
                .build();
    }

    private static Map<String, Double> at(
            DiagnosticsMonitor d, Method m, NDManager run, long step) {
        try (NDManager scope = run.newSubManager()) {
            return d.measure(m, step, scope);
        }
    }

    @Test
    void fixedBatchGivesTheSameNumbersEachTimeEveryNSteps() throws IOException {
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(RECIPE.seed());
            Method m = Pretraining.method(RECIPE, run, 16);
            DiagnosticsMonitor d = monitor(1, 2);
            assertTrue(d.labelled());
            assertEquals(16, d.batchSize());
            Map<String, Double> first = at(d, m, run, 0);
            assertEquals(first, at(d, m, run, 4), "same model, same fixed batch: same numbers");
            assertEquals(
                    List.of(true, false, true, false),
                    LongStream.range(4, 8).mapToObj(d::measures).toList(),
                    "every 2 steps");
            assertEquals(first, at(monitor(1, 2), m, run, 0), "the seed fixes the batch");
            assertNotEquals(first, at(monitor(2, 2), m, run, 0), "another seed, another batch");
            for (String k :
                    new String[] {
                        "alignment_backbone",
                        "uniformity_backbone",
                        "alignment_projector",
                        "uniformity_projector",
                        "rankme_backbone",
                        "rankme_projector",
                        "pos_score_mean",
                        "pos_score_var",
                        "neg_score_mean",
                        "neg_score_var",
                        "tolerance_backbone",
                        "tolerance_projector"
                    }) {
                assertTrue(
                        first.containsKey(k) && Double.isFinite(first.get(k)), k + " in " + first);
            }
            // a random network still maps two views of an image closer than two images
            assertTrue(first.get("pos_score_mean") > first.get("neg_score_mean"), first.toString());
        }
    }

    @Test
    void flagsTheProjectorWhenItsRankCollapses() throws IOException {
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(RECIPE.seed());
            Method m = Pretraining.method(RECIPE, run, 16);
            DiagnosticsMonitor d = monitor(1, 1);
            assertTrue(at(d, m, run, 0).get("rankme_projector") > 2);
            double before = at(d, m, run, 1).get("rankme_projector"); // step 0 is no baseline
            assertArrayEquals(new boolean[] {false, false}, d.collapsed());
            // make the head's last Linear rank one (W = u vᵀ, no bias): every output on one line
            for (Pair<String, Parameter> p : m.head().getParameters()) {
                NDArray a = p.getValue().getArray();
                if (a.getShape().equals(new Shape(8, 16))) {
                    float[] w = new float[8 * 16];
                    for (int i = 0; i < 8; i++) {
                        for (int j = 0; j < 16; j++) {
                            w[i * 16 + j] = (i + 1) * (j % 3 - 1) * 0.1f;
                        }
                    }
                    a.set(w);
                } else if (a.getShape().equals(new Shape(8)) && p.getKey().endsWith("bias")) {
                    a.set(new float[8]);
                }
            }
            Map<String, Double> after = at(d, m, run, 2);
            assertTrue(
                    after.get("rankme_projector") < 1.5 && before > 2,
                    before + " → " + after.get("rankme_projector"));
            assertArrayEquals(
                    new boolean[] {false, true},
                    d.collapsed(),
                    "the projector is flagged, the backbone not");
        }
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        IllegalArgumentException big =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                DiagnosticsMonitor.builder()
                                        .setDataset(DATA)
                                        .setTransform(Augmentations.multiCrop(RECIPE.augment()))
                                        .setEverySteps(1)
                                        .optBatch(41)
                                        .build());
        assertTrue(
                big.getMessage().contains("[2, 40]") && big.getMessage().contains("41"),
                big.getMessage());
        IllegalArgumentException every =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                DiagnosticsMonitor.builder()
                                        .setDataset(DATA)
                                        .setTransform(Augmentations.multiCrop(RECIPE.augment()))
                                        .build());
        assertTrue(every.getMessage().contains("setEverySteps"), every.getMessage());
    }
}
