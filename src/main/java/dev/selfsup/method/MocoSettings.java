package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkSetting;

/**
 * The {@code moco:} section (METHODS.md §3), with its harder-negative options: feature
 * transformation first, then MoCHi mixing from the transformed query and queue ({@link Negatives},
 * docs/methods.md).
 *
 * @param queueLength K, a multiple of the batch size (65,536)
 * @param emaMomentum m of the key encoder (0.999; 0.99 in the MoCo v2 and MoCHi ImageNet-100
 *     recipes; the FT ImageNet-100 recipe keeps the official 0.999)
 * @param emaSchedule constant m, or cosine from m to 1 over training
 * @param temperature InfoNCE temperature (v2: 0.2)
 * @param shuffleBn evaluate the key encoder on a permuted batch (single-device shuffle-BN)
 * @param bnSplits S: in training mode every BatchNorm of both encoders takes its statistics per
 *     group of B/S samples (the official CIFAR demo's SplitBatchNorm), which is what makes the
 *     shuffle matter on one device; 1 = one BN batch; a divisor of the batch size
 * @param mochi hard negative mixing from the queue (off); N at most K
 * @param featureTransform feature transformation (off)
 */
public record MocoSettings(
        int queueLength,
        double emaMomentum,
        EmaSchedule emaSchedule,
        double temperature,
        boolean shuffleBn,
        int bnSplits,
        MochiSettings mochi,
        FeatureTransformSettings featureTransform)
        implements MethodSettings {

    /**
     * Validates ranges; MoCHi's N may not exceed the queue it ranks.
     *
     * @param queueLength K, a multiple of the batch size (65,536)
     * @param emaMomentum m of the key encoder (0.999; 0.99 in the MoCo v2 and MoCHi ImageNet-100
     *     recipes; the FT ImageNet-100 recipe keeps the official 0.999)
     * @param emaSchedule constant m, or cosine from m to 1 over training
     * @param temperature InfoNCE temperature (v2: 0.2)
     * @param shuffleBn evaluate the key encoder on a permuted batch (single-device shuffle-BN)
     * @param bnSplits S, BatchNorm statistics per group of B/S samples in both encoders; 1 = one BN
     *     batch
     * @param mochi hard negative mixing from the queue (off); N at most K
     * @param featureTransform feature transformation (off)
     */
    public MocoSettings {
        checkSetting(queueLength > 0, "queue_length", queueLength, "> 0");
        checkSetting(
                emaMomentum >= 0 && emaMomentum <= 1, "ema_momentum", emaMomentum, "in [0, 1]");
        checkSetting(temperature > 0, "temperature", temperature, "> 0");
        checkSetting(bnSplits >= 1, "bn_splits", bnSplits, ">= 1 (1 = one BatchNorm batch)");
        checkSetting(
                !mochi.enabled() || mochi.hardest() <= queueLength,
                "mochi.hardest",
                mochi.hardest(),
                "at most the queue's " + queueLength + " negatives (moco.queue_length)");
    }

    /**
     * MoCo v2 defaults: K 65,536, m 0.999, T 0.2, shuffle-BN on, one BatchNorm batch (S = 1), MoCHi
     * and feature transformation off.
     *
     * @return the defaults
     */
    public static MocoSettings defaults() {
        return new MocoSettings(
                65_536,
                0.999,
                EmaSchedule.CONSTANT,
                0.2,
                true,
                1,
                MochiSettings.defaults(),
                FeatureTransformSettings.defaults());
    }

    /**
     * {@inheritDoc}
     *
     * <p>The queue takes whole batches, and the BatchNorm groups must split every batch evenly.
     */
    @Override
    public void checkBatches(Batches batches) {
        int b = batches.batchSize();
        checkSetting(
                queueLength % b == 0,
                "queue_length",
                queueLength,
                "a multiple of data.batch_size (" + b + ")");
        checkSetting(
                b % bnSplits == 0,
                "bn_splits",
                bnSplits,
                "a divisor of data.batch_size ("
                        + b
                        + ") so that every BatchNorm group has the same size");
        checkSetting(
                bnSplits == 1 || batches.everyBatchFull(),
                "bn_splits",
                bnSplits,
                "1 when data.drop_last is false (a last partial batch need not split into "
                        + bnSplits
                        + " equal groups)");
    }

    // Withers: start from defaults() and change what you need, e.g. {@code
    // MocoSettings.defaults().withQueueLength(4096)}.

    /**
     * A copy with another {@code queueLength}: K, a multiple of the batch size (65,536).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withQueueLength(int value) {
        return new MocoSettings(
                value,
                emaMomentum,
                emaSchedule,
                temperature,
                shuffleBn,
                bnSplits,
                mochi,
                featureTransform);
    }

    /**
     * A copy with another {@code emaMomentum}: m of the key encoder (0.999).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withEmaMomentum(double value) {
        return new MocoSettings(
                queueLength,
                value,
                emaSchedule,
                temperature,
                shuffleBn,
                bnSplits,
                mochi,
                featureTransform);
    }

    /**
     * A copy with another {@code emaSchedule}: constant m, or cosine from m to 1.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withEmaSchedule(EmaSchedule value) {
        return new MocoSettings(
                queueLength,
                emaMomentum,
                value,
                temperature,
                shuffleBn,
                bnSplits,
                mochi,
                featureTransform);
    }

    /**
     * A copy with another {@code temperature}: InfoNCE temperature (0.2).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withTemperature(double value) {
        return new MocoSettings(
                queueLength,
                emaMomentum,
                emaSchedule,
                value,
                shuffleBn,
                bnSplits,
                mochi,
                featureTransform);
    }

    /**
     * A copy with another {@code shuffleBn}: evaluate the key encoder on a permuted batch.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withShuffleBn(boolean value) {
        return new MocoSettings(
                queueLength,
                emaMomentum,
                emaSchedule,
                temperature,
                value,
                bnSplits,
                mochi,
                featureTransform);
    }

    /**
     * A copy with another {@code bnSplits}: BatchNorm groups S of both encoders (1).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withBnSplits(int value) {
        return new MocoSettings(
                queueLength,
                emaMomentum,
                emaSchedule,
                temperature,
                shuffleBn,
                value,
                mochi,
                featureTransform);
    }

    /**
     * A copy with other MoCHi settings.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withMochi(MochiSettings value) {
        return new MocoSettings(
                queueLength,
                emaMomentum,
                emaSchedule,
                temperature,
                shuffleBn,
                bnSplits,
                value,
                featureTransform);
    }

    /**
     * A copy with other feature-transformation settings.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MocoSettings withFeatureTransform(FeatureTransformSettings value) {
        return new MocoSettings(
                queueLength,
                emaMomentum,
                emaSchedule,
                temperature,
                shuffleBn,
                bnSplits,
                mochi,
                value);
    }
}
