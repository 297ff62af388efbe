package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.CropBox;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.GaussianBlur;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomGrayscale;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.augment.Resampler;
import dev.selfsup.augment.Resize;
import dev.selfsup.augment.Solarize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reproducibility, resume, skipping, shutdown and memory of the {@link Loader}. */
class LoaderTest {
    private static final SyntheticShapes SHAPES = new SyntheticShapes(40, 5, 24, 20, 9L);

    /** Two random-resized crops with SimCLR's photometric ops. */
    private static MultiCrop twoCrops(int size) {
        Photometric p =
                new Photometric(
                        ColorJitter.simclr(1.0),
                        new RandomGrayscale(0.2),
                        GaussianBlur.forCrop(0.5, size),
                        Solarize.none(),
                        Normalize.IMAGENET);
        return MultiCrop.of(new CropGroup(2, new RandomResizedCrop(size, 0.08, 1.0), 0.5, p));
    }

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

    private static Loader loader(ImageDataset ds, MultiCrop t, int batch, int threads) {
        return Loader.builder()
                .setDataset(ds)
                .setTransform(t)
                .setBatchSize(batch)
                .optThreads(threads)
                .optSeed(123)
                .build();
    }

    private static List<HostBatch> all(Loader l, int epoch, int start) {
        List<HostBatch> out = new ArrayList<>();
        try (Loader.Epoch e = l.epoch(epoch, start)) {
            e.forEach(out::add);
        }
        return out;
    }

    private static void assertSame(HostBatch a, HostBatch b) {
        assertArrayEquals(a.indices(), b.indices());
        assertEquals(a.groupCount(), b.groupCount());
        for (int g = 0; g < a.groupCount(); g++) {
            assertArrayEquals(a.pixels(g), b.pixels(g));
            assertArrayEquals(a.draws(g), b.draws(g));
        }
    }

