package dev.selfsup.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each batched photometric op against values computed by hand or by a naive Java loop. */
class PhotometricOpsTest {
    // Two samples of 3×1×2 pixels (float32 tolerance for O(1) values).
    private static final float[] PIXELS = {
        0.2f, 0.9f, // sample 0, red
        0.5f, 0.1f, // green
        0.8f, 0.3f, // blue
        0.6f, 0.0f, // sample 1, red
        0.6f, 1.0f, // green
        0.1f, 0.4f, // blue
    };
    private static final float TOL = 1e-6f;

    private static NDArray tiny(NDManager m) {
        return m.create(PIXELS, new Shape(2, 3, 1, 2));
    }

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
    void grayscaleUsesItu601WeightsOnSelectedSamplesOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out =
                    RandomGrayscale.apply(tiny(m), new boolean[] {false, true}).toFloatArray();
            for (int i = 0; i < 6; i++) {
                assertEquals(PIXELS[i], out[i], 0f);
            }
            float l0 = (float) (0.299 * 0.6 + 0.587 * 0.6 + 0.114 * 0.1);
            float l1 = (float) (0.299 * 0.0 + 0.587 * 1.0 + 0.114 * 0.4);
            assertArrayEquals(
                    new float[] {l0, l1, l0, l1, l0, l1},
                    java.util.Arrays.copyOfRange(out, 6, 12),
                    TOL);
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
    void blurKernelMatchesTheGaussianFormula() {
        // k = 3, σ = 1: [e^-0.5, 1, e^-0.5] / (1 + 2 e^-0.5)
        double e = Math.exp(-0.5);
        assertArrayEquals(
                new float[] {
                    (float) (e / (1 + 2 * e)), (float) (1 / (1 + 2 * e)), (float) (e / (1 + 2 * e))
                },
                GaussianBlur.kernel1d(3, 1.0),
                1e-7f);
        assertArrayEquals(
                new float[] {0.27406862f, 0.45186276f, 0.27406862f},
                GaussianBlur.kernel1d(3, 1.0),
                1e-7f);
        float[] k5 = GaussianBlur.kernel1d(5, 0.5); // exp(-2) and exp(-8) tails
        double z = 1 + 2 * Math.exp(-2) + 2 * Math.exp(-8);
        assertEquals(1 / z, k5[2], 1e-7);
        assertEquals(Math.exp(-8) / z, k5[0], 1e-7);
        assertEquals(23, GaussianBlur.kernelSizeFor(224));
        assertEquals(9, GaussianBlur.kernelSizeFor(96));
    }

