package dev.selfsup.augment;

/** The Gaussian blur of {@link HostPhotometric}, one colour plane at a time. */
final class HostBlur {
    /**
     * Taps of the kernel that can move a [0, 1] value: a Gaussian kernel's outer weights fall to
     * 1e-30 for small σ; skipping those below this bound changes a result by less than the bound
     * times the kernel size (< 3e-8 for SimCLR's 23 taps).
     */
    static final float NEGLIGIBLE_TAP = 1e-9f;

    private HostBlur() {}

    /** One thread's blur planes as row arrays, for one crop side. */
    static final class Scratch {
        final float[][] a;
        final float[][] b;

        Scratch(int size) {
            a = new float[size][size];
            b = new float[size][size];
        }
    }

    /**
     * Separable Gaussian blur of one s×s plane in place, reflect padding. Both 1-D passes are the
     * same vertical pass over row arrays ({@code out[j] += w·in[j]}, one index: the form C2
     * vectorises), with a transpose in between and after, instead of a horizontal pass whose
     * shifted reads it does not.
     */
    static void blurPlane(float[] x, int s, float[] kernel, Scratch scratch) {
        int lo = 0;
        int pad = kernel.length / 2;
        while (lo < pad && kernel[lo] < NEGLIGIBLE_TAP) {
            lo++;
        }
        float[][] a = scratch.a;
        float[][] b = scratch.b;
        for (int y = 0; y < s; y++) {
            System.arraycopy(x, y * s, a[y], 0, s);
        }
        verticalPass(a, b, s, kernel, lo);
        transpose(b, a, s);
        verticalPass(a, b, s, kernel, lo);
        transposeToPlane(b, x, s);
    }

    /**
     * {@code out[y] = Σ_q kernel[q]·in[reflect(y − pad + q)]}, taps {@code lo .. k − 1 − lo}. The
     * kernel is symmetric, so taps q and k − 1 − q share one multiply, and two such pairs share one
     * pass over {@code out[y]}.
     */
    private static void verticalPass(float[][] in, float[][] out, int s, float[] kernel, int lo) {
        int pad = kernel.length / 2;
        float wc = kernel[pad];
        for (int y = 0; y < s; y++) {
            float[] o = out[y];
            float[] c = in[y];
            for (int j = 0; j < s; j++) {
                o[j] = wc * c[j];
            }
            int q = lo;
            for (; q + 1 < pad; q += 2) {
                float[] a0 = in[reflect(y - pad + q, s)];
                float[] a1 = in[reflect(y + pad - q, s)];
                float[] b0 = in[reflect(y - pad + q + 1, s)];
                float[] b1 = in[reflect(y + pad - q - 1, s)];
                float wa = kernel[q];
                float wb = kernel[q + 1];
                for (int j = 0; j < s; j++) {
                    o[j] += wa * (a0[j] + a1[j]) + wb * (b0[j] + b1[j]);
                }
            }
            if (q < pad) {
                float[] a0 = in[reflect(y - pad + q, s)];
                float[] a1 = in[reflect(y + pad - q, s)];
                float wa = kernel[q];
                for (int j = 0; j < s; j++) {
                    o[j] += wa * (a0[j] + a1[j]);
                }
            }
        }
    }

    /**
     * {@code out[j][y] = in[y][j]}, eight rows of {@code in} at a time (one row reference each).
     */
    private static void transpose(float[][] in, float[][] out, int s) {
        int y = 0;
        for (; y + 7 < s; y += 8) {
            float[] r0 = in[y];
            float[] r1 = in[y + 1];
            float[] r2 = in[y + 2];
            float[] r3 = in[y + 3];
            float[] r4 = in[y + 4];
            float[] r5 = in[y + 5];
            float[] r6 = in[y + 6];
            float[] r7 = in[y + 7];
            for (int j = 0; j < s; j++) {
                float[] o = out[j];
                o[y] = r0[j];
                o[y + 1] = r1[j];
                o[y + 2] = r2[j];
                o[y + 3] = r3[j];
                o[y + 4] = r4[j];
                o[y + 5] = r5[j];
                o[y + 6] = r6[j];
                o[y + 7] = r7[j];
            }
        }
        for (; y < s; y++) {
            float[] r = in[y];
            for (int j = 0; j < s; j++) {
                out[j][y] = r[j];
            }
        }
    }

    /** {@code x[j·s + y] = in[y][j]}: the transpose back into the flat plane. */
    private static void transposeToPlane(float[][] in, float[] x, int s) {
        int y = 0;
        for (; y + 7 < s; y += 8) {
            float[] r0 = in[y];
            float[] r1 = in[y + 1];
            float[] r2 = in[y + 2];
            float[] r3 = in[y + 3];
            float[] r4 = in[y + 4];
            float[] r5 = in[y + 5];
            float[] r6 = in[y + 6];
            float[] r7 = in[y + 7];
            for (int j = 0, o = y; j < s; j++, o += s) {
                x[o] = r0[j];
                x[o + 1] = r1[j];
                x[o + 2] = r2[j];
                x[o + 3] = r3[j];
                x[o + 4] = r4[j];
                x[o + 5] = r5[j];
                x[o + 6] = r6[j];
                x[o + 7] = r7[j];
            }
        }
        for (; y < s; y++) {
            float[] r = in[y];
            for (int j = 0; j < s; j++) {
                x[j * s + y] = r[j];
            }
        }
    }

    private static int reflect(int i, int s) {
        return i < 0 ? -i : i >= s ? 2 * (s - 1) - i : i;
    }
}
