package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.random.RandomGenerator;

/**
 * The ImageNet evaluation transform: resize the shorter side to {@code floor(size / cropFraction)}
 * (torchvision {@code Resize(int)}: the longer side is truncated to keep the aspect ratio), then
 * {@code CenterCrop(size)} — with size 224 and fraction 0.875 exactly {@code Resize(256) →
 * CenterCrop(224)}.
 *
 * <p>Done as one resampling of the corresponding source box; the filter still reads the neighbours
 * outside the crop, as resizing the whole image first would.
 *
 * @param size output side, {@code > 0}
 * @param cropFraction crop side / resized shorter side, in (0, 1] (ImageNet: 0.875)
 */
public record ResizeCenterCrop(int size, double cropFraction) implements Geometry {
    /**
     * Validates the arguments.
     *
     * @param size output side, {@code > 0}
     * @param cropFraction crop side / resized shorter side, in (0, 1] (ImageNet: 0.875)
     */
    public ResizeCenterCrop {
        checkArgument(size > 0, "size must be > 0, got %s", size);
        checkArgument(
                cropFraction > 0 && cropFraction <= 1,
                "cropFraction must be in (0, 1], got %s",
                cropFraction);
    }

    @Override
    public CropBox sample(int width, int height, RandomGenerator rng) {
        int shorter = (int) Math.floor(size / cropFraction + 1e-9);
        int rw;
        int rh;
        if (width <= height) {
            rw = shorter;
            rh = (int) ((long) shorter * height / width);
        } else {
            rh = shorter;
            rw = (int) ((long) shorter * width / height);
        }
        // torchvision CenterCrop: offsets int(round((resized - crop) / 2)).
        int top = (int) Math.rint((rh - size) / 2.0);
        int left = (int) Math.rint((rw - size) / 2.0);
        double sx = (double) width / rw;
        double sy = (double) height / rh;
        return new CropBox(left * sx, top * sy, size * sx, size * sy, false);
    }
}
