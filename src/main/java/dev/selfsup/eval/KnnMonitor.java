package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.train.EpochObserver;
import dev.selfsup.train.Observation;
import dev.selfsup.train.Plots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Weighted-kNN top-1 of the backbone during pretraining, every N epochs and after the last (the
 * online monitor lightly's and solo-learn's kNN callbacks provide): features of a labelled memory
 * bank and of labelled queries are extracted with the backbone in eval mode and autograd off
 * ({@link FeatureExtractor}), and the queries are classified by {@link Knn} (k 20, T 0.07 by
 * default). Use a validation split of the training images ({@code data.ValidationSplit}): the
 * rest of the split is the bank, the held-out images the queries; the test split stays unseen.
 *
 * <p>Each evaluation writes a {@code metrics.jsonl} line of kind {@code knn} with {@code
 * knn_top1} and {@code knn_top5} in percent (the trainer adds {@code epoch}, {@code step}, {@code
 * wall_seconds} and this evaluation's {@code seconds}), prints the accuracy in the progress
 * output and draws {@code knn_top1.png} (against epochs) and {@code knn_top1_time.png} (against
 * training minutes). It reads the parameters only, so training runs the same with or without it.
 *
 * <pre>{@code
 * ValidationSplit split = ValidationSplit.of(trainImages, 0.1, 0);
 * Trainer trainer = Trainer.builder() ...
 *         .addEpochObserver(KnnMonitor.builder()
 *                 .setData(split.train(), split.validation())
 *                 .setTransform(MultiCrop.evaluationResize(28))
 *                 .setEveryEpochs(5)
 *                 .build())
 *         .build();
 * }</pre>
 */
public final class KnnMonitor implements EpochObserver {
    private final DatasetFeatureSource bank;
    private final DatasetFeatureSource queries;
    private final int numClasses;
    private final int everyEpochs;
    private final int k;
    private final double temperature;
    private final int readoutGrid;
    private final int extractBatch;

    private KnnMonitor(Builder b) {
        this.bank = DatasetFeatureSource.builder(b.bank).setTransform(b.transform).optBatchSize(b.extractBatch)
                .optThreads(b.threads).optSubset("knn monitor bank").build();
        this.queries = DatasetFeatureSource.builder(b.queries).setTransform(b.transform).optBatchSize(b.extractBatch)
                .optThreads(b.threads).optSubset("knn monitor queries").build();
        this.numClasses = Math.max(b.bank.numClasses(), b.queries.numClasses());
        this.everyEpochs = b.everyEpochs;
        this.k = b.k;
        this.temperature = b.temperature;
        this.readoutGrid = b.readoutGrid;
        this.extractBatch = b.extractBatch;
    }

    /**
     * A builder; data, transform and interval are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String kind() {
        return "knn";
    }

    /**
     * Whether an epoch is evaluated: every {@code everyEpochs}-th and the last.
     *
     * @param epoch the finished epoch, from 0
     * @param epochs the run's epoch count
     * @return true on evaluation epochs
     */
    public boolean evaluates(int epoch, int epochs) {
        return (epoch + 1) % everyEpochs == 0 || epoch + 1 == epochs;
    }

    @Override
    public Observation afterEpoch(EpochEnd end) throws IOException {
        if (!evaluates(end.epoch(), end.epochs())) {
            return Observation.none();
        }
        long t0 = System.nanoTime();
        Block block = Readout.of(end.backbone(), readoutGrid);
        Knn.Score score;
        try (Features b = FeatureExtractor.extract(block, bank, extractBatch, end.scope());
                Features q = FeatureExtractor.extract(block, queries, extractBatch, end.scope())) {
            score = Knn.evaluate(b.features(), b.labels(), q.features(), q.labels(), new int[] {k}, temperature,
                    numClasses).get(0);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            bank.close(); // stop the loader threads until the next evaluation
            queries.close();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("knn_top1", score.top1());
        values.put("knn_top5", score.top5());
        String message = String.format(Locale.ROOT,
                "epoch %d/%d: kNN top-1 %.2f %% (k %d, T %s; %d validation / %d bank images; %.1f s)",
                end.epoch() + 1, end.epochs(), score.top1(), k, temperature, queries.size(), bank.size(),
                (System.nanoTime() - t0) / 1e9);
        return new Observation(values, message);
    }

    @Override
    public void plot(List<JsonObject> metrics, Path dir) throws IOException {
        List<double[]> byEpoch = Plots.points(metrics, kind(), "epoch", "knn_top1", 1);
        byEpoch.forEach(p -> p[0] += 1); // epochs completed, not the 0-based index
        Plots.lines(dir.resolve("knn_top1.png"), "kNN top-1 % (validation split)", "epoch",
                List.of(new Plots.Series("kNN top-1", byEpoch)));
        Plots.lines(dir.resolve("knn_top1_time.png"), "kNN top-1 % (validation split)",
                "training minutes (monitor time excluded)",
                List.of(new Plots.Series("kNN top-1", Plots.points(metrics, kind(), "wall_seconds", "knn_top1", 1 / 60.0))));
    }

    /** Builder of a {@link KnnMonitor}. */
    public static final class Builder {
        private ImageDataset bank;
        private ImageDataset queries;
        private MultiCrop transform;
        private int everyEpochs;
        private int k = Knn.DEFAULT_K;
        private double temperature = Knn.DEFAULT_TEMPERATURE;
        private int readoutGrid = 1;
        private int extractBatch = 256;
        private int threads = 2;

        private Builder() {}

        /**
         * Sets the labelled memory bank and queries (required), e.g. the two parts of a {@code
         * ValidationSplit} of the training images.
         *
         * @param memoryBank images whose features vote
         * @param validation images classified by the vote
         * @return this
         */
        public Builder setData(ImageDataset memoryBank, ImageDataset validation) {
            bank = memoryBank;
            queries = validation;
            return this;
        }

        /**
         * Sets the deterministic evaluation transform (required), e.g. {@link
         * MultiCrop#evaluationResize(int)} with the training normalisation.
         *
         * @param value a one-crop transform without random ops
         * @return this
         */
        public Builder setTransform(MultiCrop value) {
            transform = value;
            return this;
        }

        /**
         * Evaluates every N epochs and after the last (required).
         *
         * @param n epochs, {@code >= 1}
         * @return this
         */
        public Builder setEveryEpochs(int n) {
            everyEpochs = n;
            return this;
        }

        /**
         * Sets the number of neighbours; default {@value Knn#DEFAULT_K}.
         *
         * @param value k, in [1, bank size]
         * @return this
         */
        public Builder optK(int value) {
            k = value;
            return this;
        }

        /**
         * Sets the vote temperature; default 0.07.
         *
         * @param value T, {@code > 0}
         * @return this
         */
        public Builder optTemperature(double value) {
            temperature = value;
            return this;
        }

        /**
         * Pools the last feature map to grid × grid ({@link Readout}); default 1, the backbone's own
         * global average pool.
         *
         * @param value grid side, {@code >= 1}
         * @return this
         */
        public Builder optReadoutGrid(int value) {
            readoutGrid = value;
            return this;
        }

        /**
         * Images per forward pass; default 256.
         *
         * @param value {@code >= 1}
         * @return this
         */
        public Builder optExtractBatch(int value) {
            extractBatch = value;
            return this;
        }

        /**
         * Image decoding threads while evaluating; default 2.
         *
         * @param value {@code >= 1}
         * @return this
         */
        public Builder optThreads(int value) {
            threads = value;
            return this;
        }

        /**
         * Checks the settings and reads every label.
         *
         * @return the monitor
         * @throws IllegalArgumentException if a setting is missing or out of range, or the data is
         *     unlabelled
         */
        public KnnMonitor build() {
            checkArgument(bank != null && queries != null, "setData(memoryBank, validation) is required");
            checkArgument(transform != null, "setTransform is required, e.g. MultiCrop.evaluationResize(28)");
            checkArgument(everyEpochs >= 1, "setEveryEpochs is required and must be >= 1, got %s", everyEpochs);
            checkArgument(bank.numClasses() > 0 && queries.numClasses() > 0,
                    "the kNN monitor needs labelled images; %s has %s classes", bank.name(), bank.numClasses());
            checkArgument(k >= 1 && k <= bank.size(), "k must be in [1, %s] (the memory bank's size), got %s",
                    bank.size(), k);
            checkArgument(temperature > 0, "temperature must be > 0, got %s", temperature);
            checkArgument(readoutGrid >= 1, "readout grid must be >= 1, got %s", readoutGrid);
            checkArgument(extractBatch >= 1, "extract batch must be >= 1, got %s", extractBatch);
            checkArgument(threads >= 1, "threads must be >= 1, got %s", threads);
            return new KnnMonitor(this);
        }
    }
}
