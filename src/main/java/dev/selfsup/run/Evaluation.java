package dev.selfsup.run;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.config.DataSettings.DatasetKind;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.eval.AugmentedLinearProbe;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.FeatureCache;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.LinearProbe;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.ProbeResult;
import dev.selfsup.eval.Results;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the evaluation commands ({@code linear-probe}, {@code knn}, {@code transfer}) share once
 * their options are parsed: the transforms, feature extraction through the on-disk cache, and
 * writing {@code results.json} with a printed table. The model and the data come from {@link
 * EvalModel} and {@link EvalData}.
 */
public final class Evaluation {
    /**
     * How features are extracted and where results go.
     *
     * @param kind the dataset kind (resize + centre crop for image folders, plain resize otherwise)
     * @param size input side
     * @param workers image decoding threads, {@code >= 1}
     * @param extractBatch images per forward pass, {@code >= 1}
     * @param cache whether features are read from and written to {@code cacheDir}
     * @param cacheDir the feature cache (e.g. {@link RunFolder#featureCacheDir()} of {@code
     *     outDir})
     * @param outDir where {@code results.json} goes ({@link RunFolder#resultsFile()})
     */
    public record Settings(
            DatasetKind kind,
            int size,
            int workers,
            int extractBatch,
            boolean cache,
            Path cacheDir,
            Path outDir) {
        /**
         * Validates the values.
         *
         * @param kind the dataset kind
         * @param size input side
         * @param workers image decoding threads, {@code >= 1}
         * @param extractBatch images per forward pass, {@code >= 1}
         * @param cache whether features are read from and written to {@code cacheDir}
         * @param cacheDir the feature cache
         * @param outDir where {@code results.json} goes
         */
        public Settings {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(cacheDir, "cacheDir");
            Objects.requireNonNull(outDir, "outDir");
            checkArgument(size >= 1, "the input side must be >= 1, got %s", size);
            checkArgument(workers >= 1, "--workers must be >= 1, got %s", workers);
            checkArgument(extractBatch >= 1, "--extract-batch must be >= 1, got %s", extractBatch);
        }
    }

    private final Settings settings;

