package dev.selfsup.augment;

/**
 * The random parameters of one crop's photometric ops, drawn on a loader thread by {@link
 * Photometric#sample} and applied later, batched, on the training device.
 *
 * @param jitter whether colour jitter is applied
 * @param brightness brightness factor (1 = unchanged)
 * @param contrast contrast factor (1 = unchanged)
 * @param saturation saturation factor (1 = unchanged)
 * @param hue hue shift in turns, in [−0.5, 0.5] (0 = unchanged)
 * @param order the jitter order: op at step k is {@code (order >> 2k) & 3}, 0 = brightness, 1 =
 *     contrast, 2 = saturation, 3 = hue
 * @param grayscale whether the crop is converted to grayscale
 * @param blurSigma Gaussian blur σ, 0 = no blur
 * @param solarize whether the crop is solarised
 */
public record PhotometricDraw(
        boolean jitter,
        float brightness,
        float contrast,
        float saturation,
        float hue,
        int order,
        boolean grayscale,
        float blurSigma,
        boolean solarize) {
    /** Brightness, then contrast, saturation, hue: the packed identity order. */
    public static final int ORDER_BCSH = 0 | (1 << 2) | (2 << 4) | (3 << 6);

    /** Leaves the crop unchanged (only normalisation applies). */
    public static final PhotometricDraw NONE =
            new PhotometricDraw(false, 1f, 1f, 1f, 0f, ORDER_BCSH, false, 0f, false);

    /**
     * The jitter op at one step.
     *
     * @param step 0..3
     * @return 0 brightness, 1 contrast, 2 saturation, 3 hue
     */
    public int opAt(int step) {
        return (order >> (2 * step)) & 3;
    }

    /**
     * Packs a permutation of {0, 1, 2, 3}.
     *
     * @param ops the ops in application order
     * @return the packed order
     */
    public static int pack(int... ops) {
        int o = 0;
        for (int k = 0; k < 4; k++) {
            o |= (ops[k] & 3) << (2 * k);
        }
        return o;
    }
}
