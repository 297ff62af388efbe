package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkSetting;

/**
 * The {@code simclr:} section (METHODS.md §4), with its harder-negative options: positive
 * extrapolation ({@code feature_transform}) on the two views, then MoCHi on the in-batch negatives
 * ({@link Negatives}).
 *
 * @param temperature NT-Xent temperature (0.5 at small batch, 0.1 at 4096)
 * @param mochi hard negative mixing on the in-batch negatives (off)
 * @param featureTransform feature transformation; SimCLR takes positive extrapolation only (off)
 */
public record SimClrSettings(
        double temperature, MochiSettings mochi, FeatureTransformSettings featureTransform)
        implements MethodSettings {
    /**
     * Validates ranges.
     *
     * @param temperature NT-Xent temperature (0.5 at small batch, 0.1 at 4096)
     * @param mochi hard negative mixing on the in-batch negatives (off)
     * @param featureTransform feature transformation; SimCLR takes positive extrapolation only
     *     (off)
     */
    public SimClrSettings {
        checkSetting(temperature > 0, "temperature", temperature, "> 0");
        checkSetting(
                !(featureTransform.enabled() && featureTransform.negativeInterpolation()),
                "feature_transform.negative_interpolation",
                true,
                "false for simclr (negative interpolation mixes a queue of negatives: use mocov2)");
    }

    /**
     * SimCLR's small-batch temperature 0.5, MoCHi and feature transformation off.
     *
     * @return the defaults
     */
    public static SimClrSettings defaults() {
        return new SimClrSettings(
                0.5, MochiSettings.defaults(), FeatureTransformSettings.defaults());
    }

    /**
     * {@inheritDoc}
     *
     * <p>MoCHi ranks each anchor's 2B − 2 in-batch negatives, so N may not exceed that.
     */
    @Override
    public void checkBatches(Batches batches) {
        int negatives = 2 * batches.batchSize() - 2;
        checkSetting(
                !mochi.enabled() || mochi.hardest() <= negatives,
                "mochi.hardest",
                mochi.hardest(),
                "at most the "
                        + negatives
                        + " in-batch negatives of each anchor (2 x data.batch_size - 2)");
    }

    /**
     * A copy with another {@code temperature}: NT-Xent temperature (0.5).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SimClrSettings withTemperature(double value) {
        return new SimClrSettings(value, mochi, featureTransform);
    }

    /**
     * A copy with other MoCHi settings.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SimClrSettings withMochi(MochiSettings value) {
        return new SimClrSettings(temperature, value, featureTransform);
    }

    /**
     * A copy with other feature-transformation settings (positive extrapolation only).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SimClrSettings withFeatureTransform(FeatureTransformSettings value) {
        return new SimClrSettings(temperature, mochi, value);
    }
}
