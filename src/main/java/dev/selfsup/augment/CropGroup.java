package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import dev.selfsup.data.CropTransform;
import java.util.Objects;

/**
 * {@code count} crops cut the same way: geometry, flip probability and photometric settings.
 *
 * @param count crops per image, {@code >= 1}
 * @param geometry how each crop is cut and resized
 * @param flipProbability horizontal flip probability, in [0, 1] (0.5 for training, 0 for eval)
 * @param photometric colour ops and normalisation
 */
public record CropGroup(
        int count, Geometry geometry, double flipProbability, Photometric photometric)
        implements CropTransform.Group {
    /**
     * Validates the group.
     *
     * @param count crops per image, {@code >= 1}
     * @param geometry how each crop is cut and resized
     * @param flipProbability horizontal flip probability, in [0, 1] (0.5 for training, 0 for eval)
     * @param photometric colour ops and normalisation
     */
    public CropGroup {
        checkArgument(count >= 1, "crop count must be >= 1, got %s", count);
        Objects.requireNonNull(geometry, "geometry");
        Objects.requireNonNull(photometric, "photometric");
        checkArgument(
                flipProbability >= 0 && flipProbability <= 1,
                "flip probability must be in [0, 1], got %s",
                flipProbability);
    }

    /**
     * Output side of the crops.
     *
     * @return S in pixels
     */
    @Override
    public int size() {
        return geometry.size();
    }

    /**
     * The same group with another crop count.
     *
     * @param newCount crops per image
     * @return a copy
     */
    public CropGroup withCount(int newCount) {
        return new CropGroup(newCount, geometry, flipProbability, photometric);
    }
}
