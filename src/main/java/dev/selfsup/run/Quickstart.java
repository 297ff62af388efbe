package dev.selfsup.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.selfsup.augment.Normalize;
import dev.selfsup.config.Recipe;
import dev.selfsup.data.IdxDataset;
import dev.selfsup.engine.Precision;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.FeatureSource;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.IdxFeatureSource;
import dev.selfsup.eval.Knn;
import dev.selfsup.eval.LinearProbe;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.ProbeResult;
import dev.selfsup.eval.RawPixels;
import dev.selfsup.eval.Readout;
import dev.selfsup.model.Backbone;
import dev.selfsup.optim.LrSchedule;
import dev.selfsup.train.Progress;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The quickstart: pretrain a recipe on the embedded Fashion-MNIST subset, then compare weighted kNN
 * and a linear probe on the embedded test split for the pretrained backbone, the same backbone
 * randomly initialised (same seed, no training) and raw pixels. Writes {@code quickstart.json}.
 */
public final class Quickstart {
    private Quickstart() {}

    /** One row of the table: top-1 accuracies in percent. */
    public record Row(double knnTop1, double linearTop1) {}

    /** The outcome: the three rows, timings and sizes. */
    public record Result(
            Row rawPixels,
            Row randomInit,
            Row pretrained,
            double seconds,
            double pretrainSeconds,
            int trainImages,
            int testImages) {}

