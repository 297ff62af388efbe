package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Per-channel standardisation {@code (x - mean[c]) / std[c]}: torchvision's {@code Normalize}.
 *
 * @param mean per-channel mean, 3 values
 * @param std per-channel standard deviation, 3 values {@code > 0}
 */
public record Normalize(float[] mean, float[] std) {
    /** ImageNet statistics as torchvision publishes them (std 0.229, 0.224, 0.225). */
    public static final Normalize IMAGENET =
            new Normalize(
                    new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    /** The statistics in SwAV's official code (red std 0.228, METHODS.md §7). */
    public static final Normalize SWAV =
            new Normalize(
                    new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.228f, 0.224f, 0.225f});

    /**
     * Validates and copies the statistics.
     *
     * @param mean per-channel mean, 3 values
     * @param std per-channel standard deviation, 3 values {@code > 0}
     */
    public Normalize {
        checkArgument(
                mean.length == 3 && std.length == 3,
                "mean and std need 3 values, got %s and %s",
                Arrays.toString(mean),
                Arrays.toString(std));
        for (float s : std) {
            checkArgument(s > 0, "std must be > 0, got %s", Arrays.toString(std));
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * The per-channel mean.
     *
     * @return a copy of the 3 values
     */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /**
     * The per-channel standard deviation.
     *
     * @return a copy of the 3 values
     */
    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * Standardises every sample.
     *
     * @param x images [N, 3, H, W] float32
     * @return [N, 3, H, W] on x's manager
     */
    public NDArray apply(NDArray x) {
        return Ops.scoped(
                x,
                m ->
                        x.sub(m.create(mean, new Shape(1, 3, 1, 1)))
                                .divi(m.create(std, new Shape(1, 3, 1, 1))));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalize n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalize[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
