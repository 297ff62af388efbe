package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.random.RandomGenerator;

/**
 * torchvision's {@code RandomResizedCrop}: a box with a uniform fraction of the image area in
 * [scaleMin, scaleMax] and a log-uniform aspect ratio in [ratioMin, ratioMax], up to 10 attempts,
 * then a centre crop clamped to the ratio range; resampled to {@code size × size}.
 *
 * <p>Box sizes are rounded half-to-even like Python's {@code round}, and offsets are uniform
 * integers, exactly as {@code RandomResizedCrop.get_params}.
 *
 * @param size output side, {@code > 0}
 * @param scaleMin smallest area fraction, in (0, scaleMax]
 * @param scaleMax largest area fraction, in [scaleMin, 1]
 * @param ratioMin smallest aspect ratio w/h, in (0, ratioMax] (torchvision: 3/4)
 * @param ratioMax largest aspect ratio w/h (torchvision: 4/3)
 */
public record RandomResizedCrop(
        int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax)
        implements Geometry {
    /**
     * Validates the ranges.
     *
     * @param size output side, {@code > 0}
     * @param scaleMin smallest area fraction, in (0, scaleMax]
     * @param scaleMax largest area fraction, in [scaleMin, 1]
     * @param ratioMin smallest aspect ratio w/h, in (0, ratioMax] (torchvision: 3/4)
     * @param ratioMax largest aspect ratio w/h (torchvision: 4/3)
     */
    public RandomResizedCrop {
        checkArgument(size > 0, "size must be > 0, got %s", size);
        checkArgument(
                scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1,
                "scale range must satisfy 0 < min <= max <= 1, got (%s, %s)",
                scaleMin,
                scaleMax);
        checkArgument(
                ratioMin > 0 && ratioMin <= ratioMax,
                "ratio range must satisfy 0 < min <= max, got (%s, %s)",
                ratioMin,
                ratioMax);
    }

    /**
     * A crop with torchvision's default aspect ratios 3/4 to 4/3.
     *
     * @param size output side
     * @param scaleMin smallest area fraction
     * @param scaleMax largest area fraction
     */
    public RandomResizedCrop(int size, double scaleMin, double scaleMax) {
        this(size, scaleMin, scaleMax, 3.0 / 4.0, 4.0 / 3.0);
    }

    @Override
    public CropBox sample(int width, int height, RandomGenerator rng) {
        double area = (double) width * height;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * uniform(rng, scaleMin, scaleMax);
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new CropBox(left, top, w, h, true);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = width;
            h = (int) Math.rint(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = height;
            w = (int) Math.rint(h * ratioMax);
        } else {
            w = width;
            h = height;
        }
        return new CropBox((width - w) / 2, (height - h) / 2, w, h, true);
    }

    private static double uniform(RandomGenerator rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }
}
