package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;

/**
 * Inverts pixels at or above a threshold with probability p: torchvision's {@code RandomSolarize},
 * {@code where(x >= threshold, 1 - x, x)}.
 *
 * <p>The default threshold 128/255 reproduces Pillow's {@code ImageOps.solarize(img, 128)} used by
 * BYOL / DINO recipes on 8-bit images.
 *
 * @param probability p, in [0, 1] (DINO second global crop, BYOL: 0.2)
 * @param threshold in [0, 1] on the [0, 1] scale
 */
public record Solarize(double probability, double threshold) {
    /** Pillow's 128 on the [0, 1] scale. */
    public static final double DEFAULT_THRESHOLD = 128.0 / 255.0;

    /**
     * Validates the arguments.
     *
     * @param probability p, in [0, 1] (DINO second global crop, BYOL: 0.2)
     * @param threshold in [0, 1] on the [0, 1] scale
     */
    public Solarize {
        checkArgument(
                probability >= 0 && probability <= 1,
                "solarize probability must be in [0, 1], got %s",
                probability);
        checkArgument(
                threshold >= 0 && threshold <= 1,
                "solarize threshold must be in [0, 1], got %s",
                threshold);
    }

    /**
     * Never applied.
     *
     * @return a solarize with probability 0
     */
    public static Solarize none() {
        return new Solarize(0, DEFAULT_THRESHOLD);
    }

    /**
     * Solarizes the selected samples.
     *
     * @param x images [N, 3, H, W] float32 in [0, 1]
     * @param selected per sample: solarize or keep, length N
     * @param threshold pixels {@code >= threshold} become {@code 1 - x}
     * @return [N, 3, H, W] on x's manager
     */
    public static NDArray apply(NDArray x, boolean[] selected, float threshold) {
        Ops.checkBatch(x, selected.length);
        return Ops.scoped(
                x,
                m -> {
                    NDArray hit = x.gte(threshold).logicalAnd(Ops.mask(m, selected));
                    return Ops.where(hit, x.neg().add(1f), x);
                });
    }
}
