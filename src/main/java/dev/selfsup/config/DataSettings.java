package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

/**
 * The {@code data:} section: which images and how they are batched.
 *
 * @param dataset the kind of dataset
 * @param path folder of an image_folder dataset or of IDX files (fashion_mnist); empty otherwise
 * @param classList optional class list: a file of class folder names, or the bundled {@code
 *     imagenet100}; empty = all
 * @param fileList optional file list: a file of image file names, or the bundled {@code
 *     imagenet_1percent} / {@code imagenet_10percent} (SimCLR); with a class list, entries of
 *     unlisted classes are ignored; empty = all
 * @param batchSize images per step, {@code > 0}
 * @param workers decoding threads, {@code >= 1}
 * @param prefetchBatches bounded prefetch queue length, {@code >= 1}
 * @param dropLast drop the last incomplete batch of each epoch
 * @param syntheticImages size of the synthetic dataset
 * @param syntheticClasses classes of the synthetic dataset
 * @param syntheticResolution side of the synthetic images in pixels
 */
public record DataSettings(
        DatasetKind dataset,
        String path,
        String classList,
        String fileList,
        int batchSize,
        int workers,
        int prefetchBatches,
        boolean dropLast,
        int syntheticImages,
        int syntheticClasses,
        int syntheticResolution) {

    /** Dataset kinds. */
    public enum DatasetKind {
        /** The Fashion-MNIST subset inside the selfsup jar (10,000 train / 2,000 test). */
        FASHION_MNIST_EMBEDDED,
        /** Full Fashion-MNIST (or MNIST) IDX files in {@code path}. */
        FASHION_MNIST,
        /** ImageNet layout {@code path/<class>/<image>}. */
        IMAGE_FOLDER,
        /** Procedural coloured shapes, seeded. */
        SYNTHETIC
    }

    /**
     * Validates ranges.
     *
     * @param dataset the kind of dataset
     * @param path folder of an image_folder dataset or of IDX files (fashion_mnist); empty
     *     otherwise
     * @param classList optional class list: a file of class folder names, or the bundled {@code
     *     imagenet100}; empty = all
     * @param fileList optional file list: a file of image file names, or the bundled {@code
     *     imagenet_1percent} / {@code imagenet_10percent} (SimCLR); with a class list, entries of
     *     unlisted classes are ignored; empty = all
     * @param batchSize images per step, {@code > 0}
     * @param workers decoding threads, {@code >= 1}
     * @param prefetchBatches bounded prefetch queue length, {@code >= 1}
     * @param dropLast drop the last incomplete batch of each epoch
     * @param syntheticImages size of the synthetic dataset
     * @param syntheticClasses classes of the synthetic dataset
     * @param syntheticResolution side of the synthetic images in pixels
     */
    public DataSettings {
        require(batchSize > 0, "data.batch_size", batchSize, "> 0");
        require(workers >= 1, "data.workers", workers, ">= 1");
        require(prefetchBatches >= 1, "data.prefetch_batches", prefetchBatches, ">= 1");
        require(
                !(dataset == DatasetKind.IMAGE_FOLDER || dataset == DatasetKind.FASHION_MNIST)
                        || !path.isBlank(),
                "data.path",
                "''",
                "a folder for dataset " + dataset.name().toLowerCase(java.util.Locale.ROOT));
        require(syntheticImages > 0, "data.synthetic_images", syntheticImages, "> 0");
        require(syntheticClasses > 0, "data.synthetic_classes", syntheticClasses, "> 0");
        require(syntheticResolution >= 8, "data.synthetic_resolution", syntheticResolution, ">= 8");
    }

    /**
     * The same section reading another folder (e.g. an image folder's test split).
     *
     * @param newPath the folder
     * @return a copy
     */
    public DataSettings withPath(String newPath) {
        return new DataSettings(
                dataset,
                newPath,
                classList,
                fileList,
                batchSize,
                workers,
                prefetchBatches,
                dropLast,
                syntheticImages,
                syntheticClasses,
                syntheticResolution);
    }

    /**
     * Defaults: embedded Fashion-MNIST, batch 256, 2 workers.
     *
     * @return the defaults
     */
    public static DataSettings defaults() {
        return new DataSettings(
                DatasetKind.FASHION_MNIST_EMBEDDED, "", "", "", 256, 2, 4, true, 512, 8, 32);
    }
}
