package dev.selfsup.data;

import static dev.selfsup.data.LoaderFixture.SHAPES;
import static dev.selfsup.data.LoaderFixture.all;
import static dev.selfsup.data.LoaderFixture.assertSame;
import static dev.selfsup.data.LoaderFixture.loader;
import static dev.selfsup.data.LoaderFixture.twoCrops;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.GaussianBlur;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomGrayscale;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.augment.Solarize;
import org.junit.jupiter.api.Test;

/**
 * Where the {@link Loader} runs the photometric ops, on its threads or on the device, and crop
 * groups of one size that keep their own photometric settings.
 */
class LoaderPhotometricSiteTest {
    /**
     * DINO's layout: two global crops cut alike as two groups with different photometric settings
     * (the first always blurred, never solarised; the second solarised with p 0.2), then local
     * crops.
     */
    private static MultiCrop globalPairAndLocals(int globalSize, int localSize, int localCount) {
        ColorJitter j = new ColorJitter(0.4, 0.4, 0.2, 0.1, 0.8);
        RandomGrayscale g = new RandomGrayscale(0.2);
        RandomResizedCrop global = new RandomResizedCrop(globalSize, 0.4, 1.0);
        return MultiCrop.builder()
                .addGroup(
                        new CropGroup(
                                1,
                                global,
                                0.5,
                                new Photometric(
                                        j,
                                        g,
                                        GaussianBlur.forCrop(1.0, globalSize),
                                        Solarize.none(),
                                        Normalize.IMAGENET)))
                .addGroup(
                        new CropGroup(
                                1,
                                global,
                                0.5,
                                new Photometric(
                                        j,
                                        g,
                                        GaussianBlur.forCrop(0.1, globalSize),
                                        new Solarize(0.2, Solarize.DEFAULT_THRESHOLD),
                                        Normalize.IMAGENET)))
                .addGroup(
                        new CropGroup(
                                localCount,
                                new RandomResizedCrop(localSize, 0.05, 0.4),
                                0.5,
                                new Photometric(
                                        j,
                                        g,
                                        GaussianBlur.forCrop(0.5, localSize),
                                        Solarize.none(),
                                        Normalize.IMAGENET)))
                .build();
    }

    @Test
    void equalSizeGroupsMergeAndKeepTheirOwnPhotometricSettings() {
        // DINO: two 16-px global groups (second one solarises) become one device group of 2 crops.
        MultiCrop dino = globalPairAndLocals(16, 8, 2);
        try (Loader l = loader(SHAPES, dino, 4, 2);
                NDManager m = NDManager.newBaseManager()) {
            HostBatch h = all(l, 0, 0).get(0);
            assertEquals(2, h.groupCount());
            PhotometricDrawCheck.assertNoSolarize(h.draws(0), 0, 4);
            MultiCropBatch b = h.toDevice(m);
            assertEquals(2, b.groups().size());
            assertEquals(16, b.groups().get(0).size());
            assertEquals(2, b.groups().get(0).count());
            assertEquals(new Shape(8, 3, 16, 16), b.groups().get(0).images().getShape());
            assertEquals(new Shape(8, 3, 8, 8), b.groups().get(1).images().getShape());
            assertEquals(new Shape(4, 3, 16, 16), b.groups().get(0).crop(1).getShape());
        }
    }

    @Test
    void photometricOnLoaderThreadsEqualsTheDevicePath() {
        // DINO at 16/8 px: two equal-size global groups with different photometric settings
        // (solarise in the second), blur on every crop of the first, 16+ crops per group.
        MultiCrop dino = globalPairAndLocals(24, 12, 2);
        try (Loader onLoader =
                        Loader.builder()
                                .setDataset(SHAPES)
                                .setTransform(dino)
                                .setBatchSize(10)
                                .optSeed(4)
                                .optPhotometricSite(Loader.PhotometricSite.LOADER)
                                .build();
                Loader onDevice =
                        Loader.builder()
                                .setDataset(SHAPES)
                                .setTransform(dino)
                                .setBatchSize(10)
                                .optSeed(4)
                                .optPhotometricSite(Loader.PhotometricSite.DEVICE)
                                .build();
                NDManager m = NDManager.newBaseManager()) {
            assertTrue(onLoader.photometricOnLoader());
            assertFalse(onDevice.photometricOnLoader());
            HostBatch a = all(onLoader, 1, 0).get(2);
            HostBatch b = all(onDevice, 1, 0).get(2);
            assertSame(a, b);
            assertTrue(a.photometricDone());
            assertFalse(b.photometricDone());
            MultiCropBatch x = a.toDevice(m);
            MultiCropBatch y = b.toDevice(m);
            MultiCropBatch again = a.toDevice(m); // second call: the device path, its own memory
            for (int g = 0; g < 2; g++) {
                float[] expected = y.groups().get(g).images().toFloatArray();
                float[] actual = x.groups().get(g).images().toFloatArray();
                assertEquals(expected.length, actual.length);
                double worst = 0;
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                }
                // ImageNet std ≥ 0.224: 1e-5 on [0, 1] values.
                assertTrue(worst < 1e-5 / 0.224, "group " + g + " differs by " + worst);
                assertArrayEquals(expected, again.groups().get(g).images().toFloatArray(), 0f);
            }
            x.groups().get(1).images().muli(0f);
            assertEquals(0f, x.groups().get(1).images().abs().max().getFloat(), 0f);
            assertTrue(again.groups().get(1).images().abs().max().getFloat() > 0);
        }
    }

    @Test
    void autoRunsThePhotometricOpsOnTheLoaderOnlyForTheCpu() {
        try (Loader cpu =
                        Loader.builder()
                                .setDataset(SHAPES)
                                .setTransform(twoCrops(8))
                                .setBatchSize(4)
                                .optDevice(ai.djl.Device.cpu())
                                .build();
                Loader gpu =
                        Loader.builder()
                                .setDataset(SHAPES)
                                .setTransform(twoCrops(8))
                                .setBatchSize(4)
                                .optDevice(ai.djl.Device.gpu())
                                .build()) {
            assertTrue(cpu.photometricOnLoader());
            assertFalse(gpu.photometricOnLoader());
            assertFalse(all(gpu, 0, 0).get(0).photometricDone());
        }
    }

    /** Checks on drawn parameters. */
    static final class PhotometricDrawCheck {
        static void assertNoSolarize(CropTransform.Crop[] draws, int from, int to) {
            for (int i = from; i < to; i++) {
                dev.selfsup.augment.PhotometricDraw d =
                        ((dev.selfsup.augment.CropDraw) draws[i]).photometric();
                assertFalse(d.solarize(), "first DINO global crop must never be solarised");
                assertTrue(d.blurSigma() > 0, "first DINO global crop is always blurred");
            }
        }
    }
}
