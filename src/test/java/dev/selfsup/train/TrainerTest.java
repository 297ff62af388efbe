package dev.selfsup.train;

import static dev.selfsup.train.TinyRecipes.stepLosses;
import static dev.selfsup.train.TinyRecipes.tiny;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.Loader;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.method.Method;
import dev.selfsup.run.Augmentations;
import dev.selfsup.run.Datasets;
import dev.selfsup.run.Optimizers;
import dev.selfsup.run.Pretraining;
import dev.selfsup.run.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end runs of the loop on tiny procedural data: files, exact resume, NaN handling. */
class TrainerTest {
    @TempDir Path dir;

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void writesEveryFileOfTheRunFolder() throws IOException {
        Path run = dir.resolve("run");
        Trainer.Result r = Pretraining.run(tiny("simclr"), run, Device.cpu(), false, null);
        assertEquals(12, r.iterations());
        for (String f :
                List.of(
                        "recipe.yaml",
                        "metrics.jsonl",
                        "backbone.safetensors",
                        "loss.png",
                        "lr.png",
                        "images_per_second.png",
                        "checkpoints/latest.ckpt",
                        "checkpoints/epoch_0002.ckpt",
                        "checkpoints/epoch_0003.ckpt")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertEquals(
                Set.of("epoch_0002.ckpt", "epoch_0003.ckpt", "latest.ckpt"),
                files(run.resolve("checkpoints")),
                "every 2 epochs and after the last; temporary files renamed away");
        assertEquals(
                tiny("simclr"),
                RecipeLoader.load(run.resolve("recipe.yaml").toString(), List.of()));
        List<JsonObject> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        JsonObject first = rows.get(0);
        for (String k :
                List.of("loss", "lr", "images_per_second", "step_seconds", "data_wait_seconds")) {
            assertTrue(first.has(k), k + " in " + first);
        }
        assertEquals(
                3, rows.stream().filter(o -> o.get("kind").getAsString().equals("epoch")).count());
        IllegalArgumentException again =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () -> Pretraining.run(tiny("simclr"), run, Device.cpu(), false, null));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
    }

    @Test
    void resumeAfterAnInterruptionRepeatsTheUninterruptedRunExactly() throws IOException {
        for (String method : List.of("mocov2", "swav")) {
            Recipe recipe = tiny(method);
            Path whole = dir.resolve(method + "-whole");
            Pretraining.run(recipe, whole, Device.cpu(), false, null);
            Path parts = dir.resolve(method + "-parts");
            // stop after the 6th step (mid-epoch 2, after the SwAV queue started), as SIGTERM would
            try (Pretraining.Session s =
                    Pretraining.open(recipe, parts, Device.cpu(), false, null)) {
                s.trainer().requestStopAtIteration(6);
                Trainer.Result r = s.trainer().fit();
                assertTrue(r.interrupted());
                assertEquals(6, r.iterations());
            }
            Trainer.Result r = Pretraining.run(recipe, parts, Device.cpu(), true, null);
            assertEquals(12, r.iterations());
            List<Double> a = stepLosses(whole);
            List<Double> b = stepLosses(parts);
            assertEquals(
                    a,
                    b,
                    method + ": resumed losses must equal the uninterrupted run's bit for bit");
        }
    }

