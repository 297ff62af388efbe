package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

import java.util.List;

/**
 * The {@code eval:} section: the evaluation a recipe runs after pretraining (quickstart).
 *
 * @param knnK neighbour counts of the weighted kNN (20, 200)
 * @param knnTemperature kNN temperature (0.07)
 * @param probeEpochs linear-probe epochs on cached features
 * @param probeLr linear-probe learning rate
 * @param probeWeightDecay linear-probe weight decay
 * @param probeBatchSize linear-probe batch size
 * @param probeBatchNorm BatchNorm (no affine) before the probe's linear layer
 * @param readoutGrid features = the last feature map average-pooled to grid × grid (1 = global)
 */
public record EvalSettings(
        List<Integer> knnK,
        double knnTemperature,
        int probeEpochs,
        double probeLr,
        double probeWeightDecay,
        int probeBatchSize,
        boolean probeBatchNorm,
        int readoutGrid) {
    /**
     * Validates ranges.
     *
     * @param knnK neighbour counts of the weighted kNN (20, 200)
     * @param knnTemperature kNN temperature (0.07)
     * @param probeEpochs linear-probe epochs on cached features
     * @param probeLr linear-probe learning rate
     * @param probeWeightDecay linear-probe weight decay
     * @param probeBatchSize linear-probe batch size
     * @param probeBatchNorm BatchNorm (no affine) before the probe's linear layer
     * @param readoutGrid features = the last feature map average-pooled to grid × grid (1 = global)
     */
    public EvalSettings {
        knnK = List.copyOf(knnK);
        require(
                !knnK.isEmpty() && knnK.stream().allMatch(k -> k > 0),
                "eval.knn_k",
                knnK,
                "a non-empty list of k > 0");
        require(knnTemperature > 0, "eval.knn_temperature", knnTemperature, "> 0");
        require(probeEpochs >= 1, "eval.probe_epochs", probeEpochs, ">= 1");
        require(probeLr > 0, "eval.probe_lr", probeLr, "> 0");
        require(probeWeightDecay >= 0, "eval.probe_weight_decay", probeWeightDecay, ">= 0");
        require(probeBatchSize > 0, "eval.probe_batch_size", probeBatchSize, "> 0");
        require(
                readoutGrid >= 1,
                "eval.readout_grid",
                readoutGrid,
                ">= 1 (1 = global average pool)");
    }

    /**
     * kNN k 20 and 200 at T 0.07; a 30-epoch SwAV-style probe without BatchNorm on globally pooled
     * features.
     *
     * @return the defaults
     */
    public static EvalSettings defaults() {
        return new EvalSettings(List.of(20, 200), 0.07, 30, 0.3, 1e-6, 256, false, 1);
    }
}
