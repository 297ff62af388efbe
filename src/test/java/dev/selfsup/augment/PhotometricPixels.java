package dev.selfsup.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** The tiny batch the photometric op tests compute on by hand. */
final class PhotometricPixels {
    // Two samples of 3×1×2 pixels (float32 tolerance for O(1) values).
    static final float[] PIXELS = {
        0.2f, 0.9f, // sample 0, red
        0.5f, 0.1f, // green
        0.8f, 0.3f, // blue
        0.6f, 0.0f, // sample 1, red
        0.6f, 1.0f, // green
        0.1f, 0.4f, // blue
    };
    static final float TOL = 1e-6f;

    private PhotometricPixels() {}

    static NDArray tiny(NDManager m) {
        return m.create(PIXELS, new Shape(2, 3, 1, 2));
    }
}
