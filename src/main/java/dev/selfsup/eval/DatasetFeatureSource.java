package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.Loader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Any labelled {@link ImageDataset} (ImageFolder, IDX, synthetic) as a {@link FeatureSource}:
 * images go through the data {@link Loader} (shuffle off, drop-last off) with a deterministic
 * one-crop transform — {@link MultiCrop#evaluation(int)} (shorter side to size / 0.875, centre
 * crop) or {@link MultiCrop#evaluationResize(int)} (plain resize, small images) — and come out as
 * normalised {@code [n, 3, S, S]} float32 from {@link HostBatch#toDevice}.
 *
 * <pre>{@code
 * try (DatasetFeatureSource test = DatasetFeatureSource.builder(folder)
 *         .setTransform(MultiCrop.evaluation(224)).optBatchSize(256).build()) {
 *     Features f = cache.extract(backbone, test, 256, manager);
 * }
 * }</pre>
 *
 * <p>The cache key covers the dataset's name, size, class count and a hash of every label, plus for
 * an {@link ImageFolder} a hash of every selected file path (so a class list or a 1 % / 10 % file
 * list gives another key), plus the optional {@link Builder#optSubset} description. The transform
 * description is the crop group itself (size, crop fraction, normalisation).
 *
 * <p>Reading is fastest in order with ranges aligned to the batch size (what {@link
 * FeatureExtractor} does); other ranges work and restart the loader where needed. Not thread-safe.
 * Close it to stop the loader threads.
 */
public final class DatasetFeatureSource implements FeatureSource, AutoCloseable {
    private final ImageDataset dataset;
    private final MultiCrop transform;
    private final int batchSize;
    private final int threads;
    private final int[] labels;
    private final String cacheKey;
    private Loader loader;
    private Loader.Epoch epoch;
    private int nextBatch;
    private HostBatch current;

    private DatasetFeatureSource(Builder b) {
        this.dataset = b.dataset;
        this.transform = b.transform;
        this.batchSize = b.batchSize;
        this.threads = b.threads;
        int n = dataset.size();
        this.labels = new int[n];
        MessageDigest labelDigest = Fingerprint.sha256();
        for (int i = 0; i < n; i++) {
            labels[i] = dataset.label(i);
            checkArgument(
                    labels[i] >= 0,
                    "dataset %s is unlabelled (image %s has label %s); evaluation needs class labels",
                    dataset.name(),
                    i,
                    labels[i]);
            labelDigest.update(
                    new byte[] {
                        (byte) (labels[i] >>> 24),
                        (byte) (labels[i] >>> 16),
                        (byte) (labels[i] >>> 8),
                        (byte) labels[i]
                    });
        }
        StringBuilder key = new StringBuilder();
        key.append(dataset.name())
                .append(" n=")
                .append(n)
                .append(" classes=")
                .append(dataset.numClasses())
                .append(" labels-sha256=")
                .append(HexFormat.of().formatHex(labelDigest.digest()));
        if (dataset instanceof ImageFolder folder) {
            MessageDigest files = Fingerprint.sha256();
            for (int i = 0; i < n; i++) {
                files.update(folder.file(i).toString().getBytes(StandardCharsets.UTF_8));
                files.update((byte) 0);
            }
            key.append(" files-sha256=").append(HexFormat.of().formatHex(files.digest()));
        }
        if (!b.subset.isEmpty()) {
            key.append(" subset=").append(b.subset);
        }
        this.cacheKey = key.toString();
    }

    /**
     * Starts a source over a labelled dataset.
     *
     * @param dataset the images
     * @return a builder; {@code setTransform} is required
     */
    public static Builder builder(ImageDataset dataset) {
        return new Builder(dataset);
    }

    /** Builds a {@link DatasetFeatureSource}. */
    public static final class Builder {
        private final ImageDataset dataset;
        private MultiCrop transform;
        private int batchSize = 256;
        private int threads = 2;
        private String subset = "";

        private Builder(ImageDataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        /**
         * Sets the deterministic evaluation transform (required): one crop, no random crop, no
         * flip, no random photometric op.
         *
         * @param value e.g. {@link MultiCrop#evaluation(int)} or {@link
         *     MultiCrop#evaluationResize(int)}
         * @return this
         */
        public Builder setTransform(MultiCrop value) {
            transform = value;
            return this;
        }

        /**
         * Sets the loader's batch size; read ranges aligned to it are the fastest. Default 256.
         *
         * @param value {@code >= 1}
         * @return this
         */
        public Builder optBatchSize(int value) {
            batchSize = value;
            return this;
        }

        /**
         * Sets the decoding threads. Default 2.
         *
         * @param value {@code >= 1}
         * @return this
         */
        public Builder optThreads(int value) {
            threads = value;
            return this;
        }

        /**
         * Names a selection that the dataset's name and files do not show (e.g. "first 1000"), for
         * the cache key. Default empty.
         *
         * @param value a description
         * @return this
         */
        public Builder optSubset(String value) {
            subset = Objects.requireNonNull(value, "subset");
            return this;
        }

        /**
         * Checks the settings and reads every label.
         *
         * @return the source
         * @throws IllegalArgumentException if the transform is missing or random, a setting is out
         *     of range, or the dataset is unlabelled
         */
        public DatasetFeatureSource build() {
            checkArgument(
                    transform != null, "setTransform is required, e.g. MultiCrop.evaluation(224)");
            checkDeterministic(transform);
            checkArgument(batchSize >= 1, "batchSize must be >= 1, got %s", batchSize);
            checkArgument(threads >= 1, "threads must be >= 1, got %s", threads);
            checkArgument(dataset.size() > 0, "dataset %s is empty", dataset.name());
            return new DatasetFeatureSource(this);
        }
    }

    static void checkDeterministic(MultiCrop transform) {
        checkArgument(
                transform.cropCount() == 1,
                "an evaluation transform has one crop, got %s",
                transform);
        CropGroup g = transform.groups().get(0);
        Photometric p = g.photometric();
        checkArgument(
                !(g.geometry() instanceof RandomResizedCrop)
                        && g.flipProbability() == 0
                        && p.jitter().probability() == 0
                        && p.grayscale().probability() == 0
                        && p.blur().probability() == 0
                        && p.solarize().probability() == 0,
                "the evaluation transform must be deterministic (e.g. MultiCrop.evaluation(size)), got %s",
                g);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public NDArray images(NDManager manager, int from, int to) {
        checkArgument(
                0 <= from && from < to && to <= labels.length,
                "range [%s, %s) must be non-empty and inside [0, %s)",
                from,
                to,
                labels.length);
        try (NDManager scope = manager.newSubManager()) {
            NDList parts = new NDList();
            for (int pos = from; pos < to; ) {
                int b = pos / batchSize;
                HostBatch host = batch(b);
                int start = b * batchSize;
                int lo = pos - start;
                int hi = Math.min(to, start + host.batchSize()) - start;
                NDArray images = host.toDevice(scope).groups().get(0).images();
                parts.add(lo == 0 && hi == host.batchSize() ? images : images.get("{}:{}", lo, hi));
                pos = start + hi;
            }
            NDArray out = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
            out.attach(manager);
            return out;
        }
    }

    /** Batch b of the loader's single (unshuffled) epoch, restarting the loader there if needed. */
    private HostBatch batch(int b) {
        if (current != null && current.batchIndex() == b) {
            return current;
        }
        if (loader == null) {
            loader =
                    Loader.builder()
                            .setDataset(dataset)
                            .setTransform(transform)
                            .setBatchSize(batchSize)
                            .optThreads(threads)
                            .optShuffle(false)
                            .optDropLast(false)
                            .optSkipUnreadable(
                                    false) // one error naming the image, no warning first
                            .build();
        }
        if (epoch == null || nextBatch != b) {
            if (epoch != null) {
                epoch.close();
            }
            epoch = loader.epoch(0, b);
            nextBatch = b;
        }
        current = epoch.next();
        nextBatch++;
        int[] indices = current.indices();
        for (int j = 0; j < indices.length; j++) {
            int expected = b * batchSize + j;
            if (indices[j] != expected) {
                // the loader replaced an unreadable image; features must stay aligned with labels
                throw new UncheckedIOException(
                        new IOException(
                                String.format(
                                        "%s: image %d was replaced by the loader; evaluation needs every image:"
                                                + " fix or remove the file",
                                        dataset.name(), expected)));
            }
        }
        return current;
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    /**
     * The number of classes the dataset declares.
     *
     * @return C
     */
    public int numClasses() {
        return dataset.numClasses();
    }

    @Override
    public String cacheKey() {
        return cacheKey;
    }

    @Override
    public String transformDescription() {
        return transform.groups().get(0)
                + "; Pillow-style antialiased bilinear resampling; uint8/255 then normalise";
    }

    /** Stops the loader threads; the source can be read again afterwards (a new loader starts). */
    @Override
    public void close() {
        if (epoch != null) {
            epoch.close();
            epoch = null;
        }
        if (loader != null) {
            loader.close();
            loader = null;
        }
        current = null;
    }
}
