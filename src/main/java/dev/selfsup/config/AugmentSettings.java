package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

import java.util.List;

/**
 * The {@code augment:} section (METHODS.md §7): a preset plus overrides.
 *
 * @param preset the pipeline family: simclr, mocov2, swav or dino
 * @param crops the crop groups; an empty list takes the preset's
 * @param jitterStrength colour-jitter strength s (brightness, contrast, saturation 0.8 s, hue
 *     0.2 s); MoCo v2 uses (0.4, 0.4, 0.4, 0.1), i.e. s = 0.5
 * @param jitterProbability probability of colour jitter
 * @param grayscaleProbability probability of grayscale
 * @param blurProbability probability of Gaussian blur
 * @param solarizeProbability probability of solarisation
 * @param flipProbability probability of a horizontal flip
 * @param mean per-channel normalisation mean; empty = the preset's (ImageNet; SwAV's own std for swav)
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

    /** Pipeline families. */
    public enum Preset {
        /** SimCLR: 2 crops, scale (0.08, 1). */
        SIMCLR,
        /** MoCo v2: 2 crops, scale (0.2, 1), jitter (0.4, 0.4, 0.4, 0.1). */
        MOCOV2,
        /** SwAV multi-crop: 2×224 (0.14, 1) + 6×96 (0.05, 0.14). */
        SWAV,
        /** DINO: 2×224 (0.4, 1) + 8×96 (0.05, 0.4). */
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
            require(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1, "augment.crops.scale_min",
                    scaleMin + ".." + scaleMax, "0 < scale_min <= scale_max <= 1");
        }
    }

    /**
     * Validates ranges.
     *
     * @param preset the pipeline family: simclr, mocov2, swav or dino
     * @param crops the crop groups; an empty list takes the preset's
     * @param jitterStrength colour-jitter strength s (brightness, contrast, saturation 0.8 s, hue
     *     0.2 s); MoCo v2 uses (0.4, 0.4, 0.4, 0.1), i.e. s = 0.5
     * @param jitterProbability probability of colour jitter
     * @param grayscaleProbability probability of grayscale
     * @param blurProbability probability of Gaussian blur
     * @param solarizeProbability probability of solarisation
     * @param flipProbability probability of a horizontal flip
     * @param mean per-channel normalisation mean; empty = the preset's (ImageNet; SwAV's own std for swav)
     * @param std per-channel normalisation std; empty = the preset's
     */
    public AugmentSettings {
        crops = List.copyOf(crops);
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        probability(jitterProbability, "augment.jitter_probability");
        probability(grayscaleProbability, "augment.grayscale_probability");
        probability(blurProbability, "augment.blur_probability");
        probability(solarizeProbability, "augment.solarize_probability");
        probability(flipProbability, "augment.flip_probability");
        require(jitterStrength >= 0, "augment.jitter_strength", jitterStrength, ">= 0");
        require(mean.isEmpty() || mean.size() == 3, "augment.mean", mean, "3 values, or [] for the preset's");
        require(std.isEmpty() || (std.size() == 3 && std.stream().allMatch(s -> s > 0)), "augment.std", std,
                "3 values > 0, or [] for the preset's");
    }

    private static void probability(double p, String key) {
        require(p >= 0 && p <= 1, key, p, "a probability in [0, 1]");
    }

    /**
     * The crop groups in effect: the explicit list or the preset's at ImageNet sizes.
     *
     * @return the crop groups
     */
    public List<CropSettings> effectiveCrops() {
        if (!crops.isEmpty()) {
            return crops;
        }
        return switch (preset) {
            case SIMCLR -> List.of(new CropSettings(2, 224, 0.08, 1.0));
            case MOCOV2 -> List.of(new CropSettings(2, 224, 0.2, 1.0));
            case SWAV -> List.of(new CropSettings(2, 224, 0.14, 1.0), new CropSettings(6, 96, 0.05, 0.14));
            case DINO -> List.of(new CropSettings(2, 224, 0.4, 1.0), new CropSettings(8, 96, 0.05, 0.4));
        };
    }

    /**
     * Total number of crops per image.
     *
     * @return the sum of the groups' counts
     */
    public int cropCount() {
        return effectiveCrops().stream().mapToInt(CropSettings::count).sum();
    }

    /**
     * SimCLR defaults: jitter s = 1 with p 0.8, grayscale 0.2, blur 0.5, flip 0.5.
     *
     * @return the defaults
     */
    public static AugmentSettings defaults() {
        return new AugmentSettings(
                Preset.SIMCLR, List.of(), 1.0, 0.8, 0.2, 0.5, 0.0, 0.5, List.of(), List.of());
    }
}
