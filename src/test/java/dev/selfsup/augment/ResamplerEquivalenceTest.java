package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.selfsup.data.DecodedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The optimised {@link Resampler} equals, byte for byte, the straightforward interleaved two-pass
 * version it replaced (kept below verbatim as the reference), on random images, boxes and sizes.
 */
class ResamplerEquivalenceTest {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    @Test
    void matchesReferenceImplementationBitForBit() {
        compareOnRandomCases(new SplittableRandom(7), 400, 120, 90, 70);
    }

    @Test
    void matchesReferenceAcrossSeveralRowStrips() {
        // Taller than Resampler.STRIP rows, so the horizontal pass runs in more than one strip.
        compareOnRandomCases(new SplittableRandom(11), 12, 300, 3 * Resampler.STRIP, 240);
    }

    @Test
    void refusesDownscalesBeyondTheExactRange() {
        DecodedImage wide = new DecodedImage(20_000, 1, 1, new byte[20_000]);
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Resampler.crop(
                                        wide,
                                        new CropBox(0, 0, 20_000, 1, true),
                                        1,
                                        false,
                                        new byte[3],
                                        0));
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("resize the image first"), e.getMessage());
    }

    private static void compareOnRandomCases(
            SplittableRandom rng, int cases, int maxW, int maxH, int maxSize) {
        for (int t = 0; t < cases; t++) {
            int w = 1 + rng.nextInt(maxW);
            int h = 1 + rng.nextInt(maxH);
            int c = rng.nextInt(4) == 0 ? 1 : 3;
            byte[] px = new byte[w * h * c];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) rng.nextInt(256);
            }
            DecodedImage img = new DecodedImage(w, h, c, px);
            double bw = 0.5 + rng.nextDouble() * w;
            double bh = 0.5 + rng.nextDouble() * h;
            double bx = rng.nextDouble() * (w - bw + 1) - (rng.nextInt(5) == 0 ? 1.5 : 0);
            double by = rng.nextDouble() * (h - bh + 1) - (rng.nextInt(5) == 0 ? 1.5 : 0);
            if (rng.nextBoolean()) {
                bx = Math.rint(bx);
                by = Math.rint(by);
            }
            CropBox box = new CropBox(bx, by, bw, bh, rng.nextBoolean());
            int size = 1 + rng.nextInt(rng.nextBoolean() ? 12 : maxSize);
            boolean flip = rng.nextBoolean();
            int offset = rng.nextInt(5);
            byte[] expected = new byte[offset + 3 * size * size + 3];
            byte[] actual = expected.clone();
            try {
                crop(img, box, size, flip, expected, offset);
            } catch (IllegalArgumentException e) {
                continue; // box outside the image: both must refuse (checked by GeometryTest)
            }
            Resampler.crop(img, box, size, flip, actual, offset);
            assertArrayEquals(
                    expected, actual, "case " + t + ": " + box + " size " + size + " c " + c);
        }
    }

    private static byte clip8(int s) {
        int v = s >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static int clip8i(int s) {
        int v = s >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** The previous Resampler.crop, unchanged except for per-call buffers. */
    static void crop(
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
        Resampler.Coefficients cx =
                Resampler.Coefficients.of(box.x() - bx0, box.width(), bx1 - bx0, size, false);
        Resampler.Coefficients cy =
                Resampler.Coefficients.of(box.y() - by0, box.height(), by1 - by0, size, false);
        // Rows of the (clamped) source the vertical pass reads.
        int rowFirst = cy.bounds[0];
        int rowLast = rowFirst;
        for (int y = 0; y < size; y++) {
            rowFirst = Math.min(rowFirst, cy.bounds[2 * y]);
            rowLast = Math.max(rowLast, cy.bounds[2 * y] + cy.bounds[2 * y + 1]);
        }
        int rows = rowLast - rowFirst;
        byte[] pixels = src.pixels();
        int rowStride = size * c;
        // The intermediate rows as int arrays (values 0..255, as Pillow's 8-bit intermediate):
        // the vertical pass below is then "acc[j] += row[j]·w", a loop C2 vectorises.
        int[][] tmp = new int[rows][rowStride];
        int[] acc = new int[rowStride];
        // Horizontal pass: rows [rowFirst, rowLast) of the clamped region → size columns.
        int half = 1 << (PRECISION_BITS - 1);
        for (int r = 0; r < rows; r++) {
            int srcRow = ((by0 + rowFirst + r) * w + bx0) * c;
            int[] out = tmp[r];
            int o = 0;
            for (int x = 0; x < size; x++) {
                int first = cx.bounds[2 * x];
                int n = cx.bounds[2 * x + 1];
                int k0 = x * cx.ksize;
                if (c == 3) {
                    int s0 = half;
                    int s1 = half;
                    int s2 = half;
                    int p = srcRow + first * 3;
                    for (int k = 0; k < n; k++, p += 3) {
                        int wk = cx.weights[k0 + k];
                        s0 += (pixels[p] & 0xff) * wk;
                        s1 += (pixels[p + 1] & 0xff) * wk;
                        s2 += (pixels[p + 2] & 0xff) * wk;
                    }
                    out[o++] = clip8i(s0);
                    out[o++] = clip8i(s1);
                    out[o++] = clip8i(s2);
                } else {
                    int s0 = half;
                    int p = srcRow + first;
                    for (int k = 0; k < n; k++, p++) {
                        s0 += (pixels[p] & 0xff) * cx.weights[k0 + k];
                    }
                    out[o++] = clip8i(s0);
                }
            }
        }
        // Vertical pass → planar output, replicating a single channel to RGB. Taps outer, pixels
        // inner: each tap streams one contiguous intermediate row (much faster than column walks).
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            int first = cy.bounds[2 * y] - rowFirst;
            int n = cy.bounds[2 * y + 1];
            int k0 = y * cy.ksize;
            java.util.Arrays.fill(acc, 0, rowStride, half);
            for (int k = 0; k < n; k++) {
                int wk = cy.weights[k0 + k];
                int[] row = tmp[first + k];
                for (int j = 0; j < rowStride; j++) {
                    acc[j] += row[j] * wk;
                }
            }
            int rowOut = offset + y * size;
            for (int x = 0; x < size; x++) {
                int ox = rowOut + (flip ? size - 1 - x : x);
                if (c == 3) {
                    dst[ox] = clip8(acc[3 * x]);
                    dst[ox + plane] = clip8(acc[3 * x + 1]);
                    dst[ox + 2 * plane] = clip8(acc[3 * x + 2]);
                } else {
                    byte v = clip8(acc[x]);
                    dst[ox] = v;
                    dst[ox + plane] = v;
                    dst[ox + 2 * plane] = v;
                }
            }
        }
    }
}
