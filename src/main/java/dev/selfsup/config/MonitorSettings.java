package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

/**
 * The {@code monitor:} section: a weighted-kNN accuracy measured during pretraining (as lightly's
 * and solo-learn's kNN callbacks do), on a seeded validation split of the training images, never on
 * the test split. The memory bank is the rest of the training split.
 *
 * @param everyEpochs evaluate every N epochs and after the last; 0 = off
 * @param valFraction share of the training images held out as kNN queries, in (0, 1)
 * @param valSeed seed of the validation split ({@code data.ValidationSplit})
 * @param knnK neighbours of the weighted vote (20)
 * @param knnTemperature vote temperature (0.07)
 * @param readoutGrid features = the last feature map average-pooled to grid × grid (1 = global)
 * @param maxBank at most this many memory-bank images (a seeded subset, the same at every
 *     evaluation); 0 = the whole rest of the training split
 * @param extractBatch images per forward pass when extracting features
 */
public record MonitorSettings(
        int everyEpochs,
        double valFraction,
        long valSeed,
        int knnK,
        double knnTemperature,
        int readoutGrid,
        int maxBank,
        int extractBatch) {
    /**
     * Validates ranges.
     *
     * @param everyEpochs evaluate every N epochs and after the last; 0 = off
     * @param valFraction share of the training images held out as kNN queries, in (0, 1)
     * @param valSeed seed of the validation split ({@code data.ValidationSplit})
     * @param knnK neighbours of the weighted vote (20)
     * @param knnTemperature vote temperature (0.07)
     * @param readoutGrid features = the last feature map average-pooled to grid × grid (1 = global)
     * @param maxBank at most this many memory-bank images; 0 = the whole rest of the training split
     * @param extractBatch images per forward pass when extracting features
     */
    public MonitorSettings {
        require(everyEpochs >= 0, "monitor.every_epochs", everyEpochs, ">= 0 (0 = off)");
        require(
                valFraction > 0 && valFraction < 1,
                "monitor.val_fraction",
                valFraction,
                "in (0, 1): the share of the training images held out (the test split is never used)");
        require(knnK >= 1, "monitor.knn_k", knnK, ">= 1");
        require(knnTemperature > 0, "monitor.knn_temperature", knnTemperature, "> 0");
        require(
                readoutGrid >= 1,
                "monitor.readout_grid",
                readoutGrid,
                ">= 1 (1 = global average pool)");
        require(maxBank >= 0, "monitor.max_bank", maxBank, ">= 0 (0 = the whole memory bank)");
        require(extractBatch >= 1, "monitor.extract_batch", extractBatch, ">= 1");
    }

    /**
     * Whether the monitor runs.
     *
     * @return {@code everyEpochs > 0}
     */
    public boolean enabled() {
        return everyEpochs > 0;
    }

    /**
     * Off; when on: 10 % validation split with seed 0, k 20, T 0.07, global pooling, whole bank.
     *
     * @return the defaults
     */
    public static MonitorSettings defaults() {
        return new MonitorSettings(0, 0.1, 0, 20, 0.07, 1, 0, 256);
    }
}
