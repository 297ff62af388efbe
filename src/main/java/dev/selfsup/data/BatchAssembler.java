package dev.selfsup.data;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.selfsup.engine.Seeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of a {@link Loader}: the visiting order of an epoch and the decoding and cutting
 * of one batch, with unreadable images skipped and replaced (see the {@link Loader} comment).
 */
final class BatchAssembler {
    // Warnings keep the Loader's logger name, as before the split.
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);

    private final ImageDataset dataset;
    private final CropTransform transform;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final boolean skipUnreadable;
    private final boolean photometricOnLoader;
    private final BufferPool buffers;
    private final AtomicLong skippedTotal = new AtomicLong();

    /** Output group of each crop (crop order) and its position within that group. */
    private final int[] cropGroup;

    private final int[] cropInGroup;
    private final List<int[]> outputGroups; // {size, count}
    private final List<List<HostBatch.Segment>> segments;

    /** Photometric stage of each crop (crop order). */
    private final CropTransform.PhotometricStage[] cropPhotometric;

    BatchAssembler(
            ImageDataset dataset,
            CropTransform transform,
            int batchSize,
            long seed,
            boolean shuffle,
            boolean dropLast,
            boolean skipUnreadable,
            Loader.PhotometricSite site,
            Device device,
            BufferPool buffers) {
        this.dataset = dataset;
        this.transform = transform;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.skipUnreadable = skipUnreadable;
        this.photometricOnLoader =
                site == Loader.PhotometricSite.LOADER
                        || (site == Loader.PhotometricSite.AUTO
                                && Device.Type.CPU.equals(
                                        (device != null
                                                        ? device
                                                        : Engine.getInstance().defaultDevice())
                                                .getDeviceType()));
        this.buffers = buffers;
        int crops = transform.cropCount();
        cropPhotometric = new CropTransform.PhotometricStage[crops];
        cropGroup = new int[crops];
        cropInGroup = new int[crops];
        outputGroups = new ArrayList<>();
        segments = new ArrayList<>();
        int k = 0;
        for (CropTransform.Group g : transform.groups()) {
            int last = outputGroups.size() - 1;
            if (last < 0 || outputGroups.get(last)[0] != g.size()) {
                outputGroups.add(new int[] {g.size(), 0});
                segments.add(new ArrayList<>());
                last++;
            }
            int[] og = outputGroups.get(last);
            segments.get(last).add(new HostBatch.Segment(og[1], g.count(), g.photometric()));
            for (int c = 0; c < g.count(); c++) {
                cropPhotometric[k] = g.photometric();
                cropGroup[k] = last;
                cropInGroup[k++] = og[1]++;
            }
        }
    }

    /**
     * Whether the photometric ops run here, on the loader threads ({@link Loader.PhotometricSite}).
     */
    boolean photometricOnLoader() {
        return photometricOnLoader;
    }

    /** Batches in one epoch: {@code N / B}, rounded down with drop-last, up otherwise. */
    int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Images skipped as unreadable over all epochs so far (each counted once per epoch). */
    long skippedImages() {
        return skippedTotal.get();
    }

    /** The visiting order of an epoch: a permutation of [0, N) (identity without shuffling). */
    int[] order(int epoch) {
        int n = dataset.size();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        if (shuffle) {
            RandomGenerator rng = Seeds.derive(seed, "shuffle", epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
        }
        return perm;
    }

    /**
     * Batch b of an epoch visited in {@code perm}; adds the unreadable images to {@code failed}.
     */
    HostBatch build(int epoch, int b, int[] perm, Set<Integer> failed) {
        int n = perm.length;
        int first = b * batchSize;
        int size = Math.min(batchSize, n - first);
        int[] indices = new int[size];
        int[] labels = new int[size];
        int groupsCount = outputGroups.size();
        byte[][] pixels = new byte[groupsCount][];
        CropTransform.Crop[][] draws = new CropTransform.Crop[groupsCount][];
        ByteBuffer[] images = new ByteBuffer[groupsCount];
        FloatBuffer[] imageFloats = new FloatBuffer[groupsCount];
        for (int g = 0; g < groupsCount; g++) {
            int s = outputGroups.get(g)[0];
            int count = outputGroups.get(g)[1];
            pixels[g] = new byte[count * size * 3 * s * s];
            draws[g] = new CropTransform.Crop[count * size];
            if (photometricOnLoader) {
                // Direct and native-order so toDevice can hand it to PyTorch without a copy.
                images[g] = buffers.take(pixels[g].length * Float.BYTES);
                imageFloats[g] = images[g].asFloatBuffer();
            }
        }
        int replacement = first + size; // position in the epoch order of the next stand-in
        int attempts = 0;
        for (int slot = 0; slot < size; slot++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("loader interrupted");
            }
            int index = perm[first + slot];
            RandomGenerator rng = Seeds.derive(seed, "crop", epoch, index);
            DecodedImage image = null;
            while (image == null) {
                try {
                    image = dataset.decode(index);
                } catch (IOException | RuntimeException e) {
                    if (!skipUnreadable) {
                        throw new UncheckedIOException(
                                new IOException(
                                        String.format(
                                                "%s: image %d is unreadable (%s); evaluation needs every image: fix or remove"
                                                        + " the file",
                                                dataset.name(), index, e.getMessage()),
                                        e));
                    }
                    if (failed.add(index)) {
                        skippedTotal.incrementAndGet();
                        LOG.warn(
                                "skipping unreadable image {} of {}: {}",
                                index,
                                dataset.name(),
                                e.getMessage());
                    }
                    if (++attempts > n) {
                        throw new UncheckedIOException(
                                new IOException(
                                        dataset.name()
                                                + ": no readable image left to fill batch "
                                                + b
                                                + " of epoch "
                                                + epoch));
                    }
                    index = perm[replacement++ % n];
                    rng = Seeds.derive(seed, "crop-replacement", epoch, index, b, slot);
                }
            }
            indices[slot] = index;
            labels[slot] = dataset.label(index);
            CropTransform.Crop[] crops = transform.sample(image.width(), image.height(), rng);
            for (int k = 0; k < crops.length; k++) {
                int g = cropGroup[k];
                int s = outputGroups.get(g)[0];
                int pos = cropInGroup[k] * size + slot;
                int len = 3 * s * s;
                crops[k].cut(image, s, pixels[g], pos * len);
                draws[g][pos] = crops[k];
                if (photometricOnLoader) {
                    cropPhotometric[k].applyOnHost(
                            draws[g][pos], pixels[g], pos * len, s, imageFloats[g], pos * len);
                }
            }
        }
        List<HostBatch.Group> groups = new ArrayList<>();
        for (int g = 0; g < groupsCount; g++) {
            int[] og = outputGroups.get(g);
            groups.add(
                    new HostBatch.Group(
                            og[0],
                            og[1],
                            pixels[g],
                            draws[g],
                            segments.get(g),
                            images[g],
                            buffers));
        }
        return new HostBatch(epoch, b, indices, labels, groups);
    }
}