    @Test
    void observersSeeTheRunAndASecondFitContinuesIntoTheCallersFiles() throws IOException {
        Recipe recipe = tiny("simclr");
        Path out = dir.resolve("observed");
        List<String> calls = new ArrayList<>();
        EpochObserver epochs =
                new EpochObserver() {
                    @Override
                    public String kind() {
                        return "probe";
                    }

                    @Override
                    public Observation afterEpoch(EpochEnd end) {
                        calls.add(
                                "epoch "
                                        + end.epoch()
                                        + "/"
                                        + end.epochs()
                                        + " step "
                                        + end.step());
                        assertTrue(
                                end.wallSeconds() > 0
                                        && end.backbone() == end.backbone()
                                        && end.scope().isOpen());
                        return end.epoch() == 1
                                ? Observation.none()
                                : new Observation(
                                        java.util.Map.of(
                                                "width", (double) end.backbone().featureDim()),
                                        "");
                    }
                };
        StepObserver steps =
                new StepObserver() {
                    @Override
                    public String kind() {
                        return "every5";
                    }

                    @Override
                    public Observation afterStep(StepEnd end) {
                        return end.step() % 5 == 0
                                ? new Observation(java.util.Map.of("s", (double) end.step()), "")
                                : Observation.none();
                    }

                    @Override
                    public void plot(List<JsonObject> metrics) throws IOException {
                        Plots.lines(
                                out.resolve("charts/every5.png"),
                                "s",
                                "step",
                                List.of(
                                        new Plots.Series(
                                                "s",
                                                Plots.points(metrics, kind(), "step", "s", 1))));
                    }
                };
        ImageDataset data = Datasets.open(recipe.data(), recipe.seed(), Datasets.Split.TRAIN);
        Trainer.Result stopped;
        Trainer.Result finished;
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                Loader loader =
                        Loader.builder()
                                .setDataset(data)
                                .setTransform(Augmentations.multiCrop(recipe.augment()))
                                .setBatchSize(8)
                                .optSeed(recipe.seed())
                                .build()) {
            SelfsupEngine.seed(recipe.seed());
            Method method = Pretraining.method(recipe, manager, 16);
            Trainer trainer =
                    Trainer.builder()
                            .setMethod(method)
                            .setLoader(loader)
                            .setManager(manager)
                            .setCheckpoint(out.resolve("state/last.ckpt"))
                            .setOptimizer(Optimizers.optimizer(recipe, method, manager, 4))
                            .optEpochs(3)
                            .optEpochCheckpoints(2, n -> out.resolve("state/after-" + n + ".ckpt"))
                            .optMetrics(out.resolve("log/m.jsonl"))
                            .optPlots(chart -> out.resolve("charts/" + chart + ".png"))
                            .optExportBackbone(out.resolve("weights/b.safetensors"))
                            .optProgress(Progress.none())
                            .addEpochObserver(epochs)
                            .addStepObserver(steps)
                            .build();
            trainer.requestStopAtIteration(6);
            stopped = trainer.fit();
            finished = trainer.fit(); // the same trainer continues from where it stopped
        }
        assertTrue(
                stopped.interrupted()
                        && stopped.iterations() == 6
                        && stopped.epochsCompleted() == 1,
                stopped.toString());
        assertTrue(
                !finished.interrupted()
                        && finished.iterations() == 12
                        && finished.epochsCompleted() == 3,
                finished.toString());
        assertEquals(out.resolve("state/last.ckpt"), finished.checkpoint());
        assertEquals(
                Set.of(
                        "state/last.ckpt",
                        "state/after-2.ckpt",
                        "state/after-3.ckpt",
                        "log/m.jsonl",
                        "charts/loss.png",
                        "charts/lr.png",
                        "charts/images_per_second.png",
                        "charts/every5.png",
                        "weights/b.safetensors"),
                files(out),
                "the files the caller named, and no others");
        assertEquals(List.of("epoch 0/3 step 3", "epoch 1/3 step 7", "epoch 2/3 step 11"), calls);
        List<JsonObject> rows = MetricsLog.read(out.resolve("log/m.jsonl"));
        assertEquals(
                java.util.stream.LongStream.range(0, 12).boxed().toList(),
                rows.stream()
                        .filter(o -> o.get("kind").getAsString().equals("step"))
                        .map(o -> o.get("step").getAsLong())
                        .toList(),
                "every step logged once, in order, across the two fits");
        assertEquals(
                List.of(0, 2),
                rows.stream()
                        .filter(o -> o.get("kind").getAsString().equals("probe"))
                        .map(o -> o.get("epoch").getAsInt())
                        .toList(),
                "an empty observation logs nothing");
        assertEquals(
                List.of(0L, 5L, 10L),
                rows.stream()
                        .filter(o -> o.get("kind").getAsString().equals("every5"))
                        .map(o -> o.get("step").getAsLong())
                        .toList());
        JsonObject probe =
                rows.stream()
                        .filter(o -> o.get("kind").getAsString().equals("probe"))
                        .findFirst()
                        .orElseThrow();
        for (String k : List.of("epoch", "step", "wall_seconds", "seconds", "width")) {
            assertTrue(probe.has(k), k + " in " + probe);
        }
    }

    @Test
    void itersPerEpochCapsTheLoadersBatchesAndDividesByTheAccumulation() {
        try (Loader loader =
                Loader.builder()
                        .setDataset(new SyntheticShapes(40, 4, 20, 20, 1))
                        .setTransform(MultiCrop.evaluationResize(16))
                        .setBatchSize(8)
                        .build()) {
            assertEquals(5, loader.batchesPerEpoch());
            assertEquals(5, Trainer.itersPerEpoch(loader, 0, 1), "0 = the whole dataset");
            assertEquals(3, Trainer.itersPerEpoch(loader, 3, 1));
            assertEquals(
                    5,
                    Trainer.itersPerEpoch(loader, 99, 1),
                    "a cap above the dataset changes nothing");
            assertEquals(2, Trainer.itersPerEpoch(loader, 0, 2), "5 batches make 2 steps of 2");
            assertEquals(1, Trainer.itersPerEpoch(loader, 3, 2));
        }
    }

    /** Every regular file below a folder, relative to it, with '/' separators. */
    private static Set<String> files(Path root) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void nanLossStopsBeforeTheUpdateAndKeepsTheLastCheckpoint() throws IOException {
        Path run = dir.resolve("nan");
        Recipe recipe = tiny("simclr", "optimizer: {name: sgd, base_lr: 1.0e30, lr_scaling: none}");
        NonFiniteLossException e =
                assertThrows(
                        NonFiniteLossException.class,
                        () -> Pretraining.run(recipe, run, Device.cpu(), false, null));
        assertTrue(e.getMessage().contains("iteration " + e.iteration()), e.getMessage());
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        Path latest = RunFolder.of(run).latestCheckpoint();
        if (e.iteration() >= 4) {
            assertTrue(e.getMessage().contains(latest.toString()), e.getMessage());
            try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
                assertTrue(
                        Checkpoint.read(latest, m).metadata().get("iteration").getAsLong()
                                <= e.iteration());
            }
        } else {
            assertTrue(e.getMessage().contains("none yet"), e.getMessage());
        }
    }
}