    @Test
    void blurMatchesNaiveReflectPaddedConvolution() {
        int h = 5;
        int w = 6;
        int k = 5;
        float[] px = new float[2 * 3 * h * w];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextDouble();
        }
        float[] sigma = {1.3f, 0f};
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out =
                    GaussianBlur.apply(m.create(px, new Shape(2, 3, h, w)), sigma, k)
                            .toFloatArray();
            float[] kern = GaussianBlur.kernel1d(k, 1.3);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double sum = 0;
                        for (int dy = -2; dy <= 2; dy++) {
                            for (int dx = -2; dx <= 2; dx++) {
                                int yy = reflect(y + dy, h);
                                int xx = reflect(x + dx, w);
                                sum += kern[dy + 2] * kern[dx + 2] * px[(c * h + yy) * w + xx];
                            }
                        }
                        assertEquals(sum, out[(c * h + y) * w + x], 1e-6);
                    }
                }
            }
            for (int i = 3 * h * w; i < px.length; i++) {
                assertEquals(px[i], out[i], 0f); // σ = 0: untouched
            }
        }
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }

    @Test
    void solarizeInvertsAtOrAboveThreshold() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out = Solarize.apply(tiny(m), new boolean[] {true, false}, 0.5f).toFloatArray();
            float[] expected = PIXELS.clone();
            for (int i = 0; i < 6; i++) {
                expected[i] = PIXELS[i] >= 0.5f ? 1f - PIXELS[i] : PIXELS[i];
            }
            assertArrayEquals(expected, out, TOL);
        }
    }

    @Test
    void normalizeStandardisesPerChannel() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] out = Normalize.SWAV.apply(tiny(m)).toFloatArray();
            float[] mean = {0.485f, 0.456f, 0.406f};
            float[] std = {0.228f, 0.224f, 0.225f};
            for (int i = 0; i < 12; i++) {
                int c = (i / 2) % 3;
                assertEquals((PIXELS[i] - mean[c]) / std[c], out[i], 1e-5f);
            }
        }
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

    @Test
    void photometricApplyKeepsTheCallersManagerFlat() {
        Photometric p = MultiCrop.swav(8, 2, 4, 2).groups().get(0).photometric();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0f, 1f, new Shape(40, 3, 8, 8)); // > one chunk
            SplittableRandom rng = new SplittableRandom(1);
            PhotometricDraw[] draws = new PhotometricDraw[40];
            for (int i = 0; i < 40; i++) {
                draws[i] = p.sample(rng);
            }
            int before = m.getManagedArrays().size();
            NDArray y = p.apply(x, draws);
            assertEquals(before + 1, m.getManagedArrays().size());
            assertEquals(new Shape(40, 3, 8, 8), y.getShape());
            assertTrue(y.isInfinite().logicalOr(y.isNaN()).none().getBoolean());
        }
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new ColorJitter(-0.1, 0, 0, 0, 1));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> new ColorJitter(0, 0, 0, 0.6, 1));
        assertTrue(e.getMessage().contains("0.6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GaussianBlur(0.5, 0.1, 2.0, 4));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> ColorJitter.brightness(tiny(m), new float[] {1f}));
        }
    }

    @Test
    void drawsFollowTheConfiguredProbabilitiesAndRanges() {
        Photometric p =
                new Photometric(
                        new ColorJitter(0.4, 0.3, 0.2, 0.1, 0.8),
                        new RandomGrayscale(0.2),
                        new GaussianBlur(0.5, 0.1, 2.0, 9),
                        new Solarize(0.3, 0.5),
                        Normalize.IMAGENET);
        SplittableRandom rng = new SplittableRandom(5);
        int n = 20_000;
        int jitter = 0;
        int gray = 0;
        int blur = 0;
        int sol = 0;
        java.util.Set<Integer> orders = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            PhotometricDraw d = p.sample(rng);
            if (d.jitter()) {
                jitter++;
                assertTrue(
                        d.brightness() >= 0.6f && d.brightness() <= 1.4f,
                        "brightness " + d.brightness());
                assertTrue(
                        d.contrast() >= 0.7f && d.contrast() <= 1.3f, "contrast " + d.contrast());
                assertTrue(
                        d.saturation() >= 0.8f && d.saturation() <= 1.2f,
                        "saturation " + d.saturation());
                assertTrue(Math.abs(d.hue()) <= 0.1f, "hue " + d.hue());
                int seen = 0;
                for (int k = 0; k < 4; k++) {
                    seen |= 1 << d.opAt(k);
                }
                assertEquals(0b1111, seen); // a permutation of the four ops
                orders.add(d.order());
            } else {
                assertEquals(PhotometricDraw.NONE.brightness(), d.brightness());
            }
            gray += d.grayscale() ? 1 : 0;
            if (d.blurSigma() > 0) {
                blur++;
                assertTrue(
                        d.blurSigma() >= 0.1f && d.blurSigma() <= 2.0f, "sigma " + d.blurSigma());
            }
            sol += d.solarize() ? 1 : 0;
        }
        // Binomial standard deviations are <= 0.0036 at n = 20,000; allow ~5 of them.
        assertEquals(0.8, jitter / (double) n, 0.02);
        assertEquals(0.2, gray / (double) n, 0.02);
        assertEquals(0.5, blur / (double) n, 0.02);
        assertEquals(0.3, sol / (double) n, 0.02);
        assertEquals(24, orders.size()); // every order occurs
    }
}
