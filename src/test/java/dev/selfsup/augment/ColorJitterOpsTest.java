package dev.selfsup.augment;

import static dev.selfsup.augment.PhotometricPixels.PIXELS;
import static dev.selfsup.augment.PhotometricPixels.TOL;
import static dev.selfsup.augment.PhotometricPixels.tiny;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each colour-jitter op, alone and fused in each sample's order, against values computed by hand or
 * by a naive Java loop.
 */
class ColorJitterOpsTest {
    private static double luma(int n, int p) {
        return 0.299 * PIXELS[n * 6 + p]
                + 0.587 * PIXELS[n * 6 + 2 + p]
                + 0.114 * PIXELS[n * 6 + 4 + p];
    }

    private static float clamp(double v) {
        return (float) Math.max(0, Math.min(1, v));
    }

    @Test
    void brightnessScalesAndClampsPerSample() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out = ColorJitter.brightness(tiny(m), new float[] {1.5f, 0.5f}).toFloatArray();
            float[] expected = new float[12];
            for (int i = 0; i < 12; i++) {
                expected[i] = clamp(PIXELS[i] * (i < 6 ? 1.5 : 0.5));
            }
            assertArrayEquals(expected, out, TOL);
            assertEquals(1f, out[1], 0f); // 0.9 × 1.5 clamped
        }
    }

    @Test
    void contrastBlendsWithTheSampleMeanLuma() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] f = {0.3f, 1.8f};
            float[] out = ColorJitter.contrast(tiny(m), f).toFloatArray();
            for (int n = 0; n < 2; n++) {
                double mean = (luma(n, 0) + luma(n, 1)) / 2;
                for (int i = 0; i < 6; i++) {
                    assertEquals(
                            clamp(f[n] * PIXELS[n * 6 + i] + (1 - f[n]) * mean),
                            out[n * 6 + i],
                            TOL);
                }
            }
        }
    }

    @Test
    void saturationBlendsWithPixelLuma() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] f = {0.0f, 1.7f};
            float[] out = ColorJitter.saturation(tiny(m), f).toFloatArray();
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 2; p++) {
                        int i = n * 6 + c * 2 + p;
                        assertEquals(
                                clamp(f[n] * PIXELS[i] + (1 - f[n]) * luma(n, p)), out[i], TOL);
                    }
                }
            }
            // Factor 0 is full desaturation: all channels equal the luma 0.299·0.2 + 0.587·0.5 +
            // 0.114·0.8 = 0.0598 + 0.2935 + 0.0912.
            assertEquals(0.4445f, out[0], TOL);
            assertEquals(0.4445f, out[2], TOL);
        }
    }

    @Test
    void hueMatchesNaiveHsvRoundTrip() {
        SplittableRandom rng = new SplittableRandom(7);
        int n = 4;
        int hw = 64;
        float[] px = new float[n * 3 * hw];
        for (int i = 0; i < px.length; i++) {
            // include exact ties (grey pixels, equal max channels) as well as random colours
            px[i] = i % 17 == 0 ? 0.5f : (float) rng.nextDouble();
        }
        for (int p = 0; p < hw; p += 9) {
            px[p] = px[hw + p]; // r == g for some pixels of sample 0
        }
        float[] factors = {0.25f, -0.5f, 0.0f, 0.1f};
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out =
                    ColorJitter.hue(m.create(px, new Shape(n, 3, 1, hw)), factors).toFloatArray();
            for (int s = 0; s < n; s++) {
                for (int p = 0; p < hw; p++) {
                    double[] rgb =
                            naiveHue(
                                    px[s * 3 * hw + p],
                                    px[s * 3 * hw + hw + p],
                                    px[s * 3 * hw + 2 * hw + p],
                                    factors[s]);
                    for (int c = 0; c < 3; c++) {
                        assertEquals(
                                rgb[c],
                                out[s * 3 * hw + c * hw + p],
                                2e-6,
                                "sample " + s + " pixel " + p + " channel " + c);
                    }
                }
            }
        }
    }

    /** Textbook RGB → HSV → RGB in double precision (the colorsys algorithm). */
    private static double[] naiveHue(double r, double g, double b, double shift) {
        double max = Math.max(r, Math.max(g, b));
        double min = Math.min(r, Math.min(g, b));
        double v = max;
        double h = 0;
        double s = 0;
        if (max != min) {
            s = (max - min) / max;
            double d = max - min;
            if (max == r) {
                h = ((g - b) / d) / 6;
            } else if (max == g) {
                h = (2 + (b - r) / d) / 6;
            } else {
                h = (4 + (r - g) / d) / 6;
            }
            h = h - Math.floor(h);
        }
        h = h + shift;
        h = h - Math.floor(h);
        int i = (int) Math.floor(h * 6) % 6;
        double f = h * 6 - Math.floor(h * 6);
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        return switch (i) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }

    @Test
    void fusedJitterEqualsTheOpsInEachSamplesOrder() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 6;
        float[] px = new float[n * 3 * 16];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextDouble();
        }
        int[][] orders = {
            {0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}, {0, 1, 2, 3}, {3, 0, 1, 2}
        };
        PhotometricDraw[] draws = new PhotometricDraw[n];
        for (int i = 0; i < n; i++) {
            boolean on = i != 4; // sample 4 is not jittered
            draws[i] =
                    new PhotometricDraw(
                            on,
                            0.6f + 0.1f * i,
                            1.4f - 0.1f * i,
                            0.5f + 0.2f * i,
                            0.15f - 0.06f * i,
                            PhotometricDraw.pack(orders[i]),
                            false,
                            0f,
                            false);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(px, new Shape(n, 3, 4, 4));
            float[] fused = ColorJitter.apply(x, draws).toFloatArray();
            for (int i = 0; i < n; i++) {
                NDArray s = x.get("{}:{}", i, i + 1);
                if (draws[i].jitter()) {
                    for (int step = 0; step < 4; step++) {
                        PhotometricDraw d = draws[i];
                        s =
                                switch (d.opAt(step)) {
                                    case 0 ->
                                            ColorJitter.brightness(s, new float[] {d.brightness()});
                                    case 1 -> ColorJitter.contrast(s, new float[] {d.contrast()});
                                    case 2 ->
                                            ColorJitter.saturation(s, new float[] {d.saturation()});
                                    default -> ColorJitter.hue(s, new float[] {d.hue()});
                                };
                    }
                }
                float[] one = s.toFloatArray();
                for (int j = 0; j < one.length; j++) {
                    assertEquals(one[j], fused[i * 48 + j], 1e-6f, "sample " + i);
                }
            }
            for (int j = 0; j < 48; j++) {
                assertEquals(px[4 * 48 + j], fused[4 * 48 + j], 0f);
            }
        }
    }
}
