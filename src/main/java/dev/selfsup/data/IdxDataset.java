package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A labelled grayscale image set in IDX format (MNIST, Fashion-MNIST): N images of H×W unsigned
 * bytes and N labels.
 *
 * <p>Grayscale is kept as one channel here; the augmentation pipeline replicates it to 3 channels
 * so that every backbone sees {@code [B, 3, H, W]}.
 */
public final class IdxDataset {
    private final byte[] pixels;
    private final byte[] labels;
    private final int size;
    private final int height;
    private final int width;
    private final String name;

    private IdxDataset(Idx.Tensor images, Idx.Tensor labels, String name) throws IOException {
        if (images.dims().length != 3) {
            throw new IOException(
                    name
                            + ": images must be a 3-D IDX tensor [N, H, W], got "
                            + Arrays.toString(images.dims()));
        }
        if (labels.dims().length != 1 || labels.count() != images.count()) {
            throw new IOException(
                    name
                            + ": "
                            + images.count()
                            + " images but labels of shape "
                            + Arrays.toString(labels.dims()));
        }
        this.pixels = images.data();
        this.labels = labels.data();
        this.size = images.count();
        this.height = images.dims()[1];
        this.width = images.dims()[2];
        this.name = name;
    }

    /**
     * Reads an image file and its label file.
     *
     * @param images e.g. {@code train-images-idx3-ubyte.gz}
     * @param labels e.g. {@code train-labels-idx1-ubyte.gz}
     * @return the dataset
     * @throws IOException if either file is missing, corrupt or the counts disagree
     */
    public static IdxDataset read(Path images, Path labels) throws IOException {
        return new IdxDataset(Idx.read(images), Idx.read(labels), images.toString());
    }

    /**
     * Reads the standard split files of an MNIST-layout folder.
     *
     * @param dir folder with {@code train-*} and {@code t10k-*} files (gzip or plain)
     * @param train the training split when true, the test split otherwise
     * @return the dataset
     * @throws IOException if the files are missing or corrupt
     */
    public static IdxDataset readSplit(Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        return read(
                resolve(dir, prefix + "-images-idx3-ubyte"),
                resolve(dir, prefix + "-labels-idx1-ubyte"));
    }

    private static Path resolve(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        return gz.toFile().isFile() ? gz : dir.resolve(base);
    }

    /**
     * Reads the Fashion-MNIST subset embedded in the selfsup jar: 10,000 training images (1,000 per
     * class) and 2,000 test images (200 per class), cut by {@code
     * scripts/cut_fashion_mnist_subset.py}.
     *
     * @param train the training split when true, the test split otherwise
     * @return the dataset
     * @throws IOException if the resources are missing from the jar
     */
    public static IdxDataset embeddedFashionMnist(boolean train) throws IOException {
        String prefix = "/dev/selfsup/data/fashion-mnist/" + (train ? "train" : "t10k");
        String imagesName = prefix + "-images-idx3-ubyte.gz";
        String labelsName = prefix + "-labels-idx1-ubyte.gz";
        try (InputStream img = resource(imagesName);
                InputStream lab = resource(labelsName)) {
            return new IdxDataset(
                    Idx.read(img, "classpath:" + imagesName),
                    Idx.read(lab, "classpath:" + labelsName),
                    "embedded Fashion-MNIST " + (train ? "train" : "test"));
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = IdxDataset.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " is missing from the selfsup jar");
        }
        return in;
    }

    /**
     * This dataset as an {@link ImageDataset} (one-channel images), for the {@link Loader}.
     *
     * @return a view sharing this dataset's pixels
     */
    public ImageDataset asImageDataset() {
        return new IdxImageDataset(this);
    }

    /** The default class names of Fashion-MNIST, by label. */
    public static final java.util.List<String> FASHION_MNIST_CLASSES =
            java.util.List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    /**
     * Number of images.
     *
     * @return N
     */
    public int size() {
        return size;
    }

    /**
     * Image height in pixels.
     *
     * @return H
     */
    public int height() {
        return height;
    }

    /**
     * Image width in pixels.
     *
     * @return W
     */
    public int width() {
        return width;
    }

    /**
     * A descriptive name (file or resource).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The label of image i.
     *
     * @param i index in [0, N)
     * @return the label, 0..255
     */
    public int label(int i) {
        checkArgument(i >= 0 && i < size, "index %s out of range [0, %s)", i, size);
        return labels[i] & 0xff;
    }

    /**
     * A copy of image i's pixels, row-major, unsigned bytes.
     *
     * @param i index in [0, N)
     * @return H*W bytes
     */
    public byte[] image(int i) {
        checkArgument(i >= 0 && i < size, "index %s out of range [0, %s)", i, size);
        int n = height * width;
        return Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
    }

    /**
     * All labels as ints.
     *
     * @return N labels
     */
    public int[] labels() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = labels[i] & 0xff;
        }
        return out;
    }

    /**
     * Number of classes: one more than the largest label.
     *
     * @return the class count
     */
    public int numClasses() {
        int max = 0;
        for (byte b : labels) {
            max = Math.max(max, b & 0xff);
        }
        return max + 1;
    }

    /**
     * Images {@code [from, to)} as a float tensor scaled to [0, 1].
     *
     * @param manager where the array is created
     * @param from first index
     * @param to one past the last index
     * @return {@code [to - from, 1, H, W]} float32 in [0, 1]
     */
    public NDArray images(NDManager manager, int from, int to) {
        checkArgument(
                0 <= from && from <= to && to <= size,
                "range [%s, %s) outside [0, %s]",
                from,
                to,
                size);
        int n = height * width;
        float[] out = new float[(to - from) * n];
        for (int i = from * n, j = 0; i < to * n; i++, j++) {
            out[j] = (pixels[i] & 0xff) / 255f;
        }
        return manager.create(out, new Shape(to - from, 1, height, width));
    }

    /**
     * Labels {@code [from, to)} as an int64 tensor.
     *
     * @param manager where the array is created
     * @param from first index
     * @param to one past the last index
     * @return {@code [to - from]} int64
     */
    public NDArray labels(NDManager manager, int from, int to) {
        checkArgument(
                0 <= from && from <= to && to <= size,
                "range [%s, %s) outside [0, %s]",
                from,
                to,
                size);
        long[] out = new long[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = labels[i] & 0xff;
        }
        return manager.create(out).toType(DataType.INT64, false);
    }
}
