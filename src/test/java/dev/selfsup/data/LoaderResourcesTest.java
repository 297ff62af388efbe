package dev.selfsup.data;

import static dev.selfsup.data.LoaderFixture.SHAPES;
import static dev.selfsup.data.LoaderFixture.loader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.GaussianBlur;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomGrayscale;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.augment.Solarize;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shutdown and memory of the {@link Loader}: worker threads, arrays, recycled crop buffers. */
class LoaderResourcesTest {
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
}
