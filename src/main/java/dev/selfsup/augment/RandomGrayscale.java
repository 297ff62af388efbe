package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;

/**
 * Converts a sample to grayscale (replicated to 3 channels) with probability p: torchvision's
 * {@code RandomGrayscale(p)}.
 *
 * <p>Luma weights are ITU-R 601-2 (0.299, 0.587, 0.114), what Pillow's {@code convert("L")} uses
 * and so what the PIL-based SwAV / MoCo / SimCLR pipelines used; torchvision's tensor path writes
 * 0.2989 for red, a 1e-4 difference. The same weights serve contrast and saturation in {@link
 * ColorJitter}.
 *
 * @param probability p, in [0, 1] (SwAV, MoCo v2, SimCLR: 0.2)
 */
public record RandomGrayscale(double probability) {
    /** Red weight of the luma. */
    public static final float RED = 0.299f;

    /** Green weight of the luma. */
    public static final float GREEN = 0.587f;

    /** Blue weight of the luma. */
    public static final float BLUE = 0.114f;

    /**
     * Validates p.
     *
     * @param probability p, in [0, 1] (SwAV, MoCo v2, SimCLR: 0.2)
     */
    public RandomGrayscale {
        checkArgument(
                probability >= 0 && probability <= 1,
                "grayscale probability must be in [0, 1], got %s",
                probability);
    }

    /**
     * Luma of each pixel.
     *
     * @param x images [N, 3, H, W] float32
     * @return [N, 1, H, W], {@code 0.299 r + 0.587 g + 0.114 b}, on x's manager
     */
    public static NDArray luma(NDArray x) {
        // Plane by plane, accumulating in place: fewer fresh buffers than mul + sum over axis 1.
        return Ops.scoped(
                x,
                m ->
                        x.get(":, 0:1")
                                .mul(RED)
                                .addi(x.get(":, 1:2").mul(GREEN))
                                .addi(x.get(":, 2:3").mul(BLUE)));
    }

    /**
     * Replaces the selected samples by their luma on all three channels.
     *
     * @param x images [N, 3, H, W] float32
     * @param selected per sample: convert or keep, length N
     * @return [N, 3, H, W] on x's manager
     */
    public static NDArray apply(NDArray x, boolean[] selected) {
        Ops.checkBatch(x, selected.length);
        return Ops.scoped(x, m -> Ops.where(Ops.mask(m, selected), luma(x), x));
    }
}
