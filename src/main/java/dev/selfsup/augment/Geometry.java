package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * How one crop is cut from a source image: the CPU-side, per-image part of augmentation.
 *
 * <p>Implementations are immutable records; randomness comes only from the generator argument.
 */
public sealed interface Geometry permits RandomResizedCrop, ResizeCenterCrop, Resize {
    /**
     * Output side length in pixels: crops are {@code size × size}.
     *
     * @return the size
     */
    int size();

    /**
     * Chooses the source region for one crop.
     *
     * @param width source width W
     * @param height source height H
     * @param rng where random draws come from (ignored by deterministic geometries)
     * @return the box to resample to {@code size × size}
     */
    CropBox sample(int width, int height, RandomGenerator rng);
}
