package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkSetting;

/**
 * The {@code feature_transform:} part of a {@code moco:} or {@code simclr:} section (METHODS.md
 * §6). With {@code mochi} on as well, the transformation comes first and MoCHi then mixes from the
 * transformed query and negatives ({@link Negatives}).
 *
 * @param enabled transform features
 * @param positiveExtrapolation λp = 1 + Beta(α_p, α_p) on the positive pair
 * @param positiveAlpha α_p (2.0)
 * @param negativeInterpolation λn ~ Beta(α_n, α_n) mixing of negatives with a permutation
 * @param negativeAlpha α_n (1.6)
 * @param startEpoch the epoch the transformation starts
 */
public record FeatureTransformSettings(
        boolean enabled,
        boolean positiveExtrapolation,
        double positiveAlpha,
        boolean negativeInterpolation,
        double negativeAlpha,
        int startEpoch) {
    /**
     * Validates ranges.
     *
     * @param enabled transform features
     * @param positiveExtrapolation λp = 1 + Beta(α_p, α_p) on the positive pair
     * @param positiveAlpha α_p (2.0)
     * @param negativeInterpolation λn ~ Beta(α_n, α_n) mixing of negatives with a permutation
     * @param negativeAlpha α_n (1.6)
     * @param startEpoch the epoch the transformation starts
     */
    public FeatureTransformSettings {
        checkSetting(positiveAlpha > 0, "positive_alpha", positiveAlpha, "> 0");
        checkSetting(negativeAlpha > 0, "negative_alpha", negativeAlpha, "> 0");
        checkSetting(startEpoch >= 0, "start_epoch", startEpoch, ">= 0");
        checkSetting(
                !enabled || positiveExtrapolation || negativeInterpolation,
                "enabled",
                true,
                "at least one of positive_extrapolation, negative_interpolation");
    }

    /**
     * Off; both transformations with the paper's α when enabled.
     *
     * @return the defaults
     */
    public static FeatureTransformSettings defaults() {
        return new FeatureTransformSettings(false, true, 2.0, true, 1.6, 0);
    }

    // Withers: start from defaults() and change what you need, e.g. {@code
    // FeatureTransformSettings.defaults().withEnabled(true)}.

    /**
     * A copy with another {@code enabled}: transform features.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public FeatureTransformSettings withEnabled(boolean value) {
        return new FeatureTransformSettings(
                value,
                positiveExtrapolation,
                positiveAlpha,
                negativeInterpolation,
                negativeAlpha,
                startEpoch);
    }

    /**
     * A copy with another {@code positiveExtrapolation}: λp = 1 + Beta(α_p, α_p) on the positive
     * pair.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public FeatureTransformSettings withPositiveExtrapolation(boolean value) {
        return new FeatureTransformSettings(
                enabled, value, positiveAlpha, negativeInterpolation, negativeAlpha, startEpoch);
    }

    /**
     * A copy with another {@code positiveAlpha}: α_p (2.0).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public FeatureTransformSettings withPositiveAlpha(double value) {
        return new FeatureTransformSettings(
                enabled,
                positiveExtrapolation,
                value,
                negativeInterpolation,
                negativeAlpha,
                startEpoch);
    }

    /**
     * A copy with another {@code negativeInterpolation}: λn ~ Beta(α_n, α_n) mixing of negatives.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public FeatureTransformSettings withNegativeInterpolation(boolean value) {
        return new FeatureTransformSettings(
                enabled, positiveExtrapolation, positiveAlpha, value, negativeAlpha, startEpoch);
    }

    /**
     * A copy with another {@code negativeAlpha}: α_n (1.6).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public FeatureTransformSettings withNegativeAlpha(double value) {
        return new FeatureTransformSettings(
                enabled,
                positiveExtrapolation,
                positiveAlpha,
                negativeInterpolation,
                value,
                startEpoch);
    }

    /**
     * A copy with another {@code startEpoch}: the epoch the transformation starts.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public FeatureTransformSettings withStartEpoch(int value) {
        return new FeatureTransformSettings(
                enabled,
                positiveExtrapolation,
                positiveAlpha,
                negativeInterpolation,
                negativeAlpha,
                value);
    }
}
