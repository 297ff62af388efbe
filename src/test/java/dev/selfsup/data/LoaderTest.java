package dev.selfsup.data;

import static dev.selfsup.data.LoaderFixture.SHAPES;
import static dev.selfsup.data.LoaderFixture.all;
import static dev.selfsup.data.LoaderFixture.assertSame;
import static dev.selfsup.data.LoaderFixture.loader;
import static dev.selfsup.data.LoaderFixture.twoCrops;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.CropBox;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.Resampler;
import dev.selfsup.augment.Resize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reproducibility, resume, batch layout, skipping and settings of the {@link Loader}. */
class LoaderTest {
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
}