    @Test
    void sameSeedGivesSameBatchesWhateverTheThreadCount() {
        MultiCrop t = MultiCrop.swav(16, 2, 8, 3);
        try (Loader one = loader(SHAPES, t, 8, 1);
                Loader two = loader(SHAPES, t, 8, 2)) {
            assertEquals(5, one.batchesPerEpoch());
            List<HostBatch> a = all(one, 3, 0);
            List<HostBatch> b = all(two, 3, 0);
            assertEquals(5, a.size());
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < a.size(); i++) {
                assertSame(a.get(i), b.get(i));
                for (int idx : a.get(i).indices()) {
                    seen.add(idx);
                }
            }
            assertEquals(40, seen.size()); // a permutation: every image once
        }
    }

    @Test
    void differentEpochsShuffleAndCropDifferently() {
        MultiCrop t = MultiCrop.swav(16, 2, 8, 3);
        try (Loader l = loader(SHAPES, t, 8, 2)) {
            assertFalse(java.util.Arrays.equals(l.order(0), l.order(1)));
            HostBatch e0 = all(l, 0, 0).get(0);
            // Find image e0.indices()[0] in epoch 1 and compare its first crop: different draws.
            int idx = e0.indices()[0];
            for (HostBatch b : all(l, 1, 0)) {
                int[] ind = b.indices();
                for (int s = 0; s < ind.length; s++) {
                    if (ind[s] == idx) {
                        int bytes = 3 * 16 * 16;
                        byte[] p0 = java.util.Arrays.copyOfRange(e0.pixels(0), 0, bytes);
                        byte[] p1 =
                                java.util.Arrays.copyOfRange(
                                        b.pixels(0), s * bytes, (s + 1) * bytes);
                        assertFalse(java.util.Arrays.equals(p0, p1));
                        return;
                    }
                }
            }
            throw new AssertionError("image " + idx + " missing from epoch 1");
        }
    }

    @Test
    void startBatchReproducesTheTailOfTheEpoch() {
        MultiCrop t = twoCrops(12);
        try (Loader l = loader(SHAPES, t, 6, 2)) {
            List<HostBatch> full = all(l, 2, 0);
            List<HostBatch> tail = all(l, 2, 4);
            assertEquals(6, full.size()); // 40 / 6 with drop-last
            assertEquals(2, tail.size());
            assertSame(full.get(4), tail.get(0));
            assertSame(full.get(5), tail.get(1));
            assertEquals(4, tail.get(0).batchIndex());
        }
    }

    @Test
    void deviceBatchIsCropMajorNormalisedAndLabelled() {
        Photometric identity =
                Photometric.normalizeOnly(
                        new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1}));
        MultiCrop t =
                MultiCrop.of(
                        new CropGroup(2, new Resize(10), 0, identity),
                        new CropGroup(1, new Resize(6), 0, identity));
        try (Loader l =
                        Loader.builder()
                                .setDataset(SHAPES)
                                .setTransform(t)
                                .setBatchSize(3)
                                .optShuffle(false)
                                .optDropLast(false)
                                .build();
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(14, l.batchesPerEpoch());
            List<HostBatch> batches = all(l, 0, 0);
            assertEquals(1, batches.get(13).batchSize()); // 40 = 13 × 3 + 1
            MultiCropBatch b = batches.get(1).toDevice(m);
            assertArrayEquals(new int[] {3, 4, 5}, b.indices());
            assertEquals(3, b.cropCount());
            assertEquals(new Shape(6, 3, 10, 10), b.groups().get(0).images().getShape());
            assertEquals(new Shape(3, 3, 6, 6), b.groups().get(1).images().getShape());
            assertEquals(DataType.FLOAT32, b.groups().get(0).images().getDataType());
            assertArrayEquals(new long[] {3, 4, 0}, b.labels().toLongArray());
            float[] images = b.groups().get(0).images().toFloatArray();
            int plane = 3 * 100;
            for (int s = 0; s < 3; s++) {
                byte[] expected = new byte[plane];
                DecodedImage img = SHAPES.decode(3 + s);
                Resampler.crop(img, new CropBox(0, 0, 24, 20, true), 10, false, expected, 0);
                for (int crop = 0; crop < 2; crop++) { // crop-major: crop c of sample s at c·B + s
                    for (int j = 0; j < plane; j++) {
                        assertEquals(
                                (expected[j] & 0xff) / 255f,
                                images[(crop * 3 + s) * plane + j],
                                1e-7f);
                    }
                }
            }
        }
    }

    @Test
    void corruptImagesAreSkippedCountedAndReplaced(@TempDir Path dir) throws IOException {
        for (int i = 0; i < 10; i++) {
            ImageFolderTest.write(dir.resolve("img" + i + ".png"), i);
        }
        Files.write(dir.resolve("img3.png"), new byte[] {9, 9, 9});
        Files.write(dir.resolve("img7.png"), new byte[0]);
        ImageFolder f = ImageFolder.unlabelled(dir);
        try (Loader l = loader(f, twoCrops(8), 4, 2)) {
            List<HostBatch> batches = all(l, 0, 0);
            assertEquals(2, batches.size());
            Set<Integer> used = new HashSet<>();
            for (HostBatch b : batches) {
                assertEquals(4, b.batchSize());
                for (int i : b.indices()) {
                    used.add(i);
                    assertTrue(i != 3 && i != 7, "corrupt image " + i + " in a batch");
                }
            }
            assertEquals(2, l.skippedImages());
        }
    }

    @Test
    void closeStopsEveryWorkerThread() throws InterruptedException {
        Loader l = loader(SHAPES, MultiCrop.swav(16, 2, 8, 2), 4, 2);
        try (Loader.Epoch e = l.epoch(0)) {
            e.next(); // leave prefetched batches in flight
        }
        String prefix = "selfsup-loader-" + Integer.toHexString(System.identityHashCode(l)) + "-";
        assertTrue(loaderThreads(prefix) > 0);
        l.close();
        // The pool reports termination from inside its last worker, a moment before that thread
        // ends: allow it that moment.
        for (int i = 0; i < 100 && loaderThreads(prefix) > 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(0, loaderThreads(prefix));
        assertThrows(IllegalStateException.class, () -> l.epoch(1));
    }

    private static long loaderThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
                .count();
    }

    @Test
    void noArraysLeakOverAThousandBatches() {
        // 1,000 steps with a light photometric chain (brightness/contrast/saturation, grayscale,
        // solarise, normalise: no hue or blur, which cost hundreds of small ops per step on a busy
        // 2-core machine), then 30 steps of the full SwAV chain.
        Photometric light =
                new Photometric(
                        new ColorJitter(0.4, 0.4, 0.4, 0, 0.8),
                        new RandomGrayscale(0.2),
                        GaussianBlur.none(),
                        new Solarize(0.2, 0.5),
                        Normalize.IMAGENET);
        MultiCrop lightCrops =
                MultiCrop.of(new CropGroup(2, new RandomResizedCrop(6, 0.2, 1), 0.5, light));
        assertFlat(lightCrops, 1000);
        assertFlat(MultiCrop.swav(8, 2, 4, 2), 30);
    }

    private static void assertFlat(MultiCrop transform, int stepsWanted) {
        SyntheticShapes tiny = new SyntheticShapes(64, 4, 12, 12, 1L);
        try (Loader l = loader(tiny, transform, 2, 2);
                NDManager run = NDManager.newBaseManager()) {
            int steps = 0;
            int afterWarmup = -1;
            for (int epoch = 0; steps < stepsWanted; epoch++) {
                try (Loader.Epoch e = l.epoch(epoch)) {
                    for (HostBatch h : e) {
                        try (NDManager step = run.newSubManager()) {
                            MultiCropBatch b = h.toDevice(step);
                            assertEquals(transform.cropCount(), b.cropCount());
                        }
                        if (++steps == 10) {
                            afterWarmup = run.getManagedArrays().size();
                        }
                        if (steps == stepsWanted) {
                            break;
                        }
                    }
                }
            }
            assertEquals(afterWarmup, run.getManagedArrays().size());
            assertEquals(0, run.getManagedArrays().size());
        }
    }

    @Test
    void rejectsBadSettings() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Loader.builder()
                                        .setDataset(SHAPES)
                                        .setTransform(twoCrops(8))
                                        .setBatchSize(0)
                                        .build());
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Loader.builder()
                                .setDataset(SHAPES)
                                .setTransform(twoCrops(8))
                                .setBatchSize(41)
                                .build());
        try (Loader l = loader(SHAPES, twoCrops(8), 8, 1)) {
            assertThrows(IllegalArgumentException.class, () -> l.epoch(0, 6));
        }
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
    void evaluationTransformIsTheSameEveryEpoch() {
        try (Loader l =
                Loader.builder()
                        .setDataset(SHAPES)
                        .setTransform(MultiCrop.evaluation(16))
                        .setBatchSize(8)
                        .optShuffle(false)
                        .optDropLast(false)
                        .build()) {
            HostBatch a = all(l, 0, 0).get(2);
            HostBatch b = all(l, 7, 0).get(2);
            assertSame(a, b);
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
    void finishedCropBuffersAreRecycledAfterTheStepUnlessTheArrayMovedAway() {
        MultiCrop t = MultiCrop.swav(16, 2, 8, 2);
        try (Loader l =
                        Loader.builder()
                                .setDataset(SHAPES)
                                .setTransform(t)
                                .setBatchSize(4)
                                .optThreads(1)
                                .optPrefetch(1)
                                .optPhotometricSite(Loader.PhotometricSite.LOADER)
                                .build();
                NDManager run = NDManager.newBaseManager();
                Loader.Epoch e = l.epoch(0)) {
            HostBatch first = e.next();
            NDManager keep = run.newSubManager();
            float[] kept;
            try (NDManager step = run.newSubManager()) {
                MultiCropBatch b = first.toDevice(step);
                b.groups().get(1).images().attach(keep); // group 1 outlives the step
                kept = b.groups().get(1).images().toFloatArray();
            }
            // The second batch may be built before or after the step closed; the third after.
            HostBatch second = e.next();
            HostBatch third = e.next();
            assertTrue(
                    second.imagesBuffer(0) == first.imagesBuffer(0)
                            || third.imagesBuffer(0) == first.imagesBuffer(0),
                    "group-0 buffer not recycled");
            HostBatch fourth = e.next();
            for (HostBatch h : List.of(second, third, fourth)) {
                assertFalse(
                        h.imagesBuffer(1) == first.imagesBuffer(1),
                        "a buffer still in use was recycled");
            }
            for (HostBatch h : List.of(second, third, fourth)) {
                try (NDManager step = run.newSubManager()) {
                    h.toDevice(step);
                }
            }
            assertArrayEquals(kept, keep.getManagedArrays().get(0).toFloatArray(), 0f);
            keep.close();
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
