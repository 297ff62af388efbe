package dev.selfsup.augment;

/**
 * Everything random about one crop, drawn on a loader thread: where it is cut, whether it is
 * mirrored and its photometric parameters.
 *
 * @param box the source region
 * @param flip horizontal mirror
 * @param photometric colour-op parameters, applied on the device
 */
public record CropDraw(CropBox box, boolean flip, PhotometricDraw photometric) {}
