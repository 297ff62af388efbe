package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.model.Backbone;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Weighted-kNN top-1 of the backbone during pretraining, every N epochs and after the last (the
 * online monitor lightly's and solo-learn's kNN callbacks provide): features of a labelled memory
 * bank and of labelled queries are extracted with the backbone in eval mode and autograd off
 * ({@link FeatureExtractor}), and the queries are classified by {@link Knn} (k 20, T 0.07 by
 * default). Use a validation split of the training images ({@code data.ValidationSplit}): the rest
 * of the split is the bank, the held-out images the queries; the test split stays unseen.
 *
 * <p>It reads the parameters only, so training runs the same with or without it. The trainer's hook
 * around it ({@code run.KnnObserver}) logs {@code knn_top1} and {@code knn_top5} and draws the
 * curves.
 *
 * <pre>{@code
 * ValidationSplit split = ValidationSplit.of(trainImages, 0.1, 0);
 * KnnMonitor monitor = KnnMonitor.builder()
 *         .setData(split.train(), split.validation())
 *         .setTransform(MultiCrop.evaluationResize(28))
 *         .setEveryEpochs(5)
 *         .build();
 * if (monitor.evaluates(epoch, epochs)) {
 *     Knn.Score score = monitor.evaluate(backbone, scope);
 * }
 * }</pre>
 */
public final class KnnMonitor {
    private final DatasetFeatureSource bank;
    private final DatasetFeatureSource queries;
    private final int numClasses;
    private final int everyEpochs;
    private final int k;
    private final double temperature;
    private final int readoutGrid;
    private final int extractBatch;

    private KnnMonitor(Builder b) {
        this.bank =
                DatasetFeatureSource.builder(b.bank)
                        .setTransform(b.transform)
                        .optBatchSize(b.extractBatch)
                        .optThreads(b.threads)
                        .optSubset("knn monitor bank")
                        .build();
        this.queries =
                DatasetFeatureSource.builder(b.queries)
                        .setTransform(b.transform)
                        .optBatchSize(b.extractBatch)
                        .optThreads(b.threads)
                        .optSubset("knn monitor queries")
                        .build();
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

    /**
     * Extracts the bank's and the queries' features with the backbone (eval mode, autograd off) and
     * classifies the queries by a weighted vote of their k nearest bank images.
     *
     * @param backbone the backbone (read, not trained)
     * @param scope a manager for the features and temporaries, e.g. a sub-manager on the training
     *     device; the caller closes it
     * @return top-1 and top-5 accuracy of the queries, in percent
     * @throws IOException if an image cannot be read
     */
    public Knn.Score evaluate(Backbone backbone, NDManager scope) throws IOException {
        Block block = Readout.of(backbone, readoutGrid);
        try (Features b = FeatureExtractor.extract(block, bank, extractBatch, scope);
                Features q = FeatureExtractor.extract(block, queries, extractBatch, scope)) {
            return Knn.evaluate(
                            b.features(),
                            b.labels(),
                            q.features(),
                            q.labels(),
                            new int[] {k},
                            temperature,
                            numClasses)
                    .get(0);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            bank.close(); // stop the loader threads until the next evaluation
            queries.close();
        }
    }

    /**
     * Describes a score with the settings behind it, for progress output.
     *
     * @param score a score of {@link #evaluate}
     * @return e.g. {@code kNN top-1 41.20 % (k 20, T 0.07; 600 validation / 5400 bank images)}
     */
    public String describe(Knn.Score score) {
        return String.format(
                Locale.ROOT,
                "kNN top-1 %.2f %% (k %d, T %s; %d validation / %d bank images)",
                score.top1(),
                k,
                temperature,
                queries.size(),
                bank.size());
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
         * Pools the last feature map to grid × grid ({@link Readout}); default 1, the backbone's
         * own global average pool.
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
            checkArgument(
                    bank != null && queries != null, "setData(memoryBank, validation) is required");
            checkArgument(
                    transform != null,
                    "setTransform is required, e.g. MultiCrop.evaluationResize(28)");
            checkArgument(
                    everyEpochs >= 1,
                    "setEveryEpochs is required and must be >= 1, got %s",
                    everyEpochs);
            checkArgument(
                    bank.numClasses() > 0 && queries.numClasses() > 0,
                    "the kNN monitor needs labelled images; %s has %s classes",
                    bank.name(),
                    bank.numClasses());
            checkArgument(
                    k >= 1 && k <= bank.size(),
                    "k must be in [1, %s] (the memory bank's size), got %s",
                    bank.size(),
                    k);
            checkArgument(temperature > 0, "temperature must be > 0, got %s", temperature);
            checkArgument(readoutGrid >= 1, "readout grid must be >= 1, got %s", readoutGrid);
            checkArgument(extractBatch >= 1, "extract batch must be >= 1, got %s", extractBatch);
            checkArgument(threads >= 1, "threads must be >= 1, got %s", threads);
            return new KnnMonitor(this);
        }
    }
}
