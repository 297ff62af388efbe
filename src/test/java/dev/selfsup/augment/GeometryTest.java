package dev.selfsup.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.data.DecodedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Crop parameter distributions, evaluation boxes and Pillow-style resampling. */
class GeometryTest {
    @Test
    void randomResizedCropStaysWithinScaleAndRatioBounds() {
        RandomResizedCrop rrc = new RandomResizedCrop(96, 0.05, 0.14);
        SplittableRandom rng = new SplittableRandom(42);
        int w = 500;
        int h = 375;
        double minArea = 1;
        double maxArea = 0;
        double minLogRatio = 1;
        double maxLogRatio = -1;
        for (int i = 0; i < 20_000; i++) {
            CropBox b = rrc.sample(w, h, rng);
            assertTrue(
                    b.x() >= 0 && b.y() >= 0 && b.x() + b.width() <= w && b.y() + b.height() <= h,
                    b.toString());
            assertEquals(Math.rint(b.x()), b.x(), 0.0);
            double area = b.width() * b.height() / (w * h);
            double ratio = b.width() / b.height();
            // Integer rounding of w and h moves area and ratio by at most ~1 px on each side.
            double slack = 1.0 / Math.min(b.width(), b.height());
            assertTrue(
                    area >= 0.05 * (1 - 2 * slack) && area <= 0.14 * (1 + 2 * slack),
                    "area " + area);
            assertTrue(
                    Math.abs(Math.log(ratio)) <= Math.log(4.0 / 3) + 2 * slack, "ratio " + ratio);
            minArea = Math.min(minArea, area);
            maxArea = Math.max(maxArea, area);
            minLogRatio = Math.min(minLogRatio, Math.log(ratio));
            maxLogRatio = Math.max(maxLogRatio, Math.log(ratio));
        }
        // The draws cover the whole range, not a corner of it.
        assertTrue(minArea < 0.052 && maxArea > 0.138, minArea + " " + maxArea);
        assertTrue(minLogRatio < -0.27 && maxLogRatio > 0.27, minLogRatio + " " + maxLogRatio);
    }

    @Test
    void impossibleRatioFallsBackToClampedCentreCrop() {
        // A 1000×10 strip: no 3/4..4/3 box of 90 %+ area fits, so torchvision's fallback applies.
        CropBox b = new RandomResizedCrop(32, 0.9, 1.0).sample(1000, 10, new SplittableRandom(1));
        assertEquals(13, b.width(), 0.0); // round(10 × 4/3)
        assertEquals(10, b.height(), 0.0);
        assertEquals((1000 - 13) / 2, b.x(), 0.0);
        assertEquals(0, b.y(), 0.0);
    }

    @Test
    void evaluationBoxIsResize256ThenCentreCrop224() {
        CropBox b = new ResizeCenterCrop(224, 0.875).sample(500, 375, null);
        // shorter side 375 → 256, longer 500 → int(256·500/375) = 341; offsets round(16) and
        // round(58.5) = 58
        double s = 500.0 / 341;
        assertEquals(58 * s, b.x(), 1e-9);
        assertEquals(16 * 375.0 / 256, b.y(), 1e-9);
        assertEquals(224 * s, b.width(), 1e-9);
        assertEquals(224 * 375.0 / 256, b.height(), 1e-9);
    }

