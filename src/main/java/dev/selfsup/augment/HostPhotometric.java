package dev.selfsup.augment;

/**
 * The photometric ops of {@link Photometric} on one crop in plain Java, for loader threads when
 * the training device is the CPU (not API: reached through {@link Photometric#applyOnHost}).
 *
 * <p>Same formulas, same float32 operation order as the tensor ops ({@link ColorJitter}, {@link
 * RandomGrayscale}, {@link GaussianBlur}, {@link Solarize}, {@link Normalize}), so results agree
 * to float rounding: the only sums whose order differs are the contrast mean (here accumulated in
 * double) and the blur taps (PyTorch's convolution may reorder them), a few 1e-7 on [0, 1] values.
 *
 * <p>Each op is one pass over planar float data written as a simple counted loop, which HotSpot's
 * C2 turns into SIMD code; measured faster than one fused scalar pass with a switch per op. Hue
 * is scalar (its three-way branch does not vectorise). The blur is two 1-D passes through a
 * per-thread scratch plane; solarise and normalise are fused into one last pass.
 */
final class HostPhotometric {
    private static final float R = RandomGrayscale.RED;
    private static final float G = RandomGrayscale.GREEN;
    private static final float B = RandomGrayscale.BLUE;

    /** Per-thread scratch: blur intermediate plane, padded row, accumulator row. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private HostPhotometric() {}

    static final class Scratch {
        float[] plane = new float[0];
        float[] row = new float[0];

        void ensure(int size, int pad) {
            if (plane.length < size * size) {
                plane = new float[size * size];
            }
            if (row.length < size + 2 * pad) {
                row = new float[size + 2 * pad];
            }
        }
    }

    /**
     * Runs p's ops with draw d on the uint8 CHW crop {@code src[srcOff ..]} of side s, writing the
     * normalised float32 CHW crop to {@code dst[dstOff ..]}.
     */
    static void apply(Photometric p, PhotometricDraw d, byte[] src, int srcOff, int s, float[] dst, int dstOff) {
        int n = s * s;
        toUnit(src, srcOff, dst, dstOff, 3 * n);
        if (d.jitter()) {
            for (int step = 0; step < 4; step++) {
                switch (d.opAt(step)) {
                    case 0 -> {
                        if (d.brightness() != 1f) {
                            brightness(dst, dstOff, 3 * n, d.brightness());
                        }
                    }
                    case 1 -> {
                        if (d.contrast() != 1f) {
                            contrast(dst, dstOff, n, d.contrast());
                        }
                    }
                    case 2 -> {
                        if (d.saturation() != 1f) {
                            saturation(dst, dstOff, n, d.saturation());
                        }
                    }
                    default -> {
                        if (d.hue() != 0f) {
                            hue(dst, dstOff, n, d.hue());
                        }
                    }
                }
            }
        }
        if (d.grayscale()) {
            grayscale(dst, dstOff, n);
        }
        if (d.blurSigma() > 0) {
            int k = p.blur().kernelSize();
            float[] kernel = GaussianBlur.kernel1d(k, d.blurSigma());
            Scratch scratch = SCRATCH.get();
            scratch.ensure(s, k / 2);
            for (int c = 0; c < 3; c++) {
                blurPlane(dst, dstOff + c * n, s, kernel, scratch);
            }
        }
        float[] mean = p.normalize().mean();
        float[] std = p.normalize().std();
        boolean sol = d.solarize();
        float threshold = (float) p.solarize().threshold();
        for (int c = 0; c < 3; c++) {
            int off = dstOff + c * n;
            if (sol) {
                solarize(dst, off, n, threshold);
            }
            normalize(dst, off, n, mean[c], std[c]);
        }
    }

    /** uint8 → float /255, as {@code toType(FLOAT32)} then {@code divi(255f)}. */
    static void toUnit(byte[] src, int srcOff, float[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = (float) (src[srcOff + i] & 0xff) / 255f;
        }
    }

    private static float clamp(float v) {
        return Math.min(Math.max(v, 0f), 1f);
    }

    static void brightness(float[] x, int off, int len, float f) {
        for (int i = off; i < off + len; i++) {
            x[i] = clamp(x[i] * f);
        }
    }

    /** {@code clamp(f·x + m)}, m = mean(luma)·(1 − f) in float32 as the fused tensor blend. */
    static void contrast(float[] x, int off, int n, float f) {
        double sum = 0;
        for (int i = off; i < off + n; i++) {
            sum += x[i] * R + x[i + n] * G + x[i + 2 * n] * B;
        }
        float m = (float) (sum / n) * (float) (1.0 - f);
        for (int i = off; i < off + 3 * n; i++) {
            x[i] = clamp(x[i] * f + m);
        }
    }

