package dev.selfsup.augment;

import static dev.selfsup.augment.PhotometricPixels.PIXELS;
import static dev.selfsup.augment.PhotometricPixels.TOL;
import static dev.selfsup.augment.PhotometricPixels.tiny;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The other batched photometric ops (grayscale, blur, solarise, normalise), the drawn parameters
 * and the whole chain against values computed by hand or by a naive Java loop; the colour-jitter
 * ops are in {@link ColorJitterOpsTest}.
 */
class PhotometricOpsTest {
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
