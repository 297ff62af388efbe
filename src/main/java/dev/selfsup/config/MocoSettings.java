package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

/**
 * The {@code moco:} section (METHODS.md §3).
 *
 * @param queueLength K, a multiple of the batch size (65,536)
 * @param emaMomentum m of the key encoder (0.999; 0.99 on ImageNet-100 in the FT recipe)
 * @param emaSchedule constant m, or cosine from m to 1 over training
 * @param temperature InfoNCE temperature (v2: 0.2)
 * @param shuffleBn evaluate the key encoder on a permuted batch (single-device shuffle-BN)
 * @param bnSplits S: in training mode every BatchNorm of both encoders takes its statistics per
 *     group of B/S samples (the official CIFAR demo's SplitBatchNorm), which is what makes the
 *     shuffle matter on one device; 1 = one BN batch; a divisor of the batch size
 */
public record MocoSettings(
        int queueLength,
        double emaMomentum,
        EmaSchedule emaSchedule,
        double temperature,
        boolean shuffleBn,
        int bnSplits) {

    /** How the key encoder's momentum moves over training. */
    public enum EmaSchedule {
        /** m fixed. */
        CONSTANT,
        /** m rises to 1 along a half cosine (BYOL style). */
        COSINE
    }

    /**
     * Validates ranges.
     *
     * @param queueLength K, a multiple of the batch size (65,536)
     * @param emaMomentum m of the key encoder (0.999; 0.99 on ImageNet-100 in the FT recipe)
     * @param emaSchedule constant m, or cosine from m to 1 over training
     * @param temperature InfoNCE temperature (v2: 0.2)
     * @param shuffleBn evaluate the key encoder on a permuted batch (single-device shuffle-BN)
     * @param bnSplits S, BatchNorm statistics per group of B/S samples in both encoders; 1 = one
     *     BN batch
     */
    public MocoSettings {
        require(queueLength > 0, "moco.queue_length", queueLength, "> 0");
        require(emaMomentum >= 0 && emaMomentum <= 1, "moco.ema_momentum", emaMomentum, "in [0, 1]");
        require(temperature > 0, "moco.temperature", temperature, "> 0");
        require(bnSplits >= 1, "moco.bn_splits", bnSplits, ">= 1 (1 = one BatchNorm batch)");
    }

    /**
     * MoCo v2 defaults: K 65,536, m 0.999, T 0.2, shuffle-BN on, one BatchNorm batch (S = 1).
     *
     * @return the defaults
     */
    public static MocoSettings defaults() {
        return new MocoSettings(65_536, 0.999, EmaSchedule.CONSTANT, 0.2, true, 1);
    }

    // Withers: start from defaults() and change what you need, e.g. {@code MocoSettings.defaults().withQueueLength(4096)}.

    /**
     * A copy with another {@code queueLength}: K, a multiple of the batch size (65,536).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withQueueLength(int value) {
        return new MocoSettings(value, emaMomentum, emaSchedule, temperature, shuffleBn, bnSplits);
    }

    /**
     * A copy with another {@code emaMomentum}: m of the key encoder (0.999).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withEmaMomentum(double value) {
        return new MocoSettings(queueLength, value, emaSchedule, temperature, shuffleBn, bnSplits);
    }

    /**
     * A copy with another {@code emaSchedule}: constant m, or cosine from m to 1.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withEmaSchedule(EmaSchedule value) {
        return new MocoSettings(queueLength, emaMomentum, value, temperature, shuffleBn, bnSplits);
    }

    /**
     * A copy with another {@code temperature}: InfoNCE temperature (0.2).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withTemperature(double value) {
        return new MocoSettings(queueLength, emaMomentum, emaSchedule, value, shuffleBn, bnSplits);
    }

    /**
     * A copy with another {@code shuffleBn}: evaluate the key encoder on a permuted batch.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withShuffleBn(boolean value) {
        return new MocoSettings(queueLength, emaMomentum, emaSchedule, temperature, value, bnSplits);
    }

    /**
     * A copy with another {@code bnSplits}: BatchNorm groups S of both encoders (1).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withBnSplits(int value) {
        return new MocoSettings(queueLength, emaMomentum, emaSchedule, temperature, shuffleBn, value);
    }
}
