package dev.selfsup.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.SelfsupEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loader-thread (plain Java) photometric path gives the same numbers as the batched tensor path
 * on the same crops and draws.
 */
class HostPhotometricTest {
    private static final Normalize UNIT =
            new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1});

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    /** Random crops with smooth parts and flat grey / saturated pixels (hue edge cases). */
    private static byte[] crops(int n, int s, SplittableRandom rng) {
        byte[] px = new byte[n * 3 * s * s];
        for (int i = 0; i < n; i++) {
            int base = i * 3 * s * s;
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    int p = y * s + x;
                    int kind = rng.nextInt(10);
                    for (int c = 0; c < 3; c++) {
                        int v;
                        if (kind == 0) {
                            v = 128; // grey: chroma 0
                        } else if (kind == 1) {
                            v = c == 0 ? 255 : 0; // saturated red
                        } else if (kind == 2) {
                            v = c == 2 ? 0 : 200; // r == g: max on two channels
                        } else {
                            v =
                                    (int) (127 + 100 * Math.sin(0.3 * x + 0.2 * y + 2 * c + i))
                                            + rng.nextInt(-27, 28);
                        }
                        px[base + c * s * s + p] = (byte) v;
                    }
                }
            }
        }
        return px;
    }

    private static float[] tensorPath(
            Photometric p, byte[] px, int n, int s, PhotometricDraw[] draws) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray raw = m.create(ByteBuffer.wrap(px), new Shape(n, 3, s, s), DataType.UINT8);
            NDArray x = raw.toType(DataType.FLOAT32, false).divi(255f);
            return p.apply(x, draws).toFloatArray();
        }
    }

    private static float[] hostPath(
            Photometric p, byte[] px, int n, int s, PhotometricDraw[] draws) {
        int len = 3 * s * s;
        float[] out = new float[n * len + 5];
        for (int i = 0; i < n; i++) {
            p.applyOnHost(draws[i], px, i * len, s, out, i * len);
        }
        return out;
    }

    private static void assertClose(
            float[] expected, float[] actual, float tol, PhotometricDraw[] draws, int len) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            worst = Math.max(worst, d);
            if (!(d <= tol)) {
                throw new AssertionError(
                        String.format(
                                "crop %d (%s) value %d: tensor %s, host %s",
                                i / len, draws[i / len], i % len, expected[i], actual[i]));
            }
        }
        assertTrue(worst <= tol, "max difference " + worst);
    }

    /** Every op alone, at both clamp ends, and each jitter op at each step of the order. */
    private static PhotometricDraw[] coveringDraws() {
        List<PhotometricDraw> d = new ArrayList<>();
        d.add(PhotometricDraw.NONE);
        int[][] orders = {{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}};
        for (int[] o : orders) {
            int packed = PhotometricDraw.pack(o);
            d.add(new PhotometricDraw(true, 1.7f, 0.3f, 1.8f, 0.37f, packed, false, 0f, false));
            d.add(new PhotometricDraw(true, 0.25f, 1.9f, 0.1f, -0.45f, packed, false, 0f, false));
        }
        d.add(
                new PhotometricDraw(
                        true, 1f, 1f, 1f, 0.5f, PhotometricDraw.ORDER_BCSH, false, 0f, false));
        d.add(
                new PhotometricDraw(
                        true, 1f, 1f, 1f, -0.5f, PhotometricDraw.ORDER_BCSH, false, 0f, false));
        d.add(
                new PhotometricDraw(
                        false, 1f, 1f, 1f, 0f, PhotometricDraw.ORDER_BCSH, true, 0f, false));
        d.add(
                new PhotometricDraw(
                        false, 1f, 1f, 1f, 0f, PhotometricDraw.ORDER_BCSH, false, 0.1f, false));
        d.add(
                new PhotometricDraw(
                        false, 1f, 1f, 1f, 0f, PhotometricDraw.ORDER_BCSH, false, 2.0f, false));
        d.add(
                new PhotometricDraw(
                        false, 1f, 1f, 1f, 0f, PhotometricDraw.ORDER_BCSH, false, 0f, true));
        d.add(
                new PhotometricDraw(
                        true,
                        1.3f,
                        0.6f,
                        1.4f,
                        0.1f,
                        PhotometricDraw.pack(2, 3, 1, 0),
                        true,
                        1.1f,
                        true));
        return d.toArray(PhotometricDraw[]::new);
    }

    @Test
    void hostPathEqualsTensorPathOnEveryOpBeforeNormalisation() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int s : new int[] {20, 64}) {
            Photometric p =
                    new Photometric(
                            ColorJitter.simclr(1.0),
                            new RandomGrayscale(0.2),
                            GaussianBlur.forCrop(0.5, s),
                            new Solarize(0.2, Solarize.DEFAULT_THRESHOLD),
                            UNIT);
            PhotometricDraw[] draws = coveringDraws();
            int n = draws.length;
            byte[] px = crops(n, s, rng);
            float[] expected = tensorPath(p, px, n, s, draws);
            float[] actual = hostPath(p, px, n, s, draws);
            assertEquals(expected.length + 5, actual.length);
            assertClose(expected, actual, 1e-5f, draws, 3 * s * s);
        }
    }

    @Test
    void hostPathEqualsTensorPathOnSampledSwavDrawsAfterNormalisation() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int s : new int[] {96, 33}) {
            Photometric p =
                    new Photometric(
                            ColorJitter.simclr(1.0),
                            new RandomGrayscale(0.2),
                            GaussianBlur.forCrop(0.5, s),
                            new Solarize(0.3, Solarize.DEFAULT_THRESHOLD),
                            Normalize.SWAV);
            int n = 24; // more than one 16-crop chunk of the tensor path
            PhotometricDraw[] draws = new PhotometricDraw[n];
            for (int i = 0; i < n; i++) {
                draws[i] = p.sample(rng);
            }
            byte[] px = crops(n, s, rng);
            // 1e-5 on [0, 1] values is 1e-5 / 0.224 after dividing by SwAV's std.
            assertClose(
                    tensorPath(p, px, n, s, draws),
                    hostPath(p, px, n, s, draws),
                    1e-5f / 0.224f,
                    draws,
                    3 * s * s);
        }
    }

    @Test
    void hostPathOfNormaliseOnlyIsExactlyToTensorDividedAndStandardised() {
        byte[] px = crops(1, 5, new SplittableRandom(1));
        float[] out = new float[75];
        Photometric.normalizeOnly(Normalize.IMAGENET)
                .applyOnHost(PhotometricDraw.NONE, px, 0, 5, out, 0);
        float[] mean = Normalize.IMAGENET.mean();
        float[] std = Normalize.IMAGENET.std();
        for (int i = 0; i < 75; i++) {
            float unit = (px[i] & 0xff) / 255f;
            assertEquals((unit - mean[i / 25]) / std[i / 25], out[i], 0f);
        }
    }

    @Test
    void rejectsCropsThatDoNotFit() {
        Photometric p = Photometric.normalizeOnly(UNIT);
        assertThrows(
                IllegalArgumentException.class,
                () -> p.applyOnHost(PhotometricDraw.NONE, new byte[74], 0, 5, new float[75], 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> p.applyOnHost(PhotometricDraw.NONE, new byte[75], 0, 5, new float[75], 1));
        Photometric blurred =
                new Photometric(
                        ColorJitter.none(),
                        new RandomGrayscale(0),
                        new GaussianBlur(1, 1, 1, 11),
                        Solarize.none(),
                        UNIT);
        PhotometricDraw blur =
                new PhotometricDraw(
                        false, 1f, 1f, 1f, 0f, PhotometricDraw.ORDER_BCSH, false, 1f, false);
        assertThrows(
                IllegalArgumentException.class,
                () -> blurred.applyOnHost(blur, new byte[75], 0, 5, new float[75], 0));
    }
}
