package dev.selfsup.augment;

/** The hue shift of {@link HostPhotometric}, on a crop's three colour planes at once. */
final class HostHue {
    /** 2^127: turns any positive difference of two distinct pipeline values into ≥ 1. */
    private static final float BIG = 0x1p127f;

    /** 1.5·2^23: {@code (t + MAGIC) − MAGIC} rounds a small t to an integer. */
    private static final float MAGIC = 0x1.8p23f;

    private HostHue() {}

    /**
     * Same closed form as {@link ColorJitter#hue}, written without branches and split into short
     * loops so that C2 vectorises it (it only unrolls, hence vectorises, small loop bodies). The
     * three-way choice of the hue formula uses exact 0/1 weights: {@code e = 1 − min(1, (v −
     * r)·2^127)} is 1 when v = r and 0 for any difference above 2^-127 (pixel values are far from
     * that), and {@code e·x + (1 − e)·y} is then exactly x or y.
     */
    static void hue(HostPhotometric.Planes p, int n, float factor) {
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
        return HostPhotometric.clamp(2f - Math.abs(m - 3f));
    }
}
