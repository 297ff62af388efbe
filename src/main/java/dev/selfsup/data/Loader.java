package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.Device;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

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
    private final ImageDataset dataset;
    private final int prefetch;
    private final ExecutorService pool;
    private final BatchAssembler assembler; // decodes and cuts the batches on the workers

    private Loader(Builder b) {
        this.dataset = b.dataset;
        this.prefetch = b.prefetch > 0 ? b.prefetch : 2 * b.threads;
        this.assembler =
                new BatchAssembler(
                        b.dataset,
                        b.transform,
                        b.batchSize,
                        b.seed,
                        b.shuffle,
                        b.dropLast,
                        b.skipUnreadable,
                        b.site,
                        b.device,
                        new BufferPool(prefetch + 2));
        this.pool = LoaderThreads.start(this, b.threads);
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
        return assembler.batchesPerEpoch();
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
        return assembler.photometricOnLoader();
    }

    /**
     * Images skipped as unreadable over all epochs so far (each counted once per epoch).
     *
     * @return the count
     */
    public long skippedImages() {
        return assembler.skippedImages();
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
        return assembler.order(epoch);
    }

    /** Stops the worker threads and waits for them to end. */
    @Override
    public void close() {
        LoaderThreads.stop(pool);
    }

    /** The batches of one epoch, prefetched in order; iterate once. */
    public final class Epoch implements Iterable<HostBatch>, Iterator<HostBatch>, AutoCloseable {
        private final BatchWindow window;

        private Epoch(int epoch, int start) {
            this.window =
                    new BatchWindow(
                            pool,
                            prefetch,
                            assembler,
                            epoch,
                            order(epoch),
                            batchesPerEpoch(),
                            start);
        }

        @Override
        public Iterator<HostBatch> iterator() {
            return this;
        }

        @Override
        public boolean hasNext() {
            return window.hasNext();
        }

        /**
         * The next batch, waiting for the workers if needed.
         *
         * @return the batch
         * @throws UncheckedIOException if no readable image is left to fill the batch
         */
        @Override
        public HostBatch next() {
            return window.next();
        }

        /**
         * Distinct images of this epoch found unreadable so far.
         *
         * @return the count
         */
        public int skippedImages() {
            return window.skippedImages();
        }

        /** Cancels the prefetched batches not yet returned. */
        @Override
        public void close() {
            window.close();
        }
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
