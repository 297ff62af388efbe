package dev.selfsup.run;

import static dev.selfsup.internal.Checks.checkArgument;

import dev.selfsup.config.DataSettings;
import dev.selfsup.config.DataSettings.DatasetKind;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SubsetList;
import dev.selfsup.data.ValidationSplit;
import dev.selfsup.eval.Results;
import java.io.IOException;

/**
 * The labelled images an evaluation reads — training images and the images it reports on — and
 * which split those are (the test split, or a seeded validation split of the training images).
 *
 * @param train the images the probe or kNN learns from
 * @param test the images it is scored on
 * @param numClasses C
 * @param name the dataset's name in results.json
 * @param split which split {@code test} is
 */
public record EvalData(
        ImageDataset train, ImageDataset test, int numClasses, String name, Results.Split split) {

    /**
     * The dataset as results.json records it.
     *
     * @return name, sizes and classes
     */
    public Results.Dataset record() {
        return new Results.Dataset(name, train.size(), test.size(), numClasses);
    }

    /**
     * A data section for an evaluation: the given kind, training folder and subset lists, the
     * defaults otherwise.
     *
     * @param kind the dataset kind (not synthetic: it has no test split)
     * @param trainPath the IDX folder or the training image folder; empty for the embedded subset
     * @param classList class list file or bundled name; empty = all
     * @param fileList training file list or bundled name; empty = all
     * @return the section
     */
    public static DataSettings dataSettings(
            DatasetKind kind, String trainPath, String classList, String fileList) {
        DataSettings d = DataSettings.defaults();
        return new DataSettings(
                kind,
                trainPath,
                classList,
                fileList,
                d.batchSize(),
                d.workers(),
                d.prefetchBatches(),
                d.dropLast(),
                d.syntheticImages(),
                d.syntheticClasses(),
                d.syntheticResolution());
    }

    /**
     * Opens the training and test splits; with {@code valFraction > 0} a seeded share of the
     * training images is held out and replaces the test split, which is then left untouched.
     *
     * @param data the data section ({@code path}: the training split's folder)
     * @param testPath the test split's folder: an image folder's test tree; for IDX files the
     *     folder of the {@code t10k} files, empty = {@code data.path()}; empty for the embedded
     *     subset
     * @param valFraction share of the training images held out, in [0, 1); 0 = report on the test
     *     split
     * @param valSeed seed of the held-out draw
     * @return the data
     * @throws IOException if files are missing or unreadable
     * @throws IllegalArgumentException if an image folder's splits have different classes
     */
    public static EvalData open(
            DataSettings data, String testPath, double valFraction, long valSeed)
            throws IOException {
        checkArgument(
                valFraction >= 0 && valFraction < 1,
                "the validation fraction must be in [0, 1), got %s",
                valFraction);
        EvalData full = full(data, testPath);
        if (valFraction == 0) {
            return full;
        }
        ValidationSplit split = ValidationSplit.of(full.train(), valFraction, valSeed);
        return new EvalData(
                split.train(),
                split.validation(),
                full.numClasses(),
                full.name()
                        + " [validation split of the training images: fraction "
                        + valFraction
                        + ", seed "
                        + valSeed
                        + "; test split untouched]",
                Results.Split.validation(valFraction, valSeed));
    }

    private static EvalData full(DataSettings data, String testPath) throws IOException {
        DataSettings testData = testPath.isBlank() ? data : data.withPath(testPath);
        ImageDataset train = Datasets.open(data, 0, Datasets.Split.TRAIN);
        ImageDataset test = Datasets.open(testData, 0, Datasets.Split.TEST);
        String name =
                switch (data.dataset()) {
                    case FASHION_MNIST_EMBEDDED -> "fashion_mnist_embedded";
                    case FASHION_MNIST -> "fashion_mnist:" + data.path();
                    case IMAGE_FOLDER ->
                            "image_folder:"
                                    + data.path()
                                    + (data.classList().isBlank()
                                            ? ""
                                            : " class-list="
                                                    + SubsetList.resolve(data.classList())
                                                            .shortName())
                                    + (data.fileList().isBlank()
                                            ? ""
                                            : " file-list="
                                                    + SubsetList.resolve(data.fileList())
                                                            .shortName());
                    case SYNTHETIC ->
                            throw new IllegalStateException(
                                    "unreachable: the synthetic dataset has no test split");
                };
        if (train instanceof ImageFolder tr && test instanceof ImageFolder te) {
            checkArgument(
                    tr.classes().equals(te.classes()),
                    "the training images %s and the test images %s have different classes (%s vs %s); give a class"
                            + " list (--class-list FILE)",
                    data.path(),
                    testData.path(),
                    tr.classes().size(),
                    te.classes().size());
        }
        return new EvalData(
                train,
                test,
                Math.max(train.numClasses(), test.numClasses()),
                name,
                Results.Split.test());
    }
}
