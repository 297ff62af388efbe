package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

/**
 * A region of a source image to resample into a square crop, in source pixel coordinates (pixel i
 * covers [i, i+1)).
 *
 * @param x left edge
 * @param y top edge
 * @param width box width, {@code > 0}
 * @param height box height, {@code > 0}
 * @param clampToBox when true the resampling filter reads only pixels inside the box (torchvision's
 *     crop-then-resize, used by {@link RandomResizedCrop}); when false it may read neighbours up to
 *     the image border (resize-then-crop, used by {@link ResizeCenterCrop})
 */
public record CropBox(double x, double y, double width, double height, boolean clampToBox) {
    /**
     * Checks the box is non-empty.
     *
     * @param x left edge
     * @param y top edge
     * @param width box width, {@code > 0}
     * @param height box height, {@code > 0}
     * @param clampToBox when true the resampling filter reads only pixels inside the box
     *     (torchvision's crop-then-resize, used by {@link RandomResizedCrop}); when false it may
     *     read neighbours up to the image border (resize-then-crop, used by {@link
     *     ResizeCenterCrop})
     */
    public CropBox {
        checkArgument(
                width > 0 && height > 0, "crop box must be non-empty, got %sx%s", width, height);
    }
}
