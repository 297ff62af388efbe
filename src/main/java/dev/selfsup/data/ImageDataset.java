package dev.selfsup.data;

import java.io.IOException;

/**
 * A finite, indexed set of images with optional class labels: what the {@link Loader}, evaluation
 * and benchmarks consume.
 *
 * <p>Implementations must allow {@link #decode} to be called concurrently from several threads.
 */
public interface ImageDataset {
    /**
     * Number of images.
     *
     * @return N, {@code > 0}
     */
    int size();

    /**
     * Number of classes.
     *
     * @return the class count, 0 when the dataset is unlabelled
     */
    int numClasses();

    /**
     * The class of image i.
     *
     * @param i index in [0, N)
     * @return the label in [0, numClasses), or −1 when the dataset is unlabelled
     */
    int label(int i);

    /**
     * A short description for logs and summaries (folder, resource or generator settings).
     *
     * @return the name
     */
    String name();

    /**
     * Decodes image i.
     *
     * @param i index in [0, N)
     * @return the pixels, 1 or 3 channels
     * @throws IOException if the image is unreadable, truncated or corrupt; the message names the
     *     file
     */
    DecodedImage decode(int i) throws IOException;
}