    /**
     * An evaluation with the given settings.
     *
     * @param settings the settings
     */
    public Evaluation(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The usual input side of a dataset kind: 224 for image folders, 32 for Fashion-MNIST.
     *
     * @param kind the dataset kind
     * @return the side in pixels
     */
    public static int defaultSize(DatasetKind kind) {
        return kind == DatasetKind.IMAGE_FOLDER ? 224 : 32;
    }

    /**
     * The settings.
     *
     * @return them
     */
    public Settings settings() {
        return settings;
    }

    /**
     * The deterministic transform features are extracted with, ImageNet normalisation ({@link
     * Augmentations#evaluation(DatasetKind, int, Normalize)}).
     *
     * @return a one-crop transform
     */
    public MultiCrop transform() {
        return Augmentations.evaluation(settings.kind(), settings.size(), Normalize.IMAGENET);
    }

    /**
     * The training transform of the augmented probe and of fine-tuning: RandomResizedCrop (0.08, 1)
     * + flip.
     *
     * @return a one-crop transform
     */
    public MultiCrop trainingTransform() {
        return MultiCrop.linearProbe(settings.size());
    }

    /**
     * A deterministic source of a split's images; close it.
     *
     * @param images the split
     * @return the source
     */
    public DatasetFeatureSource source(ImageDataset images) {
        return DatasetFeatureSource.builder(images)
                .setTransform(transform())
                .optBatchSize(settings.extractBatch())
                .optThreads(settings.workers())
                .build();
    }

    /**
     * The features of a split, through the cache unless it is off.
     *
     * @param block the frozen extractor
     * @param images the split
     * @param manager where the features go
     * @return the features
     * @throws IOException if the cache cannot be read or written
     */
    public Features features(Block block, ImageDataset images, NDManager manager)
            throws IOException {
        try (DatasetFeatureSource source = source(images)) {
            if (!settings.cache()) {
                return FeatureExtractor.extract(block, source, settings.extractBatch(), manager);
            }
            return new FeatureCache(settings.cacheDir())
                    .extract(block, source, settings.extractBatch(), manager);
        }
    }

    /**
     * Trains a linear probe on the model's frozen features and scores it on the test images: on
     * cached training features, or with {@code augment} on crops drawn every epoch.
     *
     * @param model the frozen model
     * @param data the training and test images
     * @param protocol the probe's schedule and hyper-parameters
     * @param augment train on augmented crops instead of cached features
     * @param seed the probe's seed
     * @param manager home of the features
     * @return the record, with the transforms behind its numbers
     * @throws IOException if the feature cache cannot be read or written
     */
    public Results linearProbe(
            EvalModel model,
            EvalData data,
            ProbeProtocol protocol,
            boolean augment,
            long seed,
            NDManager manager)
            throws IOException {
        ProbeResult r;
        try (Features test = features(model.block(), data.test(), manager)) {
            if (augment) {
                r =
                        AugmentedLinearProbe.train(
                                model.block(),
                                data.train(),
                                trainingTransform(),
                                test,
                                data.numClasses(),
                                protocol,
                                seed,
                                settings.workers());
            } else {
                try (Features train = features(model.block(), data.train(), manager)) {
                    r =
                            LinearProbe.train(
                                    train.features(),
                                    train.labels(),
                                    test.features(),
                                    test.labels(),
                                    data.numClasses(),
                                    protocol,
                                    seed);
                }
            }
        }
        return Results.linearProbe(r, data.record(), model.weights())
                .withProtocolEntries(probeTransforms(augment));
    }

    /** The transforms behind a linear probe's numbers, for results.json. */
    private Map<String, Object> probeTransforms(boolean augment) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put(
                "train_features",
                augment ? "online, frozen backbone in eval mode" : "cached (extracted once)");
        t.put(
                "train_transform",
                (augment ? trainingTransform() : transform()).groups().get(0).toString());
        t.put("test_transform", transform().groups().get(0).toString());
        return t;
    }

    /**
     * Writes results.json (one object, or an array for several) into the output folder and prints a
     * small table.
     *
     * @param results the records
     * @param model what was evaluated (its readout goes into every record's protocol)
     * @param data the data, whose split every record gets
     * @param out where the table is printed
     * @return the file written
     * @throws IOException if it cannot be written
     */
    public Path write(List<Results> results, EvalModel model, EvalData data, PrintStream out)
            throws IOException {
        results =
                results.stream()
                        .map(
                                r ->
                                        r.withSplit(data.split())
                                                .withProtocolEntries(model.protocolEntries()))
                        .toList();
        Path file = RunFolder.of(settings.outDir()).resultsFile();
        if (results.size() == 1) {
            results.get(0).write(file);
        } else {
            Results.writeAll(file, results);
        }
        out.println(model.description() + " on " + results.get(0).dataset().name());
        if (data.split().evaluatedOn().equals("validation")) {
            out.println(
                    "numbers below are on the validation split ("
                            + data.test().size()
                            + " held-out training images), not the test split");
        }
        out.printf(
                "%-15s %-22s %8s %8s %14s%n",
                "metric", "protocol", "top-1", "top-5", "best (epoch)");
        for (Results r : results) {
            String protocol = r.protocol().name();
            if (r.protocol().hyperParameters().containsKey("k")) {
                protocol += " k=" + r.protocol().hyperParameters().get("k");
            }
            String best =
                    r.bestTop1() == null
                            ? "-"
                            : String.format("%.2f (%d)", r.bestTop1(), r.bestEpoch());
            out.printf(
                    "%-15s %-22s %8.2f %8.2f %14s%n",
                    r.metric(), protocol, r.top1(), r.top5(), best);
        }
        out.println("results: " + file.toAbsolutePath().normalize());
        return file;
    }
}
