package dev.selfsup.data;

import java.util.Objects;

/**
 * An {@link IdxDataset} (MNIST, Fashion-MNIST) seen as an {@link ImageDataset}: one-channel images;
 * the augmentation pipeline replicates the channel to RGB.
 */
public final class IdxImageDataset implements ImageDataset {
    private final IdxDataset idx;
    private final int numClasses;

    /**
     * Wraps an IDX dataset.
     *
     * @param idx the images and labels
     */
    public IdxImageDataset(IdxDataset idx) {
        this.idx = Objects.requireNonNull(idx, "idx");
        this.numClasses = idx.numClasses();
    }

    @Override
    public int size() {
        return idx.size();
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int label(int i) {
        return idx.label(i);
    }

    @Override
    public String name() {
        return idx.name();
    }

    @Override
    public DecodedImage decode(int i) {
        return new DecodedImage(idx.width(), idx.height(), 1, idx.image(i));
    }
}
