package dev.selfsup.run;

import dev.selfsup.config.DataSettings;
import dev.selfsup.data.IdxDataset;
import dev.selfsup.data.IdxImageDataset;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SubsetList;
import dev.selfsup.data.SyntheticShapes;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the images a {@code data:} section names: the one place pretraining and every evaluation
 * command turn data settings into an {@link ImageDataset}.
 */
public final class Datasets {
    private Datasets() {}

    /** Which part of a dataset to open. */
    public enum Split {
        /** The training images: IDX {@code train-*} files; an image folder with its file list. */
        TRAIN,
        /**
         * The test images: IDX {@code t10k-*} files; an image folder whole (its class list applies,
         * its file list does not: SimCLR's 1 % / 10 % lists select training images).
         */
        TEST
    }

    /**
     * Opens a dataset.
     *
     * @param data the data section ({@code path}: the folder of the IDX files, or the image folder
     *     of this split)
     * @param seed the run seed (synthetic data)
     * @param split which part
     * @return the dataset
     * @throws IOException if files are missing or unreadable
     * @throws IllegalArgumentException if the synthetic dataset is asked for its test split
     */
    public static ImageDataset open(DataSettings data, long seed, Split split) throws IOException {
        boolean train = split == Split.TRAIN;
        return switch (data.dataset()) {
            case FASHION_MNIST_EMBEDDED ->
                    new IdxImageDataset(IdxDataset.embeddedFashionMnist(train));
            case FASHION_MNIST ->
                    new IdxImageDataset(IdxDataset.readSplit(Path.of(data.path()), train));
            case IMAGE_FOLDER -> {
                ImageFolder.Builder b = ImageFolder.builder().setRoot(Path.of(data.path()));
                if (!data.classList().isBlank()) {
                    b.optClassList(SubsetList.resolve(data.classList()));
                }
                if (train && !data.fileList().isBlank()) {
                    b.optFileList(SubsetList.resolve(data.fileList()));
                }
                yield b.build();
            }
            case SYNTHETIC -> {
                if (!train) {
                    throw new IllegalArgumentException(
                            "the synthetic dataset has no test split; evaluate on"
                                    + " fashion_mnist_embedded, fashion_mnist or image_folder");
                }
                yield new SyntheticShapes(
                        data.syntheticImages(),
                        data.syntheticClasses(),
                        data.syntheticResolution(),
                        data.syntheticResolution(),
                        seed);
            }
        };
    }
}
