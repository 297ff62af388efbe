package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

/**
 * The {@code train:} section: loop length, checkpoints and logging.
 *
 * @param epochs epochs to train
 * @param stepsPerEpoch cap on steps per epoch; 0 = the whole dataset
 * @param checkpointEveryEpochs keep a numbered checkpoint every N epochs (latest is always kept)
 * @param logEverySteps write a metrics line every N steps
 * @param threads PyTorch intra-op threads; 0 = one per core
 */
public record TrainSettings(
        int epochs, int stepsPerEpoch, int checkpointEveryEpochs, int logEverySteps, int threads) {
    /**
     * Validates ranges.
     *
     * @param epochs epochs to train
     * @param stepsPerEpoch cap on steps per epoch; 0 = the whole dataset
     * @param checkpointEveryEpochs keep a numbered checkpoint every N epochs (latest is always
     *     kept)
     * @param logEverySteps write a metrics line every N steps
     * @param threads PyTorch intra-op threads; 0 = one per core
     */
    public TrainSettings {
        require(epochs >= 1, "train.epochs", epochs, ">= 1");
        require(
                stepsPerEpoch >= 0,
                "train.steps_per_epoch",
                stepsPerEpoch,
                ">= 0 (0 = whole dataset)");
        require(
                checkpointEveryEpochs >= 1,
                "train.checkpoint_every_epochs",
                checkpointEveryEpochs,
                ">= 1");
        require(logEverySteps >= 1, "train.log_every_steps", logEverySteps, ">= 1");
        require(threads >= 0, "train.threads", threads, ">= 0");
    }

    /**
     * 100 epochs, checkpoint every 10, log every 10 steps.
     *
     * @return the defaults
     */
    public static TrainSettings defaults() {
        return new TrainSettings(100, 0, 10, 10, 0);
    }
}
