package dev.selfsup.augment;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The photometric ops of {@link Photometric} on one crop in plain Java, for loader threads when the
 * training device is the CPU (not API: reached through {@link Photometric#applyOnHost}).
 *
 * <p>Same formulas, same float32 operation order as the tensor ops ({@link ColorJitter}, {@link
 * RandomGrayscale}, {@link GaussianBlur}, {@link Solarize}, {@link Normalize}), so results agree to
 * float rounding: the sums whose order differs are the contrast mean (here accumulated in double)
 * and the blur taps (PyTorch's convolution may reorder them; taps below {@link #NEGLIGIBLE_TAP} are
 * skipped), a few 1e-7 on [0, 1] values.
 *
 * <p>Speed: each op is one pass over three per-thread colour planes, written as a counted loop that
 * indexes every array with the same {@code i} from 0 — the only form HotSpot's C2 (JDK 17) turns
 * into SIMD code; shifted reads of one array, or the same array at two offsets, stay scalar. Hence
 * the branch-free hue and the blur through row arrays and transposes. Nothing is allocated per crop
 * except the blur kernel.
 */
final class HostPhotometric {
    private static final float R = RandomGrayscale.RED;
    private static final float G = RandomGrayscale.GREEN;
    private static final float B = RandomGrayscale.BLUE;

    private HostPhotometric() {}

    /** One thread's colour planes for one crop side. */
    static final class Planes {
        final float[] r;
        final float[] g;
        final float[] b;

        /** Hue scratch: value, chroma, shifted 6·H. */
        final float[] v;

        final float[] c;
        final float[] h;

        Planes(int n) {
            r = new float[n];
            g = new float[n];
            b = new float[n];
            v = new float[n];
            c = new float[n];
            h = new float[n];
        }
    }

    /** One thread's blur planes as row arrays, for one crop side. */
    static final class Scratch {
        final float[][] a;
        final float[][] b;

        Scratch(int size) {
            a = new float[size][size];
            b = new float[size][size];
        }
    }

    /** Per thread and crop area / side (SwAV alternates 224 and 96 on each worker). */
    private static final ThreadLocal<Map<Integer, Planes>> PLANES =
            ThreadLocal.withInitial(HashMap::new);

    private static final ThreadLocal<Map<Integer, Scratch>> BLUR =
            ThreadLocal.withInitial(HashMap::new);

    /** {@code u / 255f} for every byte u: the same float as {@code toType(FLOAT32).divi(255f)}. */
    private static final float[] UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            UNIT[i] = (float) i / 255f;
        }
    }

    /**
     * Runs p's ops with draw d on the uint8 CHW crop {@code src[srcOff ..]} of side s, writing the
     * normalised float32 CHW crop to {@code dst[dstOff ..]} or, if dst is null, to {@code
     * dstBuffer} from index dstOff.
     */
    static void apply(
            Photometric p,
            PhotometricDraw d,
            byte[] src,
            int srcOff,
            int s,
            float[] dst,
            FloatBuffer dstBuffer,
            int dstOff) {
        int n = s * s;
        Planes pl = PLANES.get().computeIfAbsent(n, Planes::new);
        float[] r = pl.r;
        float[] g = pl.g;
        float[] b = pl.b;
        toUnit(src, srcOff, r, n);
        toUnit(src, srcOff + n, g, n);
        toUnit(src, srcOff + 2 * n, b, n);
        if (d.jitter()) {
            for (int step = 0; step < 4; step++) {
                switch (d.opAt(step)) {
                    case 0 -> {
                        if (d.brightness() != 1f) {
                            brightness(r, g, b, n, d.brightness());
                        }
                    }
                    case 1 -> {
                        if (d.contrast() != 1f) {
                            contrast(r, g, b, pl.h, n, d.contrast());
                        }
                    }
                    case 2 -> {
                        if (d.saturation() != 1f) {
                            saturation(r, g, b, n, d.saturation());
                        }
                    }
                    default -> {
                        if (d.hue() != 0f) {
                            hue(pl, n, d.hue());
                        }
                    }
                }
            }
        }
        if (d.grayscale()) {
            grayscale(r, g, b, n);
        }
        if (d.blurSigma() > 0) {
            float[] kernel = GaussianBlur.kernel1d(p.blur().kernelSize(), d.blurSigma());
            Scratch scratch = BLUR.get().computeIfAbsent(s, Scratch::new);
            blurPlane(r, s, kernel, scratch);
            blurPlane(g, s, kernel, scratch);
            blurPlane(b, s, kernel, scratch);
        }
        float[] mean = p.normalize().mean();
        float[] std = p.normalize().std();
        float threshold = (float) p.solarize().threshold();
        float[][] planes = {r, g, b};
        for (int c = 0; c < 3; c++) {
            float[] x = planes[c];
            if (d.solarize()) {
                solarize(x, n, threshold);
            }
            normalize(x, n, mean[c], std[c]);
            if (dst != null) {
                System.arraycopy(x, 0, dst, dstOff + c * n, n);
            } else {
                dstBuffer.put(dstOff + c * n, x, 0, n);
            }
        }
    }

    /** uint8 → float /255 through a table (C2 does not vectorise the byte → float conversion). */
    static void toUnit(byte[] src, int srcOff, float[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = UNIT[src[srcOff + i] & 0xff];
        }
    }

    private static float clamp(float v) {
        return Math.min(Math.max(v, 0f), 1f);
    }

    static void brightness(float[] r, float[] g, float[] b, int n, float f) {
        for (int i = 0; i < n; i++) {
            r[i] = clamp(r[i] * f);
            g[i] = clamp(g[i] * f);
            b[i] = clamp(b[i] * f);
        }
    }

    /** {@code clamp(f·x + m)}, m = mean(luma)·(1 − f) in float32 as the fused tensor blend. */
    static void contrast(float[] r, float[] g, float[] b, float[] luma, int n, float f) {
        for (int i = 0; i < n; i++) {
            luma[i] = r[i] * R + g[i] * G + b[i] * B; // vectorised
        }
        // Four independent double sums: a single one waits on each add's latency.
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += luma[i];
            s1 += luma[i + 1];
            s2 += luma[i + 2];
            s3 += luma[i + 3];
        }
        for (; i < n; i++) {
            s0 += luma[i];
        }
        double sum = (s0 + s1) + (s2 + s3);
        float m = (float) (sum / n) * (float) (1.0 - f);
        for (i = 0; i < n; i++) {
            r[i] = clamp(r[i] * f + m);
            g[i] = clamp(g[i] * f + m);
            b[i] = clamp(b[i] * f + m);
        }
    }

    /** {@code clamp(f·x + (1 − f)·luma)}. */
    static void saturation(float[] r, float[] g, float[] b, int n, float f) {
        float w = (float) (1.0 - f);
        for (int i = 0; i < n; i++) {
            float lw = (r[i] * R + g[i] * G + b[i] * B) * w;
            r[i] = clamp(r[i] * f + lw);
            g[i] = clamp(g[i] * f + lw);
            b[i] = clamp(b[i] * f + lw);
        }
    }

    /** 2^127: turns any positive difference of two distinct pipeline values into ≥ 1. */
    private static final float BIG = 0x1p127f;

    /** 1.5·2^23: {@code (t + MAGIC) − MAGIC} rounds a small t to an integer. */
    private static final float MAGIC = 0x1.8p23f;

    /**
     * Same closed form as {@link ColorJitter#hue}, written without branches and split into short
     * loops so that C2 vectorises it (it only unrolls, hence vectorises, small loop bodies). The
     * three-way choice of the hue formula uses exact 0/1 weights: {@code e = 1 − min(1, (v −
     * r)·2^127)} is 1 when v = r and 0 for any difference above 2^-127 (pixel values are far from
     * that), and {@code e·x + (1 − e)·y} is then exactly x or y.
     */
    static void hue(Planes p, int n, float factor) {
        float shift = 6f * factor + 6f;
        float[] r = p.r;
        float[] g = p.g;
        float[] b = p.b;
        float[] v = p.v;
        float[] c = p.c;
        float[] h = p.h;
        for (int i = 0; i < n; i++) {
            float vi = Math.max(Math.max(r[i], g[i]), b[i]);
            v[i] = vi;
            c[i] = vi - Math.min(Math.min(r[i], g[i]), b[i]);
        }
        for (int i = 0; i < n; i++) {
            float isR = 1f - Math.min(1f, (v[i] - r[i]) * BIG);
            float isG = (1f - isR) * (1f - Math.min(1f, (v[i] - g[i]) * BIG));
            float isB = (1f - isR) - isG;
            h[i] = isR * (g[i] - b[i]) + isG * (b[i] - r[i]) + isB * (r[i] - g[i]);
            r[i] = isG * 2f + isB * 4f; // the sector base, kept in r until r is rewritten
        }
        for (int i = 0; i < n; i++) {
            float div = c[i] + (1f - Math.min(1f, c[i] * BIG)); // chroma, or 1 for grey (H = 0)
            h[i] = (h[i] / div + r[i]) + shift;
        }
        channel(r, v, c, h, n, 6f);
        channel(g, v, c, h, n, 4f);
        channel(b, v, c, h, n, 2f);
    }

    /** {@code x = v − weight(h + offset)·c}. */
    private static void channel(float[] x, float[] v, float[] c, float[] h, int n, float offset) {
        for (int i = 0; i < n; i++) {
            x[i] = v[i] - weight(h[i] + offset) * c[i];
        }
    }

    /**
     * {@code clamp(2 − |(a mod 6) − 3|, 0, 1)} for a in [0, 24), the mod with a rounded quotient:
     * where it lands on the other side of a multiple of 6 the result is 0 either way (|m − 3| is 3
     * at both ends).
     */
    private static float weight(float a) {
        float q = (a * (1f / 6f) - 0.5f + MAGIC) - MAGIC;
        float m = a - 6f * q;
        return clamp(2f - Math.abs(m - 3f));
    }

    static void grayscale(float[] r, float[] g, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            float l = r[i] * R + g[i] * G + b[i] * B;
            r[i] = l;
            g[i] = l;
            b[i] = l;
        }
    }

    /**
     * Taps of the kernel that can move a [0, 1] value: a Gaussian kernel's outer weights fall to
     * 1e-30 for small σ; skipping those below this bound changes a result by less than the bound
     * times the kernel size (< 3e-8 for SimCLR's 23 taps).
     */
    static final float NEGLIGIBLE_TAP = 1e-9f;

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

    static void solarize(float[] x, int n, float threshold) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            x[i] = v >= threshold ? -v + 1f : v;
        }
    }

    static void normalize(float[] x, int n, float mean, float std) {
        for (int i = 0; i < n; i++) {
            x[i] = (x[i] - mean) / std;
        }
    }
}
