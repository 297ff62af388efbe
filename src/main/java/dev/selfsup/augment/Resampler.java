package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import dev.selfsup.data.DecodedImage;

/**
 * Antialiased bilinear resampling of a box of a {@link DecodedImage} into a square uint8 crop:
 * Pillow's {@code Image.resize(size, BILINEAR, box)} algorithm, which torchvision's PIL path uses.
 *
 * <p>As in Pillow's {@code Resample.c}: a triangle filter whose support grows with the downscale
 * factor (so downscaling averages all covered pixels instead of aliasing), normalised weights in
 * 22-bit fixed point with rounding, a horizontal pass into an 8-bit intermediate over only the rows
 * the vertical pass needs, then the vertical pass. It is written to match Pillow to the byte but
 * was not compared with Pillow itself (not installed on the build machine); tests check it against
 * a naive double-precision version of the filter (within one grey level). Grayscale sources are written to all three output channels (the channel is replicated so
 * every backbone sees RGB). Upscaling (box smaller than the crop) is plain bilinear.
 */
public final class Resampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {}

    /**
     * Resamples {@code box} of {@code src} to {@code size × size} and writes it planar (CHW, RGB).
     *
     * @param src the decoded image (1 or 3 channels)
     * @param box the source region
     * @param size output side S
     * @param flip mirror the output horizontally
     * @param dst destination array
     * @param offset index of the first byte written; {@code 3·S·S} bytes are written
     */
    public static void crop(DecodedImage src, CropBox box, int size, boolean flip, byte[] dst, int offset) {
        checkArgument(size > 0, "size must be > 0, got %s", size);
        checkArgument(
                offset >= 0 && offset + 3L * size * size <= dst.length,
                "destination of %s bytes cannot hold a 3x%sx%s crop at %s",
                dst.length,
                size,
                size,
                offset);
        int w = src.width();
        int h = src.height();
        int c = src.channels();
        int bx0 = 0;
        int by0 = 0;
        int bx1 = w;
        int by1 = h;
        if (box.clampToBox()) {
            bx0 = Math.max(0, (int) Math.floor(box.x()));
            by0 = Math.max(0, (int) Math.floor(box.y()));
            bx1 = Math.min(w, (int) Math.ceil(box.x() + box.width()));
            by1 = Math.min(h, (int) Math.ceil(box.y() + box.height()));
        }
        checkArgument(
                bx1 > bx0 && by1 > by0,
                "crop box %s does not overlap the %sx%s image",
                box,
                w,
                h);
        Coefficients cx = Coefficients.of(box.x() - bx0, box.width(), bx1 - bx0, size);
        Coefficients cy = Coefficients.of(box.y() - by0, box.height(), by1 - by0, size);
        // Rows of the (clamped) source the vertical pass reads.
        int rowFirst = cy.bounds[0];
        int rowLast = rowFirst;
        for (int y = 0; y < size; y++) {
            rowFirst = Math.min(rowFirst, cy.bounds[2 * y]);
            rowLast = Math.max(rowLast, cy.bounds[2 * y] + cy.bounds[2 * y + 1]);
        }
        int rows = rowLast - rowFirst;
        byte[] pixels = src.pixels();
        // The intermediate rows are planar ([channel][x], values 0..255 as Pillow's 8-bit
        // intermediate) in int arrays: the vertical pass is then "acc[j] += row[j]·w" and the final
        // store a contiguous per-channel loop, both of which C2 vectorises. Integer sums do not
        // depend on the order of the taps, so the result is the byte-exact interleaved algorithm.
        int rowStride = size * c;
        Scratch scratch = SCRATCH.get();
        int[][] tmp = scratch.rows(rows, rowStride);
        int[] acc = scratch.acc(rowStride);
        // Horizontal pass: rows [rowFirst, rowLast) of the clamped region → size columns.
        int rowBytes = w * c;
        int r = 0;
        if (c == 3) {
            // Two rows per call share the weight loads and loop overhead of the short tap loops.
            for (; r + 1 < rows; r += 2) {
                int srcRow = ((by0 + rowFirst + r) * w + bx0) * c;
                horizontalRgb2(pixels, srcRow, rowBytes, cx, size, tmp[r], tmp[r + 1]);
            }
        }
        for (; r < rows; r++) {
            int srcRow = ((by0 + rowFirst + r) * w + bx0) * c;
            if (c == 3) {
                horizontalRgb(pixels, srcRow, cx, size, tmp[r]);
            } else {
                horizontalGray(pixels, srcRow, cx, size, tmp[r]);
            }
        }
        // Vertical pass → planar output, replicating a single channel to RGB.
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            vertical(tmp, cy.bounds[2 * y] - rowFirst, cy.bounds[2 * y + 1], cy.weights, y * cy.ksize, acc, rowStride);
            int rowOut = offset + y * size;
            for (int ch = 0; ch < 3; ch++) {
                store(acc, c == 3 ? ch * size : 0, dst, rowOut + ch * plane, size, flip);
            }
        }
    }

    /** One source row (interleaved RGB) → three planar intermediate channels of {@code size}. */
    private static void horizontalRgb(byte[] pixels, int srcRow, Coefficients cx, int size, int[] out) {
        int[] bounds = cx.bounds;
        int[] weights = cx.weights;
        int ksize = cx.ksize;
        int half = 1 << (PRECISION_BITS - 1);
        for (int x = 0; x < size; x++) {
            int n = bounds[2 * x + 1];
            int k0 = x * ksize;
            int s0 = half;
            int s1 = half;
            int s2 = half;
            int p = srcRow + bounds[2 * x] * 3;
            for (int k = 0; k < n; k++, p += 3) {
                int wk = weights[k0 + k];
                s0 += (pixels[p] & 0xff) * wk;
                s1 += (pixels[p + 1] & 0xff) * wk;
                s2 += (pixels[p + 2] & 0xff) * wk;
            }
            out[x] = clip8i(s0);
            out[size + x] = clip8i(s1);
            out[2 * size + x] = clip8i(s2);
        }
    }

    /** {@link #horizontalRgb} for the rows at {@code srcRow} and {@code srcRow + rowBytes}. */
    private static void horizontalRgb2(
            byte[] pixels, int srcRow, int rowBytes, Coefficients cx, int size, int[] outA, int[] outB) {
        int[] bounds = cx.bounds;
        int[] weights = cx.weights;
        int ksize = cx.ksize;
        int half = 1 << (PRECISION_BITS - 1);
        for (int x = 0; x < size; x++) {
            int n = bounds[2 * x + 1];
            int k0 = x * ksize;
            int a0 = half;
            int a1 = half;
            int a2 = half;
            int b0 = half;
            int b1 = half;
            int b2 = half;
            int p = srcRow + bounds[2 * x] * 3;
            for (int k = 0; k < n; k++, p += 3) {
                int wk = weights[k0 + k];
                int q = p + rowBytes;
                a0 += (pixels[p] & 0xff) * wk;
                a1 += (pixels[p + 1] & 0xff) * wk;
                a2 += (pixels[p + 2] & 0xff) * wk;
                b0 += (pixels[q] & 0xff) * wk;
                b1 += (pixels[q + 1] & 0xff) * wk;
                b2 += (pixels[q + 2] & 0xff) * wk;
            }
            outA[x] = clip8i(a0);
            outA[size + x] = clip8i(a1);
            outA[2 * size + x] = clip8i(a2);
            outB[x] = clip8i(b0);
            outB[size + x] = clip8i(b1);
            outB[2 * size + x] = clip8i(b2);
        }
    }

    /** One grayscale source row → {@code size} intermediate values. */
    private static void horizontalGray(byte[] pixels, int srcRow, Coefficients cx, int size, int[] out) {
        int half = 1 << (PRECISION_BITS - 1);
        for (int x = 0; x < size; x++) {
            int n = cx.bounds[2 * x + 1];
            int k0 = x * cx.ksize;
            int s0 = half;
            int p = srcRow + cx.bounds[2 * x];
            for (int k = 0; k < n; k++, p++) {
                s0 += (pixels[p] & 0xff) * cx.weights[k0 + k];
            }
            out[x] = clip8i(s0);
        }
    }

    /**
     * {@code acc = half + Σ_k tmp[first+k]·weights[k0+k]} over {@code len} entries. Taps outer (two
     * at a time, halving the accumulator traffic), pixels inner: each tap streams contiguous rows.
     */
    private static void vertical(int[][] tmp, int first, int n, int[] weights, int k0, int[] acc, int len) {
        int half = 1 << (PRECISION_BITS - 1);
        int k = 0;
        if (n >= 2) {
            int w0 = weights[k0];
            int w1 = weights[k0 + 1];
            int[] r0 = tmp[first];
            int[] r1 = tmp[first + 1];
            for (int j = 0; j < len; j++) {
                acc[j] = half + r0[j] * w0 + r1[j] * w1;
            }
            k = 2;
        } else {
            java.util.Arrays.fill(acc, 0, len, half);
        }
        for (; k + 1 < n; k += 2) {
            int w0 = weights[k0 + k];
            int w1 = weights[k0 + k + 1];
            int[] r0 = tmp[first + k];
            int[] r1 = tmp[first + k + 1];
            for (int j = 0; j < len; j++) {
                acc[j] += r0[j] * w0 + r1[j] * w1;
            }
        }
        if (k < n) {
            int wk = weights[k0 + k];
            int[] row = tmp[first + k];
            for (int j = 0; j < len; j++) {
                acc[j] += row[j] * wk;
            }
        }
    }

    /** Rounds {@code acc[a..a+size)} to bytes at {@code dst[d..d+size)}, mirrored if {@code flip}. */
    private static void store(int[] acc, int a, byte[] dst, int d, int size, boolean flip) {
        if (flip) {
            int e = d + size - 1;
            for (int x = 0; x < size; x++) {
                dst[e - x] = clip8(acc[a + x]);
            }
        } else {
            for (int x = 0; x < size; x++) {
                dst[d + x] = clip8(acc[a + x]);
            }
        }
    }

    private static int clip8i(int s) {
        return Math.max(0, Math.min(s >> PRECISION_BITS, 255));
    }

    /** Per-thread intermediate rows and accumulator, grown as needed (crops differ in size). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        private int[][] rows = new int[0][];
        private int[] acc = new int[0];

        int[][] rows(int count, int length) {
            if (rows.length < count || (rows.length > 0 && rows[0].length < length)) {
                int n = Math.max(count, rows.length);
                int len = Math.max(length, rows.length > 0 ? rows[0].length : 0);
                rows = new int[n][len];
            }
            return rows;
        }

        int[] acc(int length) {
            if (acc.length < length) {
                acc = new int[length];
            }
            return acc;
        }
    }

    private static byte clip8(int s) {
        return (byte) Math.max(0, Math.min(s >> PRECISION_BITS, 255));
    }

    /** Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for one axis. */
    static final class Coefficients {
        final int ksize;
        /** Per output pixel: first source index and tap count. */
        final int[] bounds;
        /** Per output pixel: ksize fixed-point weights (only the first count are used). */
        final int[] weights;

        private Coefficients(int ksize, int[] bounds, int[] weights) {
            this.ksize = ksize;
            this.bounds = bounds;
            this.weights = weights;
        }

        /**
         * @param in0 box start relative to the readable region
         * @param length box length
         * @param inSize readable region length
         * @param outSize output length
         */
        static Coefficients of(double in0, double length, int inSize, int outSize) {
            double scale = length / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // bilinear support 1.0 × filter scale
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[2 * outSize];
            int[] weights = new int[outSize * ksize];
            double[] k = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = in0 + (xx + 0.5) * scale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double ww = 0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0 ? k[x] / ww : k[x];
                    weights[xx * ksize + x] =
                            (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
                }
                bounds[2 * xx] = xmin;
                bounds[2 * xx + 1] = Math.max(0, xmax);
            }
            return new Coefficients(ksize, bounds, weights);
        }

        private static double triangle(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
