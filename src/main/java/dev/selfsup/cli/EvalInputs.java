package dev.selfsup.cli;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDManager;
import dev.selfsup.config.DataSettings.DatasetKind;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.run.EvalData;
import dev.selfsup.run.EvalModel;
import dev.selfsup.run.Evaluation;
import dev.selfsup.run.RunFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code linear-probe}, {@code knn} and {@code transfer}: which weights, which
 * labelled data, where results and cached features go, and an optional YAML file of the same
 * options ({@code configs/eval/*.yaml}). Parses and checks them and hands them to {@code run}
 * ({@link EvalModel}, {@link EvalData}, {@link Evaluation}), which does the work.
 */
final class EvalInputs {
    @Option(
            names = "--config",
            description = "YAML file of these options (keys = option names; the command line wins)")
    Path config;

    @Option(
            names = "--run",
            paramLabel = "DIR",
            description = "pretraining run folder (recipe.yaml + backbone.safetensors)")
    Path run;

    @Option(
            names = "--weights",
            paramLabel = "FILE",
            description =
                    "backbone weights (.safetensors; ours or torchvision names, fc.* ignored); needs --backbone")
    Path weights;

    @Option(
            names = "--backbone",
            paramLabel = "NAME",
            description = "backbone name for --weights or --baseline random-init")
    String backbone;

    @Option(
            names = "--base-width",
            defaultValue = "0",
            description =
                    "ResNet stem width for --backbone; 0 = the model's own (default: ${DEFAULT-VALUE})")
    int baseWidth;

    @Option(
            names = "--baseline",
            paramLabel = "KIND",
            description = "raw-pixels | random-init (instead of weights)")
    String baseline;

    @Option(
            names = "--dataset",
            defaultValue = "fashion_mnist_embedded",
            description =
                    "fashion_mnist_embedded | fashion_mnist | image_folder (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(
            names = "--train",
            paramLabel = "PATH",
            description =
                    "training split: IDX folder (fashion_mnist) or class folders (image_folder)")
    Path train;

    @Option(
            names = "--test",
            paramLabel = "PATH",
            description = "test split (default for fashion_mnist: the t10k files next to --train)")
    Path test;

    @Option(
            names = "--class-list",
            paramLabel = "FILE|NAME",
            description =
                    "image_folder: class folder names to keep, one per line, or the bundled list imagenet100")
    String classList;

    @Option(
            names = "--file-list",
            paramLabel = "FILE|NAME",
            description =
                    "image_folder: training images to keep, one file name per line, or a bundled list: imagenet_1percent, imagenet_10percent (SimCLR's 1 %% / 10 %% subsets; with --class-list only the listed classes' entries apply)")
    String fileList;

    @Option(
            names = "--val-fraction",
            defaultValue = "0",
            description =
                    "hold out this share of the training split (seeded) and report on it instead of the test split; 0 = off (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(
            names = "--val-seed",
            defaultValue = "0",
            description = "seed of the validation split (default: ${DEFAULT-VALUE})")
    long valSeed;

    @Option(
            names = "--size",
            defaultValue = "0",
            description = "input side; 0 = 32 for Fashion-MNIST, 224 for image folders")
    int size;

    @Option(
            names = "--readout-grid",
            defaultValue = "1",
            description =
                    "features = the last feature map average-pooled to N×N and flattened; 1 = global average pool (default: ${DEFAULT-VALUE})")
    int readoutGrid;

    @Option(
            names = "--workers",
            defaultValue = "2",
            description = "image decoding threads (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(
            names = "--extract-batch",
            defaultValue = "256",
            description =
                    "images per forward pass when extracting features (default: ${DEFAULT-VALUE})")
    int extractBatch;

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            description = "feature cache folder (default: OUT/feature-cache)")
    Path cache;

    @Option(
            names = "--no-cache",
            arity = "0..1",
            description = "extract features without reading or writing the cache")
    boolean noCache;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "where results.json goes (default: the run folder, else the current folder)")
    Path out;

    /** The dataset kind; the evaluation commands read every kind but the synthetic one. */
    DatasetKind kind() {
        String k = dataset.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (DatasetKind kind : DatasetKind.values()) {
            if (kind != DatasetKind.SYNTHETIC && kind.name().equals(k)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "--dataset '"
                        + dataset
                        + "' is unknown; valid: fashion_mnist_embedded, fashion_mnist, image_folder");
    }

    /** The input side: --size, else the dataset kind's usual one. */
    int size() {
        checkArgument(
                size >= 0, "--size must be >= 1 (or 0 for the dataset's default), got %s", size);
        return size > 0 ? size : Evaluation.defaultSize(kind());
    }

    /** Where results.json goes. */
    Path outDir() {
        return out != null ? out : run != null ? run : Path.of(".");
    }

    /**
     * Transforms, feature extraction and results of these options.
     *
     * @return the evaluation
     */
    Evaluation evaluation() {
        return new Evaluation(
                new Evaluation.Settings(
                        kind(),
                        size(),
                        workers,
                        extractBatch,
                        !noCache,
                        cache != null ? cache : RunFolder.of(outDir()).featureCacheDir(),
                        outDir()));
    }

    /**
     * Builds and initialises the model the options name and loads its weights.
     *
     * @param manager where the parameters live
     * @return the model
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if the options are inconsistent or a file is missing
     */
    EvalModel model(NDManager manager) throws IOException {
        int given = (run != null ? 1 : 0) + (weights != null ? 1 : 0) + (baseline != null ? 1 : 0);
        checkArgument(
                given == 1,
                "give exactly one of --run DIR, --weights FILE.safetensors --backbone NAME, or --baseline"
                        + " raw-pixels|random-init (got %s)",
                given);
        if (baseline != null) {
            String b = baseline.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (b.equals("raw-pixels")) {
                checkArgument(
                        readoutGrid == 1,
                        "--readout-grid %s reads a backbone's feature map; raw pixels have none:"
                                + " drop it (or give --run/--weights/--baseline random-init)",
                        readoutGrid);
                return EvalModel.rawPixels();
            }
            checkArgument(
                    b.equals("random-init"),
                    "--baseline '%s' is unknown; valid: raw-pixels, random-init",
                    baseline);
            checkArgument(
                    backbone != null,
                    "--baseline random-init needs --backbone NAME (one of %s)",
                    ModelZoo.names());
            return EvalModel.randomInit(backbone, baseWidth, readoutGrid, size(), manager);
        }
        if (run != null) {
            checkArgument(
                    backbone == null && baseWidth == 0,
                    "--backbone/--base-width come from the run's recipe with --run %s; drop them",
                    run);
            return EvalModel.ofRun(RunFolder.of(run), readoutGrid, size(), manager);
        }
        checkArgument(
                backbone != null, "--weights needs --backbone NAME (one of %s)", ModelZoo.names());
        return EvalModel.ofWeights(weights, backbone, baseWidth, readoutGrid, size(), manager);
    }

    /**
     * Opens the labelled train and test splits the options name.
     *
     * @return the data
     * @throws IOException if files are missing or unreadable
     */
    EvalData data() throws IOException {
        checkArgument(
                valFraction >= 0 && valFraction < 1,
                "--val-fraction must be in [0, 1), got %s",
                valFraction);
        DatasetKind kind = kind();
        if (kind != DatasetKind.IMAGE_FOLDER) {
            checkArgument(
                    classList == null && fileList == null,
                    "--class-list and --file-list apply to --dataset image_folder only");
        }
        switch (kind) {
            case FASHION_MNIST_EMBEDDED ->
                    checkArgument(
                            train == null && test == null,
                            "--dataset fashion_mnist_embedded is inside the jar; drop --train/--test (or use --dataset"
                                    + " fashion_mnist --train DIR)");
            case FASHION_MNIST ->
                    checkArgument(
                            train != null,
                            "--dataset fashion_mnist needs --train DIR (the folder of the IDX files)");
            default ->
                    checkArgument(
                            train != null && test != null,
                            "--dataset image_folder needs --train DIR and --test DIR (class folders of images)");
        }
        return EvalData.open(
                EvalData.dataSettings(
                        kind,
                        text(train),
                        classList != null ? classList : "",
                        fileList != null ? fileList : ""),
                text(test),
                valFraction,
                valSeed);
    }

    private static String text(Path p) {
        return p == null ? "" : p.toString();
    }
}