    /**
     * Runs the quickstart.
     *
     * @param recipe a recipe on {@code fashion_mnist_embedded}
     * @param out the output folder ({@code out/pretrain} is the run folder)
     * @param device the device
     * @param progress training progress, or null
     * @param log where the table is printed
     * @return the result (also written to {@code out/quickstart.json})
     * @throws IOException if files cannot be written
     */
    public static Result run(
            Recipe recipe, Path out, Device device, Progress progress, PrintStream log)
            throws IOException {
        if (recipe.data().dataset()
                != dev.selfsup.config.DataSettings.DatasetKind.FASHION_MNIST_EMBEDDED) {
            throw new IllegalArgumentException(
                    "the quickstart evaluates on the embedded Fashion-MNIST test split;"
                            + " data.dataset must be fashion_mnist_embedded, got "
                            + recipe.data().dataset());
        }
        long start = System.nanoTime();
        Files.createDirectories(out);
        // a rerun into the same folder keeps the earlier run: pretrain, pretrain-2, …
        Path runDir = out.resolve("pretrain");
        for (int n = 2; Files.exists(runDir); n++) {
            runDir = out.resolve("pretrain-" + n);
        }
        Trainer.Result trained = Pretraining.run(recipe, runDir, device, false, progress);
        double pretrainSeconds = (System.nanoTime() - start) / 1e9;
        IdxDataset train = IdxDataset.embeddedFashionMnist(true);
        IdxDataset test = IdxDataset.embeddedFashionMnist(false);
        int size = recipe.augment().crops().get(0).size();
        Normalize norm = Augmentations.normalize(recipe.augment());
        Row raw;
        Row random;
        Row pretrained;
        try (NDManager manager = NDManager.newBaseManager(device)) {
            FeatureSource rawTrain = IdxFeatureSource.builder(train).optChannels(1).build();
            FeatureSource rawTest = IdxFeatureSource.builder(test).optChannels(1).build();
            raw = evaluate(new RawPixels(), rawTrain, rawTest, recipe, manager);
            FeatureSource trainSrc = source(train, size, norm);
            FeatureSource testSrc = source(test, size, norm);
            SelfsupEngine.seed(recipe.seed());
            Backbone init = Pretraining.backbone(recipe.model());
            init.initialize(
                    manager, Precision.DEFAULT.parameterType(), new Shape(1, 3, size, size));
            random = evaluate(init, trainSrc, testSrc, recipe, manager);
            Backbone learned = RunFolder.of(runDir).loadBackbone(manager, size);
            pretrained = evaluate(learned, trainSrc, testSrc, recipe, manager);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Result r =
                new Result(
                        raw,
                        random,
                        pretrained,
                        seconds,
                        pretrainSeconds,
                        train.size(),
                        test.size());
        write(r, recipe, trained, runDir.getFileName().toString(), resultFile(out));
        print(r, recipe, log);
        return r;
    }

    /**
     * Where {@link #run} writes its table.
     *
     * @param out the output folder
     * @return {@code out/quickstart.json}
     */
    public static Path resultFile(Path out) {
        return out.resolve("quickstart.json");
    }

    private static FeatureSource source(IdxDataset d, int size, Normalize norm) {
        IdxFeatureSource.Builder b =
                IdxFeatureSource.builder(d).optChannels(3).optNormalize(norm.mean(), norm.std());
        if (size != d.height()) {
            b.optResize(size);
        }
        return b.build();
    }

    private static Row evaluate(
            Block block,
            FeatureSource trainSrc,
            FeatureSource testSrc,
            Recipe recipe,
            NDManager manager) {
        Block extractor =
                block instanceof Backbone b ? Readout.of(b, recipe.eval().readoutGrid()) : block;
        try (NDManager scope = manager.newSubManager();
                Features tr = FeatureExtractor.extract(extractor, trainSrc, 500, scope);
                Features te = FeatureExtractor.extract(extractor, testSrc, 500, scope)) {
            int k = recipe.eval().knnK().get(0);
            List<Knn.Score> knn =
                    Knn.evaluate(
                            tr.features(),
                            tr.labels(),
                            te.features(),
                            te.labels(),
                            new int[] {k},
                            recipe.eval().knnTemperature(),
                            10);
            ProbeProtocol protocol =
                    ProbeProtocol.custom(
                                    recipe.eval().probeLr(),
                                    recipe.eval().probeEpochs(),
                                    recipe.eval().probeWeightDecay(),
                                    LrSchedule.cosine(0),
                                    recipe.eval().probeBatchSize())
                            .withEvalEveryEpochs(recipe.eval().probeEpochs())
                            .withBatchNorm(recipe.eval().probeBatchNorm());
            ProbeResult probe =
                    LinearProbe.train(
                            tr.features(),
                            tr.labels(),
                            te.features(),
                            te.labels(),
                            10,
                            protocol,
                            recipe.seed());
            return new Row(knn.get(0).top1(), probe.lastTop1());
        }
    }

    private static void write(
            Result r, Recipe recipe, Trainer.Result trained, String runDirName, Path file)
            throws IOException {
        JsonObject o = new JsonObject();
        o.add("raw_pixels", row(r.rawPixels()));
        o.add("random_init", row(r.randomInit()));
        o.add("pretrained", row(r.pretrained()));
        o.addProperty("seconds", r.seconds());
        o.addProperty("pretrain_seconds", r.pretrainSeconds());
        o.addProperty("train_images", r.trainImages());
        o.addProperty("test_images", r.testImages());
        o.addProperty("recipe", recipe.name());
        o.addProperty("run_folder", runDirName);
        o.addProperty("backbone", recipe.model().backbone());
        o.addProperty("epochs", recipe.train().epochs());
        o.addProperty("pretrain_iterations", trained.iterations());
        o.addProperty("final_loss", trained.lastLoss());
        o.addProperty("knn_k", recipe.eval().knnK().get(0));
        o.addProperty("probe_epochs", recipe.eval().probeEpochs());
        o.addProperty("probe_batch_norm", recipe.eval().probeBatchNorm());
        o.addProperty("readout_grid", recipe.eval().readoutGrid());
        o.addProperty("seed", recipe.seed());
        Files.writeString(
                file,
                new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n",
                StandardCharsets.UTF_8);
    }

    private static JsonObject row(Row row) {
        JsonObject o = new JsonObject();
        o.addProperty("knn_top1", row.knnTop1());
        o.addProperty("linear_top1", row.linearTop1());
        return o;
    }

    private static void print(Result r, Recipe recipe, PrintStream log) {
        log.printf(
                Locale.ROOT,
                "%nFashion-MNIST (embedded: %d train / %d test), %s, %d epochs of %s%n",
                r.trainImages(),
                r.testImages(),
                recipe.model().backbone(),
                recipe.train().epochs(),
                recipe.methodName());
        if (recipe.eval().readoutGrid() > 1) {
            log.printf(
                    Locale.ROOT,
                    "backbone features: last feature map average-pooled to %dx%d%n",
                    recipe.eval().readoutGrid(),
                    recipe.eval().readoutGrid());
        }
        log.printf(Locale.ROOT, "%-14s %12s %14s%n", "features", "kNN top-1 %", "linear top-1 %");
        Map<String, Row> rows = new LinkedHashMap<>();
        rows.put("raw pixels", r.rawPixels());
        rows.put("random init", r.randomInit());
        rows.put("pretrained", r.pretrained());
        rows.forEach(
                (name, row) ->
                        log.printf(
                                Locale.ROOT,
                                "%-14s %12.2f %14.2f%n",
                                name,
                                row.knnTop1(),
                                row.linearTop1()));
        log.printf(
                Locale.ROOT,
                "total %.0f s (pretraining %.0f s)%n",
                r.seconds(),
                r.pretrainSeconds());
    }
}
