package dev.selfsup.augment;

import dev.selfsup.data.CropTransform;
import dev.selfsup.data.DecodedImage;

/**
 * Everything random about one crop, drawn on a loader thread: where it is cut, whether it is
 * mirrored and its photometric parameters.
 *
 * @param box the source region
 * @param flip horizontal mirror
 * @param photometric colour-op parameters, applied on the device
 */
public record CropDraw(CropBox box, boolean flip, PhotometricDraw photometric)
        implements CropTransform.Crop {
    /**
     * Resamples {@link #box} to {@code size × size} with {@link Resampler#crop}, mirrored if drawn
     * so.
     */
    @Override
    public void cut(DecodedImage image, int size, byte[] dst, int offset) {
        Resampler.crop(image, box, size, flip, dst, offset);
    }
}