    /** {@code clamp(f·x + (1 − f)·luma)}. */
    static void saturation(float[] x, int off, int n, float f) {
        float w = (float) (1.0 - f);
        for (int i = off; i < off + n; i++) {
            float l = x[i] * R + x[i + n] * G + x[i + 2 * n] * B;
            float lw = l * w;
            x[i] = clamp(x[i] * f + lw);
            x[i + n] = clamp(x[i + n] * f + lw);
            x[i + 2 * n] = clamp(x[i + 2 * n] * f + lw);
        }
    }

    /** Same closed form as {@link ColorJitter#hue}, pixel by pixel. */
    static void hue(float[] x, int off, int n, float factor) {
        float shift = 6f * factor + 6f;
        for (int i = off; i < off + n; i++) {
            float r = x[i];
            float g = x[i + n];
            float b = x[i + 2 * n];
            float v = Math.max(Math.max(r, g), b);
            float chroma = v - Math.min(Math.min(r, g), b);
            float div = chroma == 0f ? 1f : chroma;
            float h6;
            if (v == r) {
                h6 = (g - b) / div;
            } else if (v == g) {
                h6 = (b - r) / div + 2f;
            } else {
                h6 = (r - g) / div + 4f;
            }
            h6 += shift;
            x[i] = v - weight(h6 + 6f) * chroma;
            x[i + n] = v - weight(h6 + 4f) * chroma;
            x[i + 2 * n] = v - weight(h6 + 2f) * chroma;
        }
    }

    /** {@code clamp(2 − |(a mod 6) − 3|, 0, 1)} for a in [0, 24); the subtractions are exact. */
    private static float weight(float a) {
        float m = a - 6f * (float) (int) (a * (1f / 6f));
        // a·(1/6) may round across an integer: bring m back into [0, 6) (exact, Sterbenz).
        if (m < 0f) {
            m += 6f;
        } else if (m >= 6f) {
            m -= 6f;
        }
        float d = Math.abs(m - 3f);
        return clamp(-d + 2f);
    }

    static void grayscale(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float l = x[i] * R + x[i + n] * G + x[i + 2 * n] * B;
            x[i] = l;
            x[i + n] = l;
            x[i + 2 * n] = l;
        }
    }

    /**
     * Separable Gaussian blur of one s×s plane in place, reflect padding: vertical pass into the
     * scratch plane, then horizontal pass through a padded row back into the plane.
     */
    static void blurPlane(float[] x, int off, int s, float[] kernel, Scratch scratch) {
        int k = kernel.length;
        int pad = k / 2;
        float[] tmp = scratch.plane;
        float[] row = scratch.row;
        for (int y = 0; y < s; y++) {
            int t = y * s;
            int r0 = off + reflect(y - pad, s) * s;
            float w0 = kernel[0];
            for (int j = 0; j < s; j++) {
                tmp[t + j] = w0 * x[r0 + j];
            }
            for (int q = 1; q < k; q++) {
                int rq = off + reflect(y - pad + q, s) * s;
                float wq = kernel[q];
                for (int j = 0; j < s; j++) {
                    tmp[t + j] += wq * x[rq + j];
                }
            }
        }
        for (int y = 0; y < s; y++) {
            int t = y * s;
            System.arraycopy(tmp, t, row, pad, s);
            for (int j = 1; j <= pad; j++) {
                row[pad - j] = tmp[t + j];
                row[pad + s - 1 + j] = tmp[t + s - 1 - j];
            }
            int o = off + t;
            float w0 = kernel[0];
            for (int j = 0; j < s; j++) {
                x[o + j] = w0 * row[j];
            }
            for (int q = 1; q < k; q++) {
                float wq = kernel[q];
                for (int j = 0; j < s; j++) {
                    x[o + j] += wq * row[j + q];
                }
            }
        }
    }

    private static int reflect(int i, int s) {
        return i < 0 ? -i : i >= s ? 2 * (s - 1) - i : i;
    }

    static void solarize(float[] x, int off, int n, float threshold) {
        for (int i = off; i < off + n; i++) {
            float v = x[i];
            x[i] = v >= threshold ? -v + 1f : v;
        }
    }

    static void normalize(float[] x, int off, int n, float mean, float std) {
        for (int i = off; i < off + n; i++) {
            x[i] = (x[i] - mean) / std;
        }
    }
}
