package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.selfsup.engine.Seeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parallel, reproducible batch loader: worker threads decode images and cut their crops on the
 * CPU, a bounded window of batches is prefetched, and the training thread turns each {@link
 * HostBatch} into device arrays with {@link HostBatch#toDevice}.
 *
 * <p>The loader knows a transform only as a {@link CropTransform} ({@code augment.MultiCrop}
 * implements it). Where the photometric ops run ({@link PhotometricSite}, {@link
 * Builder#optPhotometricSite}): on the loader threads, in plain Java on each crop ({@link
 * CropTransform.PhotometricStage#applyOnHost}), so that {@code toDevice} only wraps the finished
 * float32 crops; or batched on the training device ({@link CropTransform.PhotometricStage#apply})
 * from the uint8 crops. The default, {@link PhotometricSite#AUTO}, picks the loader threads when
 * the training device ({@link Builder#optDevice}, default {@code
 * Engine.getInstance().defaultDevice()}) is the CPU — there the Java ops cost about a tenth of the
 * CPU time of PyTorch's element-wise passes — and the device otherwise (a GPU does them almost for
 * free and the upload is 4× smaller in uint8). Both paths give the same values within float
 * rounding (~1e-6); the choice is visible as {@link #photometricOnLoader()} and {@link
 * HostBatch#photometricDone()}.
 *
 * <p>Memory on the loader path: a batch holds its finished crops as float32 in direct buffers (B ×
 * 1.9 MB for SwAV's 2×224 + 6×96, 4× the uint8 crops), for each batch in flight; the buffers are
 * reused once the step that consumed them closes (up to {@code prefetch + 2} kept per crop size),
 * because a fresh buffer's page faults cost more CPU than filling it. The JVM's direct-memory limit
 * ({@code -XX:MaxDirectMemorySize}, by default the heap limit) must hold them.
 *
 * <p>Reproducibility: epoch e visits the dataset in the permutation drawn from {@code
 * Seeds.derive(seed, "shuffle", e)}; every random choice for image i in epoch e — crop boxes, flips
 * and photometric parameters — comes from {@code Seeds.derive(seed, "crop", e, i)} on the worker,
 * so batches do not depend on the thread count, and {@link #epoch(int, int)} with a start batch
 * yields exactly the tail of the full epoch (resume mid-epoch).
 *
 * <p>Unreadable, truncated or corrupt images are skipped with one warning each and counted ({@link
 * Epoch#skippedImages()}); the slot is filled with the images that follow the batch in the epoch
 * order, so every batch keeps its size (their crops come from a separate stream keyed by epoch,
 * image, batch and slot, so a replacement never duplicates its own crops).
 *
 * <pre>{@code
 * try (Loader loader = Loader.builder().setDataset(ds).setTransform(MultiCrop.swav())
 *         .setBatchSize(64).optSeed(seed).build();
 *      Loader.Epoch batches = loader.epoch(epoch, startBatch)) {
 *     for (HostBatch host : batches) {
 *         try (NDManager step = run.newSubManager()) {
 *             MultiCropBatch batch = host.toDevice(step);
 *             ...
 *         }
 *     }
 * }
 * }</pre>
 */
public final class Loader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);

    private final ImageDataset dataset;
    private final CropTransform transform;
    private final int batchSize;
    private final int threads;
    private final int prefetch;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final boolean skipUnreadable;
    private final ExecutorService pool;
    private final AtomicLong skippedTotal = new AtomicLong();

    /** Output group of each crop (crop order) and its position within that group. */
    private final int[] cropGroup;

    private final int[] cropInGroup;
    private final List<int[]> outputGroups; // {size, count}
    private final List<List<HostBatch.Segment>> segments;

    /** Photometric stage of each crop (crop order). */
    private final CropTransform.PhotometricStage[] cropPhotometric;

    private final boolean photometricOnLoader;
    private final BufferPool buffers;

    private Loader(Builder b) {
        this.dataset = b.dataset;
        this.transform = b.transform;
        this.batchSize = b.batchSize;
        this.threads = b.threads;
        this.prefetch = b.prefetch > 0 ? b.prefetch : 2 * b.threads;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.skipUnreadable = b.skipUnreadable;
        this.photometricOnLoader =
                b.site == PhotometricSite.LOADER
                        || (b.site == PhotometricSite.AUTO
                                && Device.Type.CPU.equals(
                                        (b.device != null
                                                        ? b.device
                                                        : Engine.getInstance().defaultDevice())
                                                .getDeviceType()));
        this.buffers = new BufferPool(prefetch + 2);
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
        String id = Integer.toHexString(System.identityHashCode(this));
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory =
                r -> {
                    Thread t = new Thread(r, "selfsup-loader-" + id + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
        this.pool = Executors.newFixedThreadPool(threads, factory);
    }

    /**
     * A new builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Batches in one epoch: {@code N / B}, rounded down with drop-last, up otherwise.
     *
     * @return the count
     */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * The dataset read.
     *
     * @return the dataset
     */
    public ImageDataset dataset() {
        return dataset;
    }

    /**
     * Whether the loader threads run the photometric ops (see the class comment for the rule).
     *
     * @return true if batches come with finished crops ({@link HostBatch#photometricDone()})
     */
    public boolean photometricOnLoader() {
        return photometricOnLoader;
    }

    /**
     * Images skipped as unreadable over all epochs so far (each counted once per epoch).
     *
     * @return the count
     */
    public long skippedImages() {
        return skippedTotal.get();
    }

    /**
     * A whole epoch.
     *
     * @param epoch the epoch number, {@code >= 0}
     * @return the batches; close it to cancel prefetching early
     */
    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * An epoch from a given batch on: the same batches an uninterrupted epoch yields from there.
     *
     * @param epoch the epoch number, {@code >= 0}
     * @param startBatch first batch, in [0, batchesPerEpoch()]
     * @return the batches; close it to cancel prefetching early
     */
    public Epoch epoch(int epoch, int startBatch) {
        checkState(!pool.isShutdown(), "loader is closed");
        checkArgument(epoch >= 0, "epoch must be >= 0, got %s", epoch);
        checkArgument(
                startBatch >= 0 && startBatch <= batchesPerEpoch(),
                "start batch must be in [0, %s], got %s",
                batchesPerEpoch(),
                startBatch);
        return new Epoch(epoch, startBatch);
    }

    /**
     * The visiting order of an epoch.
     *
     * @param epoch the epoch
     * @return a permutation of [0, N) (identity without shuffling)
     */
    public int[] order(int epoch) {
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

    /** Stops the worker threads and waits for them to end. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("loader threads did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The batches of one epoch, prefetched in order; iterate once. */
    public final class Epoch implements Iterable<HostBatch>, Iterator<HostBatch>, AutoCloseable {
        private final int epoch;
        private final int[] perm;
        private final int end;
        private final ArrayDeque<Future<HostBatch>> window = new ArrayDeque<>();
        private final Set<Integer> failed = ConcurrentHashMap.newKeySet();
        private int nextToSubmit;
        private int nextToReturn;

        private Epoch(int epoch, int start) {
            this.epoch = epoch;
            this.perm = order(epoch);
            this.end = batchesPerEpoch();
            this.nextToSubmit = start;
            this.nextToReturn = start;
            fill();
        }

        private void fill() {
            while (window.size() < prefetch && nextToSubmit < end && !pool.isShutdown()) {
                int b = nextToSubmit++;
                window.add(pool.submit(() -> build(epoch, b, perm, failed)));
            }
        }

        @Override
        public Iterator<HostBatch> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            return nextToReturn < end;
        }

        /**
         * The next batch, waiting for the workers if needed.
         *
         * @return the batch
         * @throws UncheckedIOException if no readable image is left to fill the batch
         */
        @Override
        public HostBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch + " has " + end + " batches");
            }
            checkState(!pool.isShutdown(), "loader is closed");
            fill();
            Future<HostBatch> f = window.poll();
            try {
                HostBatch batch = f.get();
                nextToReturn++;
                fill();
                return batch;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "interrupted while waiting for batch " + nextToReturn, e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof UncheckedIOException u) {
                    throw u;
                }
                if (c instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException("loader thread failed on batch " + nextToReturn, c);
            }
        }

        /**
         * Distinct images of this epoch found unreadable so far.
         *
         * @return the count
         */
        public int skippedImages() {
            return failed.size();
        }

        /** Cancels the prefetched batches not yet returned. */
        @Override
        public void close() {
            for (Future<HostBatch> f : window) {
                f.cancel(true);
            }
            window.clear();
            nextToSubmit = end;
        }
    }

    private HostBatch build(int epoch, int b, int[] perm, Set<Integer> failed) {
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

    /** Where the photometric ops (jitter, grayscale, blur, solarise, normalise) run. */
    public enum PhotometricSite {
        /** {@link #LOADER} if the training device is the CPU, {@link #DEVICE} otherwise. */
        AUTO,
        /** In plain Java on the loader threads; {@code toDevice} only wraps the finished crops. */
        LOADER,
        /** Batched tensor ops on the training device, from the uint8 crops, in {@code toDevice}. */
        DEVICE
    }

    /** Builder of a {@link Loader}. */
    public static final class Builder {
        private ImageDataset dataset;
        private CropTransform transform;
        private int batchSize;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int prefetch;
        private long seed;
        private boolean shuffle = true;
        private boolean dropLast = true;
        private boolean skipUnreadable = true;
        private PhotometricSite site = PhotometricSite.AUTO;
        private Device device;

        private Builder() {}

        /**
         * Sets where the photometric ops run. Defaults to {@link PhotometricSite#AUTO}.
         *
         * @param site the loader threads, the device, or automatic by device
         * @return this builder
         */
        public Builder optPhotometricSite(PhotometricSite site) {
            this.site = Objects.requireNonNull(site, "site");
            return this;
        }

        /**
         * Sets the training device, which {@link PhotometricSite#AUTO} looks at. Defaults to the
         * engine's default device ({@code Engine.getInstance().defaultDevice()}).
         *
         * @param device the device {@link HostBatch#toDevice} will be called for
         * @return this builder
         */
        public Builder optDevice(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /**
         * Sets the images (required).
         *
         * @param dataset the dataset
         * @return this builder
         */
        public Builder setDataset(ImageDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /**
         * Sets the crops cut from each image (required).
         *
         * @param transform e.g. {@code augment.MultiCrop.swav()}
         * @return this builder
         */
        public Builder setTransform(CropTransform transform) {
            this.transform = transform;
            return this;
        }

        /**
         * Sets the images per batch B (required).
         *
         * @param batchSize B, {@code >= 1}
         * @return this builder
         */
        public Builder setBatchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets the decoding threads. Defaults to the number of cores.
         *
         * @param threads {@code >= 1}
         * @return this builder
         */
        public Builder optThreads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Sets how many batches may be in flight ahead of the consumer. Defaults to 2 × threads.
         *
         * @param prefetch {@code >= 1}
         * @return this builder
         */
        public Builder optPrefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Sets the run seed. Defaults to 0.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Shuffles every epoch. Defaults to true.
         *
         * @param shuffle whether to shuffle
         * @return this builder
         */
        public Builder optShuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * Drops the last, incomplete batch. Defaults to true (training); use false for evaluation.
         *
         * @param dropLast whether to drop it
         * @return this builder
         */
        public Builder optDropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Whether an unreadable image is skipped (one warning, counted, its slot filled by the next
         * images; training) or ends the epoch with an error naming it (evaluation, where features
         * must stay aligned with labels). Defaults to true.
         *
         * @param skip true to skip and count, false to fail
         * @return this builder
         */
        public Builder optSkipUnreadable(boolean skip) {
            this.skipUnreadable = skip;
            return this;
        }

        /**
         * Starts the worker threads.
         *
         * @return the loader; close it to stop the threads
         */
        public Loader build() {
            Objects.requireNonNull(dataset, "setDataset is required");
            Objects.requireNonNull(transform, "setTransform is required");
            checkArgument(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
            checkArgument(threads >= 1, "threads must be >= 1, got %s", threads);
            checkArgument(prefetch >= 0, "prefetch must be >= 1, got %s", prefetch);
            checkArgument(dataset.size() > 0, "dataset %s is empty", dataset.name());
            checkArgument(
                    !dropLast || dataset.size() >= batchSize,
                    "dataset %s has %s images, fewer than one batch of %s with drop-last",
                    dataset.name(),
                    dataset.size(),
                    batchSize);
            return new Loader(this);
        }
    }
}
