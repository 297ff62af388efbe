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
 * the vertical pass needs, then the vertical pass. Equal to Pillow 9.4 to the byte ({@code
 * ResamplerPillowTest}). Grayscale sources are written to all three output channels (the channel is
 * replicated so every backbone sees RGB). Upscaling (box smaller than the crop) is plain bilinear.
 *
 * <p>Layout for speed: C2 (JDK 17) vectorises only loops that index every array with the same
 * index, so both passes are written as "accumulate whole rows": the horizontal one on source
 * columns gathered into int arrays (a transpose per strip of rows), the vertical one on the
 * intermediate rows. Integer sums do not depend on the order of the taps, so the result is the same
 * as Pillow's pixel-by-pixel loops.
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
    public static void crop(
            DecodedImage src, CropBox box, int size, boolean flip, byte[] dst, int offset) {
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
                bx1 > bx0 && by1 > by0, "crop box %s does not overlap the %sx%s image", box, w, h);
        // Mirroring reverses the horizontal coefficients, so every store below runs forward.
        Coefficients cx = Coefficients.of(box.x() - bx0, box.width(), bx1 - bx0, size, flip);
        Coefficients cy = Coefficients.of(box.y() - by0, box.height(), by1 - by0, size, false);
        checkArgument(
                Math.max(cx.ksize, cy.ksize) <= MAX_TAPS,
                "crop box %s is more than %s times the %s-pixel crop; resize the image first",
                box,
                MAX_TAPS / 2,
                size);
        int rowFirst = Integer.MAX_VALUE;
        int rowLast = 0;
        int colFirst = Integer.MAX_VALUE;
        int colLast = 0;
        for (int i = 0; i < size; i++) {
            rowFirst = Math.min(rowFirst, cy.bounds[2 * i]);
            rowLast = Math.max(rowLast, cy.bounds[2 * i] + cy.bounds[2 * i + 1]);
            colFirst = Math.min(colFirst, cx.bounds[2 * i]);
            colLast = Math.max(colLast, cx.bounds[2 * i] + cx.bounds[2 * i + 1]);
        }
        int rows = rowLast - rowFirst;
        int cols = colLast - colFirst;
        int rowStride = size * c;
        Scratch scratch = SCRATCH.get();
        int[][] tmp = scratch.rows(rows, rowStride);
        int[][] columns = scratch.columns(cols * c);
        int[][] outColumns = scratch.outColumns(rowStride);
        int[] acc = scratch.acc(rowStride);
        byte[] pixels = src.pixels();
        int rowBytes = w * c;
        // Horizontal pass in strips of rows: the strip's source columns are gathered into int
        // arrays
        // (a transpose), so that each output column is "o[j] += column[j]·w" over the strip's rows,
        // the loop form C2 vectorises; the scalar alternative, short dot products along a row, was
        // the single largest cost of the crop. The results are transposed into intermediate rows.
        for (int r0 = 0; r0 < rows; r0 += STRIP) {
            int rr = Math.min(STRIP, rows - r0);
            int srcStart = ((by0 + rowFirst + r0) * w + bx0 + colFirst) * c;
            gatherColumns(pixels, srcStart, rowBytes, rr, cols, c, columns);
            for (int ch = 0; ch < c; ch++) {
                for (int x = 0; x < size; x++) {
                    weightedSum(
                            columns,
                            ch * cols + cx.bounds[2 * x] - colFirst,
                            cx.bounds[2 * x + 1],
                            cx.weights,
                            x * cx.ksize,
                            outColumns[ch * size + x],
                            rr);
                }
            }
            scatterRows(outColumns, rowStride, rr, tmp, r0);
        }
        // Vertical pass → planar output, replicating a single channel to RGB.
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            weightedSum(
                    tmp,
                    cy.bounds[2 * y] - rowFirst,
                    cy.bounds[2 * y + 1],
                    cy.weights,
                    y * cy.ksize,
                    acc,
                    rowStride);
            int rowOut = offset + y * size;
            for (int ch = 0; ch < 3; ch++) {
                store(acc, c == 3 ? ch * size : 0, dst, rowOut + ch * plane, size);
            }
        }
    }

    /**
     * Rows per horizontal strip: long enough for the vector loops over a column, short enough that
     * the gathered columns of a wide image stay a few megabytes.
     */
    static final int STRIP = 256;

    /**
     * Most taps of one output pixel for which no sum can leave 0..255: the rounded weights sum to
     * at most {@code 2^22 + taps/2}, so {@code 255·(2^22 + taps/2) + 2^21 < 256·2^22} while {@code
     * taps < 16448}. Bilinear weights are never negative, so the clipping Pillow does for its other
     * filters is a no-op here and is left out.
     */
    static final int MAX_TAPS = 16383;

    /**
     * Gathers {@code rows} rows × {@code cols} interleaved pixels from {@code start} into
     * per-channel columns: {@code columns[ch·cols + j][r]}. Eight rows at a time, so each column
     * write is a short contiguous run and the eight source rows stay in cache across the columns.
     */
    private static void gatherColumns(
            byte[] pixels, int start, int rowBytes, int rows, int cols, int c, int[][] columns) {
        int r = 0;
        for (; r + 7 < rows; r += 8) {
            int p = start + r * rowBytes;
            for (int ch = 0; ch < c; ch++) {
                int q0 = p + ch;
                for (int j = 0; j < cols; j++, q0 += c) {
                    int[] col = columns[ch * cols + j];
                    int q = q0;
                    col[r] = pixels[q] & 0xff;
                    col[r + 1] = pixels[q += rowBytes] & 0xff;
                    col[r + 2] = pixels[q += rowBytes] & 0xff;
                    col[r + 3] = pixels[q += rowBytes] & 0xff;
                    col[r + 4] = pixels[q += rowBytes] & 0xff;
                    col[r + 5] = pixels[q += rowBytes] & 0xff;
                    col[r + 6] = pixels[q += rowBytes] & 0xff;
                    col[r + 7] = pixels[q + rowBytes] & 0xff;
                }
            }
        }
        for (; r < rows; r++) {
            int p = start + r * rowBytes;
            for (int ch = 0; ch < c; ch++) {
                int q = p + ch;
                for (int j = 0; j < cols; j++, q += c) {
                    columns[ch * cols + j][r] = pixels[q] & 0xff;
                }
            }
        }
    }

    /**
     * {@code tmp[r0 + j][i] = outColumns[i][j] >> 22} (the 8-bit intermediate) for i below {@code
     * width}, j below {@code rows}: a transpose, eight columns at a time.
     */
    private static void scatterRows(int[][] outColumns, int width, int rows, int[][] tmp, int r0) {
        int i = 0;
        for (; i + 7 < width; i += 8) {
            int[] a = outColumns[i];
            int[] b = outColumns[i + 1];
            int[] c = outColumns[i + 2];
            int[] d = outColumns[i + 3];
            int[] e = outColumns[i + 4];
            int[] f = outColumns[i + 5];
            int[] g = outColumns[i + 6];
            int[] h = outColumns[i + 7];
            for (int j = 0; j < rows; j++) {
                int[] row = tmp[r0 + j];
                row[i] = a[j] >> PRECISION_BITS;
                row[i + 1] = b[j] >> PRECISION_BITS;
                row[i + 2] = c[j] >> PRECISION_BITS;
                row[i + 3] = d[j] >> PRECISION_BITS;
                row[i + 4] = e[j] >> PRECISION_BITS;
                row[i + 5] = f[j] >> PRECISION_BITS;
                row[i + 6] = g[j] >> PRECISION_BITS;
                row[i + 7] = h[j] >> PRECISION_BITS;
            }
        }
        for (; i < width; i++) {
            int[] a = outColumns[i];
            for (int j = 0; j < rows; j++) {
                tmp[r0 + j][i] = a[j] >> PRECISION_BITS;
            }
        }
    }

    /**
     * {@code acc = half + Σ_k rows[first+k]·weights[k0+k]} over {@code len} entries: one output
     * column of the horizontal pass (rows = gathered source columns) or one output row of the
     * vertical pass (rows = intermediate rows). Taps outer (two at a time, halving the accumulator
     * traffic), pixels inner: each tap streams a contiguous array.
     */
    private static void weightedSum(
            int[][] rows, int first, int n, int[] weights, int k0, int[] acc, int len) {
        int half = 1 << (PRECISION_BITS - 1);
        int k = 0;
        if (n >= 2) {
            int w0 = weights[k0];
            int w1 = weights[k0 + 1];
            int[] r0 = rows[first];
            int[] r1 = rows[first + 1];
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
            int[] r0 = rows[first + k];
            int[] r1 = rows[first + k + 1];
            for (int j = 0; j < len; j++) {
                acc[j] += r0[j] * w0 + r1[j] * w1;
            }
        }
        if (k < n) {
            int wk = weights[k0 + k];
            int[] row = rows[first + k];
            for (int j = 0; j < len; j++) {
                acc[j] += row[j] * wk;
            }
        }
    }

    /** {@code dst[d + x] = acc[a + x] >> 22} for x below {@code size}. */
    private static void store(int[] acc, int a, byte[] dst, int d, int size) {
        for (int x = 0; x < size; x++) {
            dst[d + x] = (byte) (acc[a + x] >> PRECISION_BITS);
        }
    }

    /** Per-thread intermediate rows and accumulator, grown as needed (crops differ in size). */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        private int[][] rows = new int[0][];
        private int[][] columns = new int[0][];
        private int[][] outColumns = new int[0][];
        private int[] acc = new int[0];

        int[][] rows(int count, int length) {
            if (rows.length < count || (rows.length > 0 && rows[0].length < length)) {
                int n = Math.max(count, rows.length);
                int len = Math.max(length, rows.length > 0 ? rows[0].length : 0);
                rows = new int[n][len];
            }
            return rows;
        }

        int[][] columns(int count) {
            if (columns.length < count) {
                columns = new int[count][STRIP];
            }
            return columns;
        }

        int[][] outColumns(int count) {
            if (outColumns.length < count) {
                outColumns = new int[count][STRIP];
            }
            return outColumns;
        }

        int[] acc(int length) {
            if (acc.length < length) {
                acc = new int[length];
            }
            return acc;
        }
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
         * @param mirror list the output pixels right to left
         */
        static Coefficients of(double in0, double length, int inSize, int outSize, boolean mirror) {
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
                            (int)
                                    (w < 0
                                            ? -0.5 + w * (1 << PRECISION_BITS)
                                            : 0.5 + w * (1 << PRECISION_BITS));
                }
                bounds[2 * xx] = xmin;
                bounds[2 * xx + 1] = Math.max(0, xmax);
            }
            if (mirror) {
                for (int a = 0, b = outSize - 1; a < b; a++, b--) {
                    swap(bounds, 2 * a, 2 * b);
                    swap(bounds, 2 * a + 1, 2 * b + 1);
                    for (int i = 0; i < ksize; i++) {
                        swap(weights, a * ksize + i, b * ksize + i);
                    }
                }
            }
            return new Coefficients(ksize, bounds, weights);
        }

        private static void swap(int[] a, int i, int j) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }

        private static double triangle(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
