package dev.selfsup.run;

import static dev.selfsup.train.TinyRecipes.stepLosses;
import static dev.selfsup.train.TinyRecipes.tiny;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.config.Recipe;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.train.EpochObserver;
import dev.selfsup.train.MetricsLog;
import dev.selfsup.train.StepObserver;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code monitor:} and {@code diagnostics:} sections end to end on tiny procedural data: what
 * they write, and that training is the same with and without them.
 */
class PretrainingMonitorsTest {
    private static final String MONITORS =
            "monitor: {every_epochs: 2, val_fraction: 0.25, knn_k: 5, max_bank: 20}\n"
                    + "diagnostics: {every_steps: 3, batch: 12}";

    @TempDir Path dir;

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    static List<JsonObject> lines(Path run, String kind) throws IOException {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream()
                .filter(o -> o.get("kind").getAsString().equals(kind))
                .toList();
    }

    @Test
    void monitorsLeaveTheLossCurveUnchangedAndLogTheirLines() throws IOException {
        for (String method : List.of("simclr", "swav")) {
            Path plain = dir.resolve(method + "-plain");
            Path watched = dir.resolve(method + "-watched");
            Pretraining.run(tiny(method), plain, Device.cpu(), false, null);
            Trainer.Result r =
                    Pretraining.run(tiny(method, MONITORS), watched, Device.cpu(), false, null);
            assertEquals(12, r.iterations());
            assertEquals(
                    stepLosses(plain),
                    stepLosses(watched),
                    method + ": the monitors must not change training, bit for bit");

            List<JsonObject> knn = lines(watched, "knn");
            // every 2 epochs and after the last of 3: epochs 1 and 2 (0-based)
            assertEquals(List.of(1, 2), knn.stream().map(o -> o.get("epoch").getAsInt()).toList());
            assertEquals(
                    List.of(7L, 11L), knn.stream().map(o -> o.get("step").getAsLong()).toList());
            for (JsonObject o : knn) {
                double top1 = o.get("knn_top1").getAsDouble();
                assertTrue(top1 >= 0 && top1 <= 100, o.toString());
                assertTrue(
                        o.get("seconds").getAsDouble() > 0
                                && o.get("wall_seconds").getAsDouble() > 0,
                        o.toString());
            }

            List<JsonObject> diag = lines(watched, "diagnostics");
            assertEquals(
                    List.of(0L, 3L, 6L, 9L),
                    diag.stream().map(o -> o.get("step").getAsLong()).toList());
            for (JsonObject o : diag) {
                assertTrue(
                        o.get("alignment_projector").getAsDouble() >= 0
                                && o.get("alignment_projector").getAsDouble() <= 4);
                assertTrue(
                        o.get("uniformity_backbone").getAsDouble() <= 0
                                && o.get("uniformity_backbone").getAsDouble() >= -8);
                double rank = o.get("rankme_projector").getAsDouble();
                assertTrue(rank >= 1 && rank <= 8 + 1e-6, "at most min(12, D = 8): " + rank);
                assertTrue(o.has("tolerance_backbone"), "synthetic shapes are labelled: " + o);
                assertEquals(
                        method.equals("simclr"),
                        o.has("pos_score_mean"),
                        "pair scores for contrastive methods: " + o);
            }

            List<JsonObject> epochs = lines(watched, "epoch");
            double previous = 0;
            for (JsonObject o : epochs) {
                double wall = o.get("wall_seconds").getAsDouble();
                assertTrue(wall > previous, "training time grows: " + epochs);
                previous = wall;
            }
            // the last epoch line precedes that epoch's kNN evaluation; it counts every observer
            // line before it
            double observers = epochs.get(epochs.size() - 1).get("observer_seconds").getAsDouble();
            double spent = 0;
            for (JsonObject o : MetricsLog.read(watched.resolve("metrics.jsonl"))) {
                String kind = o.get("kind").getAsString();
                if (kind.equals("epoch") && o.get("epoch").getAsInt() == 2) {
                    break;
                }
                if (kind.equals("knn") || kind.equals("diagnostics")) {
                    spent += o.get("seconds").getAsDouble();
                }
            }
            assertTrue(
                    observers >= spent - 1e-6 && spent > 0,
                    "the monitors' time is accounted: " + observers + " vs " + spent);
            assertEquals(0, lines(plain, "epoch").get(2).get("observer_seconds").getAsDouble());

            List<String> plots =
                    new ArrayList<>(
                            List.of(
                                    "knn_top1.png",
                                    "knn_top1_time.png",
                                    "diagnostics_alignment_uniformity.png",
                                    "diagnostics_rankme.png",
                                    "diagnostics_tolerance.png"));
            if (method.equals("simclr")) {
                plots.add("diagnostics_pair_scores.png");
            } else {
                assertFalse(Files.exists(watched.resolve("diagnostics_pair_scores.png")));
            }
            for (String p : plots) {
                assertTrue(Files.isRegularFile(watched.resolve(p)), p);
                assertFalse(Files.exists(plain.resolve(p)), p + " only when asked for");
            }
        }
    }

