package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

import java.util.List;

/**
 * The {@code augment:} section (METHODS.md §7): a preset plus overrides. Keys a recipe leaves out
 * take the preset's values ({@link #defaults(Preset)}); {@code run.Augmentations} turns the section
 * into the training multi-crop and refuses the keys a preset cannot honour.
 *
 * @param preset the pipeline family: simclr, mocov2, swav or dino
 * @param crops the crop groups; an empty list takes the preset's
 * @param jitterStrength colour-jitter strength s: brightness, contrast, saturation 0.8 s and hue
 *     0.2 s (SimCLR, SwAV: s = 1; MoCo v2's (0.4, 0.4, 0.4, 0.1): s = 0.5); for dino saturation 0.4
 *     s (DINO's (0.4, 0.4, 0.2, 0.1): s = 0.5)
 * @param jitterProbability probability of colour jitter
 * @param grayscaleProbability probability of grayscale
 * @param blurProbability probability of Gaussian blur on every crop; dino blurs its crops 1.0 / 0.1
 *     (global) and 0.5 (local) and takes only its own 0.5 here
 * @param solarizeProbability probability of solarisation on every crop; dino solarises only its
 *     second global crop and takes only its own 0.2 here
 * @param flipProbability probability of a horizontal flip
 * @param mean per-channel normalisation mean; empty = the preset's (ImageNet; SwAV's own std for
 *     swav)
 * @param std per-channel normalisation std; empty = the preset's
 */
public record AugmentSettings(
        Preset preset,
        List<CropSettings> crops,
        double jitterStrength,
        double jitterProbability,
        double grayscaleProbability,
        double blurProbability,
        double solarizeProbability,
        double flipProbability,
        List<Double> mean,
        List<Double> std) {

    /** Pipeline families; {@link #defaults(Preset)} holds each one's values. */
    public enum Preset {
        /** SimCLR: 2×224 at scale (0.08, 1), jitter s = 1. */
        SIMCLR,
        /** MoCo v2: 2×224 at scale (0.2, 1), jitter (0.4, 0.4, 0.4, 0.1), i.e. s = 0.5. */
        MOCOV2,
        /** SwAV multi-crop: 2×224 (0.14, 1) + 6×96 (0.05, 0.14), jitter s = 1, SwAV's std. */
        SWAV,
        /**
         * DINO: 2×224 (0.4, 1) + 8×96 (0.05, 0.4), jitter (0.4, 0.4, 0.2, 0.1); the first global
         * crop always blurred, the second blurred with p 0.1 and solarised with p 0.2, local crops
         * blurred with p 0.5.
         */
        DINO
    }

    /**
     * One group of crops of the same size.
     *
     * @param count crops in the group
     * @param size side in pixels
     * @param scaleMin smallest area fraction
     * @param scaleMax largest area fraction
     */
    public record CropSettings(int count, int size, double scaleMin, double scaleMax) {
        /**
         * Validates ranges.
         *
         * @param count crops in the group
         * @param size side in pixels
         * @param scaleMin smallest area fraction
         * @param scaleMax largest area fraction
         */
        public CropSettings {
            require(count >= 1, "augment.crops.count", count, ">= 1");
            require(size >= 8, "augment.crops.size", size, ">= 8 pixels");
            require(
                    scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1,
                    "augment.crops.scale_min",
                    scaleMin + ".." + scaleMax,
                    "0 < scale_min <= scale_max <= 1");
        }
    }

    /**
     * Validates ranges; an empty crop list becomes the preset's.
     *
     * @param preset the pipeline family: simclr, mocov2, swav or dino
     * @param crops the crop groups; an empty list takes the preset's
     * @param jitterStrength colour-jitter strength s (see the record's description)
     * @param jitterProbability probability of colour jitter
     * @param grayscaleProbability probability of grayscale
     * @param blurProbability probability of Gaussian blur
     * @param solarizeProbability probability of solarisation
     * @param flipProbability probability of a horizontal flip
     * @param mean per-channel normalisation mean; empty = the preset's (ImageNet; SwAV's own std
     *     for swav)
     * @param std per-channel normalisation std; empty = the preset's
     */
    public AugmentSettings {
        require(
                preset != null,
                "augment.preset",
                preset,
                "one of " + ScalarValues.enumNames(Preset.class));
        crops = crops.isEmpty() ? presetCrops(preset) : List.copyOf(crops);
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        probability(jitterProbability, "augment.jitter_probability");
        probability(grayscaleProbability, "augment.grayscale_probability");
        probability(blurProbability, "augment.blur_probability");
        probability(solarizeProbability, "augment.solarize_probability");
        probability(flipProbability, "augment.flip_probability");
        require(jitterStrength >= 0, "augment.jitter_strength", jitterStrength, ">= 0");
        require(
                mean.isEmpty() || mean.size() == 3,
                "augment.mean",
                mean,
                "3 values, or [] for the preset's");
        require(
                std.isEmpty() || (std.size() == 3 && std.stream().allMatch(s -> s > 0)),
                "augment.std",
                std,
                "3 values > 0, or [] for the preset's");
    }

    private static void probability(double p, String key) {
        require(p >= 0 && p <= 1, key, p, "a probability in [0, 1]");
    }

    /**
     * The same section with other crop groups.
     *
     * @param newCrops the crop groups; an empty list takes the preset's
     * @return a copy
     */
    public AugmentSettings withCrops(List<CropSettings> newCrops) {
        return new AugmentSettings(
                preset,
                newCrops,
                jitterStrength,
                jitterProbability,
                grayscaleProbability,
                blurProbability,
                solarizeProbability,
                flipProbability,
                mean,
                std);
    }

    /** The preset's crop groups, at ImageNet sizes. */
    private static List<CropSettings> presetCrops(Preset preset) {
        return switch (preset) {
            case SIMCLR -> List.of(new CropSettings(2, 224, 0.08, 1.0));
            case MOCOV2 -> List.of(new CropSettings(2, 224, 0.2, 1.0));
            case SWAV ->
                    List.of(
                            new CropSettings(2, 224, 0.14, 1.0),
                            new CropSettings(6, 96, 0.05, 0.14));
            case DINO ->
                    List.of(new CropSettings(2, 224, 0.4, 1.0), new CropSettings(8, 96, 0.05, 0.4));
        };
    }

    /**
     * Total number of crops per image.
     *
     * @return the sum of the groups' counts
     */
    public int cropCount() {
        return crops.stream().mapToInt(CropSettings::count).sum();
    }

    /**
     * The SimCLR preset's values, the defaults of a recipe that names no preset.
     *
     * @return {@code defaults(Preset.SIMCLR)}
     */
    public static AugmentSettings defaults() {
        return defaults(Preset.SIMCLR);
    }

    /**
     * A preset's values, which the keys a recipe leaves out take: its crops; jitter s = 1 (MoCo v2
     * and DINO: 0.5) with p 0.8; grayscale 0.2; blur 0.5; solarise 0 (DINO: 0.2, its second global
     * crop); flip 0.5; the preset's normalisation.
     *
     * @param preset the pipeline family
     * @return the section as the preset defines it
     */
    public static AugmentSettings defaults(Preset preset) {
        double strength = preset == Preset.MOCOV2 || preset == Preset.DINO ? 0.5 : 1.0;
        double solarize = preset == Preset.DINO ? 0.2 : 0.0;
        return new AugmentSettings(
                preset, List.of(), strength, 0.8, 0.2, 0.5, solarize, 0.5, List.of(), List.of());
    }
}
