package dev.selfsup.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.Loader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.data.ValidationSplit;
import java.io.IOException;

/**
 * The {@link DiagnosticsMonitor}'s fixed batch: B training images chosen by a seed, two augmented
 * views each, cut once and kept on the host as float32 so every measurement sees the same pixels.
 */
final class FixedViews {
    private final float[] pixels; // [2B, 3, S, S]: all first views, then all second views
    private final Shape shape;
    private final long[] labels; // empty when unlabelled

    private FixedViews(float[] pixels, Shape shape, long[] labels) {
        this.pixels = pixels;
        this.shape = shape;
        this.labels = labels;
    }

    /**
     * Draws the batch: B images by a seeded choice, two views each through the loader.
     *
     * @param dataset the training images
     * @param transform the training multi-crop; its first crop group cuts the views
     * @param batch B, in [2, dataset size]
     * @param seed seed of the image choice and of the views' crops and colours
     * @return the views and, when every image has one, the labels
     * @throws IOException if an image of the batch is unreadable
     */
    static FixedViews draw(ImageDataset dataset, MultiCrop transform, int batch, long seed)
            throws IOException {
        ImageDataset chosen = ValidationSplit.subset(dataset, batch, seed);
        MultiCrop twoViews = MultiCrop.of(transform.groups().get(0).withCount(2));
        float[] pixels;
        Shape shape;
        int[] l;
        try (Loader loader =
                        Loader.builder()
                                .setDataset(chosen)
                                .setTransform(twoViews)
                                .setBatchSize(batch)
                                .optThreads(2)
                                .optShuffle(false)
                                .optDropLast(false)
                                .optSeed(seed)
                                .optDevice(Device.cpu())
                                .build();
                Loader.Epoch epoch = loader.epoch(0);
                NDManager host = NDManager.newBaseManager(Device.cpu())) {
            HostBatch b = epoch.next();
            if (epoch.skippedImages() > 0) {
                throw new IOException(
                        chosen.name()
                                + ": an image of the diagnostics batch is unreadable"
                                + " (see the warning above); choose another seed or fix the file");
            }
            MultiCropBatch onHost = b.toDevice(host);
            NDArray images = onHost.groups().get(0).images(); // [2B, 3, S, S], crop-major
            pixels = images.toFloatArray();
            shape = images.getShape();
            l = b.labels();
        }
        boolean labelled = dataset.numClasses() > 0;
        for (int v : l) {
            labelled &= v >= 0;
        }
        long[] labels =
                labelled ? java.util.Arrays.stream(l).asLongStream().toArray() : new long[0];
        return new FixedViews(pixels, shape, labels);
    }

    /**
     * The views as one array: all first views, then all second views.
     *
     * @param scope the manager of the result
     * @return [2B, 3, S, S], float32
     */
    NDArray images(NDManager scope) {
        return scope.create(pixels, shape);
    }

    /**
     * Whether every image has a class label.
     *
     * @return true when labelled
     */
    boolean labelled() {
        return labels.length > 0;
    }

    /**
     * The images' class labels; only when {@link #labelled()}.
     *
     * @param scope the manager of the result
     * @return [B], int64
     */
    NDArray labels(NDManager scope) {
        return scope.create(labels);
    }
}
