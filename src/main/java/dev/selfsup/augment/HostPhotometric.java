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
 * and the blur taps (PyTorch's convolution may reorder them; taps below {@link
 * HostBlur#NEGLIGIBLE_TAP} are skipped), a few 1e-7 on [0, 1] values.
 *
 * <p>Speed: each op is one pass over three per-thread colour planes, written as a counted loop that
 * indexes every array with the same {@code i} from 0 — the only form HotSpot's C2 (JDK 17) turns
 * into SIMD code; shifted reads of one array, or the same array at two offsets, stay scalar. Hence
 * the branch-free hue ({@link HostHue}) and the blur through row arrays and transposes ({@link
 * HostBlur}). Nothing is allocated per crop except the blur kernel.
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

    /** Per thread and crop area / side (SwAV alternates 224 and 96 on each worker). */
    private static final ThreadLocal<Map<Integer, Planes>> PLANES =
            ThreadLocal.withInitial(HashMap::new);

    private static final ThreadLocal<Map<Integer, HostBlur.Scratch>> BLUR =
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
                            HostHue.hue(pl, n, d.hue());
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
            HostBlur.Scratch scratch = BLUR.get().computeIfAbsent(s, HostBlur.Scratch::new);
            HostBlur.blurPlane(r, s, kernel, scratch);
            HostBlur.blurPlane(g, s, kernel, scratch);
            HostBlur.blurPlane(b, s, kernel, scratch);
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

    static float clamp(float v) {
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

    static void grayscale(float[] r, float[] g, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            float l = r[i] * R + g[i] * G + b[i] * B;
            r[i] = l;
            g[i] = l;
            b[i] = l;
        }
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