    @Test
    void observersLeaveNothingOnTheRunManager() throws IOException {
        Recipe recipe = tiny("simclr", MONITORS);
        try (Pretraining.Session s =
                Pretraining.open(recipe, dir.resolve("leak"), Device.cpu(), false, null)) {
            NDManager run = s.manager();
            ImageDataset data = Datasets.open(recipe.data(), recipe.seed(), Datasets.Split.TRAIN);
            MultiCrop crops = Augmentations.multiCrop(recipe.augment());
            KnnObserver knn =
                    new KnnObserver(
                            Pretraining.knnMonitor(recipe, data, crops),
                            chart -> dir.resolve(chart));
            DiagnosticsObserver diagnostics =
                    new DiagnosticsObserver(
                            Pretraining.diagnosticsMonitor(recipe, data, crops),
                            chart -> dir.resolve(chart));
            int afterWarmup = -1;
            for (int i = 0; i < 4; i++) {
                // without the trainer's borrowing of the parameters: stricter than in training
                try (NDManager scope = run.newSubManager()) {
                    assertFalse(
                            knn.afterEpoch(
                                            new EpochObserver.EpochEnd(
                                                    1, 3, 7, 1.0, s.method().backbone(), scope))
                                    .isEmpty());
                    assertFalse(
                            diagnostics
                                    .afterStep(
                                            new StepObserver.StepEnd(0, 0, 1.0, s.method(), scope))
                                    .isEmpty());
                }
                if (i == 0) {
                    afterWarmup = run.getManagedArrays().size();
                    run.cap(); // from here, any stray attachment to the run manager throws
                }
            }
            assertEquals(afterWarmup, run.getManagedArrays().size(), "run manager");
        }
    }

    @Test
    void resumedRunContinuesTheWallClockAndTheMonitorCurve() throws IOException {
        Recipe recipe = tiny("mocov2", MONITORS);
        Path whole = dir.resolve("whole");
        Pretraining.run(recipe, whole, Device.cpu(), false, null);
        Path parts = dir.resolve("parts");
        try (Pretraining.Session s = Pretraining.open(recipe, parts, Device.cpu(), false, null)) {
            s.trainer().requestStopAtIteration(6);
            s.trainer().fit();
        }
        Pretraining.run(recipe, parts, Device.cpu(), true, null);
        assertEquals(stepLosses(whole), stepLosses(parts));
        assertEquals(
                lines(whole, "knn").stream().map(o -> o.get("knn_top1").getAsDouble()).toList(),
                lines(parts, "knn").stream().map(o -> o.get("knn_top1").getAsDouble()).toList());
        assertEquals(
                List.of(1, 2),
                lines(parts, "knn").stream().map(o -> o.get("epoch").getAsInt()).toList());
        assertEquals(
                List.of(0L, 3L, 6L, 9L),
                lines(parts, "diagnostics").stream().map(o -> o.get("step").getAsLong()).toList());
        double previous = 0;
        for (JsonObject o : MetricsLog.read(parts.resolve("metrics.jsonl"))) {
            if (o.get("kind").getAsString().equals("step")) {
                double wall = o.get("wall_seconds").getAsDouble();
                assertTrue(wall >= previous, "wall_seconds continues across the resume: " + o);
                previous = wall;
            }
        }
    }
}