    private static DecodedImage random(int w, int h, int c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] px = new byte[w * h * c];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) rng.nextInt(256);
        }
        return new DecodedImage(w, h, c, px);
    }

    @Test
    void sameSizeCropCopiesPixelsToPlanarAndFlips() {
        DecodedImage img = random(5, 5, 3, 1);
        byte[] out = new byte[3 * 25];
        byte[] flipped = new byte[3 * 25];
        Resampler.crop(img, new CropBox(0, 0, 5, 5, true), 5, false, out, 0);
        Resampler.crop(img, new CropBox(0, 0, 5, 5, true), 5, true, flipped, 0);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 5; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(img.get(x, y, c), out[c * 25 + y * 5 + x] & 0xff);
                    assertEquals(img.get(4 - x, y, c), flipped[c * 25 + y * 5 + x] & 0xff);
                }
            }
        }
    }

    @Test
    void grayscaleSourceIsReplicatedToThreeChannels() {
        DecodedImage img = random(6, 4, 1, 2);
        byte[] out = new byte[3 * 9];
        Resampler.crop(img, new CropBox(1, 0, 4, 4, true), 3, false, out, 0);
        for (int i = 0; i < 9; i++) {
            assertEquals(out[i], out[9 + i]);
            assertEquals(out[i], out[18 + i]);
        }
    }

    @Test
    void resamplingMatchesNaiveAntialiasedBilinearWithinOneLevel() {
        DecodedImage img = random(50, 37, 3, 3);
        CropBox[] boxes = {
            new CropBox(3, 5, 40, 30, true), // downscale ×2.5 with clamping to the box
            new CropBox(10, 2, 7, 9, true), // upscale
            new ResizeCenterCrop(16, 0.875).sample(50, 37, null), // fractional box, no clamping
        };
        for (CropBox box : boxes) {
            int s = 16;
            byte[] out = new byte[3 * s * s];
            Resampler.crop(img, box, s, false, out, 0);
            double[][] wx =
                    naiveWeights(
                            box.x(),
                            box.width(),
                            box.clampToBox() ? (int) box.x() : 0,
                            box.clampToBox() ? (int) Math.ceil(box.x() + box.width()) : 50,
                            s);
            double[][] wy =
                    naiveWeights(
                            box.y(),
                            box.height(),
                            box.clampToBox() ? (int) box.y() : 0,
                            box.clampToBox() ? (int) Math.ceil(box.y() + box.height()) : 37,
                            s);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        double v = 0;
                        for (int sy = 0; sy < 37; sy++) {
                            for (int sx = 0; sx < 50; sx++) {
                                v += wy[y][sy] * wx[x][sx] * img.get(sx, sy, c);
                            }
                        }
                        int got = out[c * s * s + y * s + x] & 0xff;
                        // Pillow rounds to 8 bits between the two passes: at most one level apart.
                        assertEquals(v, got, 1.01, box + " at " + x + "," + y);
                    }
                }
            }
        }
    }

    /** Dense weights of Pillow's triangle filter, support scaled by the downscale factor. */
    private static double[][] naiveWeights(double in0, double len, int lo, int hi, int out) {
        double scale = len / out;
        double fs = Math.max(1, scale);
        double[][] w = new double[out][hi + 60];
        for (int o = 0; o < out; o++) {
            double center = in0 + (o + 0.5) * scale;
            double sum = 0;
            for (int i = lo; i < hi; i++) {
                double t = Math.abs((i + 0.5 - center) / fs);
                w[o][i] = t < 1 ? 1 - t : 0;
                sum += w[o][i];
            }
            for (int i = lo; i < hi; i++) {
                w[o][i] /= sum;
            }
        }
        return w;
    }

    @Test
    void constantImageStaysConstant() {
        byte[] px = new byte[40 * 30 * 3];
        java.util.Arrays.fill(px, (byte) 200);
        byte[] out = new byte[3 * 7 * 7];
        Resampler.crop(
                new DecodedImage(40, 30, 3, px), new CropBox(3, 1, 33, 25, true), 7, true, out, 0);
        for (byte b : out) {
            assertEquals(200, b & 0xff);
        }
    }

    @Test
    void presetsHaveThePapersCropLayout() {
        MultiCrop swav = MultiCrop.swav();
        assertEquals(8, swav.cropCount());
        assertEquals(224, swav.groups().get(0).size());
        assertEquals(2, swav.groups().get(0).count());
        assertEquals(96, swav.groups().get(1).size());
        assertEquals(6, swav.groups().get(1).count());
        assertEquals(new RandomResizedCrop(96, 0.05, 0.14), swav.groups().get(1).geometry());
        assertEquals(Normalize.SWAV, swav.groups().get(0).photometric().normalize());
        assertEquals(
                23,
                swav.groups().get(0).photometric().blur().kernelSize(),
                "SimCLR's kernel: 10 % of the side, odd");
        MultiCrop custom =
                MultiCrop.swav().toBuilder()
                        .setGroup(1, MultiCrop.swav().groups().get(1).withCount(4))
                        .build();
        assertEquals(6, custom.cropCount());
    }
}
