package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.random.RandomGenerator;

/**
 * Resizes the whole image to {@code size × size}, ignoring the aspect ratio: the evaluation
 * transform for small images (Fashion-MNIST, CIFAR) where cropping would lose the object.
 *
 * @param size output side, {@code > 0}
 */
public record Resize(int size) implements Geometry {
    /**
     * Validates the size.
     *
     * @param size output side, {@code > 0}
     */
    public Resize {
        checkArgument(size > 0, "size must be > 0, got %s", size);
    }

    @Override
    public CropBox sample(int width, int height, RandomGenerator rng) {
        return new CropBox(0, 0, width, height, true);
    }
}
