package dev.selfsup.cli;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.data.IdxDataset;
import dev.selfsup.data.IdxImageDataset;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SubsetList;
import dev.selfsup.data.ValidationSplit;
import dev.selfsup.engine.Precision;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.FeatureCache;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.Fingerprint;
import dev.selfsup.eval.RawPixels;
import dev.selfsup.eval.Readout;
import dev.selfsup.eval.Results;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.Weights;
import dev.selfsup.run.Pretraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options shared by {@code linear-probe}, {@code knn} and {@code transfer}: which weights, which
 * labelled data, where results and cached features go, and an optional YAML file of the same
 * options ({@code configs/eval/*.yaml}).
 */
final class EvalInputs {
    @Option(names = "--config", description = "YAML file of these options (keys = option names; the command line wins)")
    Path config;

    @Option(names = "--run", paramLabel = "DIR", description = "pretraining run folder (recipe.yaml + backbone.safetensors)")
    Path run;

    @Option(names = "--weights", paramLabel = "FILE", description = "backbone weights (.safetensors; ours or torchvision names, fc.* ignored); needs --backbone")
    Path weights;

    @Option(names = "--backbone", paramLabel = "NAME", description = "backbone name for --weights or --baseline random-init")
    String backbone;

    @Option(names = "--base-width", defaultValue = "0", description = "ResNet stem width for --backbone; 0 = the model's own (default: ${DEFAULT-VALUE})")
    int baseWidth;

    @Option(names = "--baseline", paramLabel = "KIND", description = "raw-pixels | random-init (instead of weights)")
    String baseline;

    @Option(names = "--dataset", defaultValue = "fashion_mnist_embedded", description = "fashion_mnist_embedded | fashion_mnist | image_folder (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--train", paramLabel = "PATH", description = "training split: IDX folder (fashion_mnist) or class folders (image_folder)")
    Path train;

    @Option(names = "--test", paramLabel = "PATH", description = "test split (default for fashion_mnist: the t10k files next to --train)")
    Path test;

    @Option(names = "--class-list", paramLabel = "FILE|NAME", description = "image_folder: class folder names to keep, one per line, or the bundled list imagenet100")
    String classList;

    @Option(names = "--file-list", paramLabel = "FILE|NAME", description = "image_folder: training images to keep, one file name per line, or a bundled list: imagenet_1percent, imagenet_10percent (SimCLR's 1 %% / 10 %% subsets; with --class-list only the listed classes' entries apply)")
    String fileList;

    @Option(names = "--val-fraction", defaultValue = "0", description = "hold out this share of the training split (seeded) and report on it instead of the test split; 0 = off (default: ${DEFAULT-VALUE})")
    double valFraction;

    @Option(names = "--val-seed", defaultValue = "0", description = "seed of the validation split (default: ${DEFAULT-VALUE})")
    long valSeed;

    @Option(names = "--size", defaultValue = "0", description = "input side; 0 = 32 for Fashion-MNIST, 224 for image folders")
    int size;

    @Option(names = "--readout-grid", defaultValue = "1", description = "features = the last feature map average-pooled to N×N and flattened; 1 = global average pool (default: ${DEFAULT-VALUE})")
    int readoutGrid;

    @Option(names = "--workers", defaultValue = "2", description = "image decoding threads (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--extract-batch", defaultValue = "256", description = "images per forward pass when extracting features (default: ${DEFAULT-VALUE})")
    int extractBatch;

    @Option(names = "--cache", paramLabel = "DIR", description = "feature cache folder (default: OUT/feature-cache)")
    Path cache;

    @Option(names = "--no-cache", arity = "0..1", description = "extract features without reading or writing the cache")
    boolean noCache;

    @Option(names = "--out", paramLabel = "DIR", description = "where results.json goes (default: the run folder, else the current folder)")
    Path out;

    /** The dataset kinds the evaluation commands read. */
    enum Kind {
        FASHION_MNIST_EMBEDDED,
        FASHION_MNIST,
        IMAGE_FOLDER
    }

    /** An initialised feature extractor and what identifies its weights. */
    record Model(Block block, Results.Weights weights, String description) {
        /**
         * The block as a trainable backbone.
         *
         * @return the backbone
         */
        Backbone backbone() {
            checkArgument(!(block instanceof Readout), "fine-tuning trains on globally pooled features; drop --readout-grid");
            checkArgument(block instanceof Backbone, "the raw-pixels baseline has no weights to fine-tune; give --run or --weights");
            return (Backbone) block;
        }
    }

    /** Labelled train and evaluation images, and which split the evaluation images are. */
    record Data(ImageDataset train, ImageDataset test, int numClasses, String name, Results.Split split) {
        Results.Dataset record() {
            return new Results.Dataset(name, train.size(), test.size(), numClasses);
        }
    }

    Kind kind() {
        try {
            return Kind.valueOf(dataset.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--dataset '" + dataset + "' is unknown; valid: fashion_mnist_embedded, fashion_mnist, image_folder");
        }
    }

    /** The input side: --size, else 32 for Fashion-MNIST and 224 for image folders. */
    int size() {
        checkArgument(size >= 0, "--size must be >= 1 (or 0 for the dataset's default), got %s", size);
        if (size > 0) {
            return size;
        }
        return kind() == Kind.IMAGE_FOLDER ? 224 : 32;
    }

    /** Deterministic evaluation transform: resize for small IDX images, resize + centre crop for photos. */
    MultiCrop evaluationTransform() {
        return kind() == Kind.IMAGE_FOLDER ? MultiCrop.evaluation(size()) : MultiCrop.evaluationResize(size());
    }

    /** Where results.json goes. */
    Path outDir() {
        return out != null ? out : run != null ? run : Path.of(".");
    }

    /**
     * Builds and initialises the backbone and loads its weights.
     *
     * @param manager where the parameters live
     * @return the model
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if the options are inconsistent or a file is missing
     */
    Model model(NDManager manager) throws IOException {
        int given = (run != null ? 1 : 0) + (weights != null ? 1 : 0) + (baseline != null ? 1 : 0);
        checkArgument(
                given == 1,
                "give exactly one of --run DIR, --weights FILE.safetensors --backbone NAME, or --baseline"
                        + " raw-pixels|random-init (got %s)",
                given);
        Shape input = new Shape(1, 3, size(), size());
        if (baseline != null) {
            String b = baseline.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            if (b.equals("raw-pixels")) {
                checkArgument(readoutGrid == 1, "--readout-grid %s reads a backbone's feature map; raw pixels have none:"
                        + " drop it (or give --run/--weights/--baseline random-init)", readoutGrid);
                RawPixels raw = new RawPixels();
                return new Model(raw, Results.Weights.ofParameters(Fingerprint.ofParameters(raw)), "raw pixels");
            }
            checkArgument(b.equals("random-init"), "--baseline '%s' is unknown; valid: raw-pixels, random-init", baseline);
            checkArgument(backbone != null, "--baseline random-init needs --backbone NAME (one of %s)", ModelZoo.names());
            Backbone net = ModelZoo.backbone(backbone, ModelZoo.Options.DEFAULT.withBaseWidth(baseWidth));
            net.initialize(manager, Precision.DEFAULT.parameterType(), input);
            return new Model(readout(net), Results.Weights.ofParameters(Fingerprint.ofParameters(net)),
                    backbone + " (random init)" + readoutSuffix());
        }
        Path file;
        Backbone net;
        String description;
        if (run != null) {
            checkArgument(Files.isDirectory(run), "--run %s is not a folder; give a pretraining run folder", run);
            Path recipeFile = run.resolve("recipe.yaml");
            checkArgument(
                    Files.isRegularFile(recipeFile),
                    "--run %s has no recipe.yaml; is it a pretraining run folder? Otherwise pass --weights FILE"
                            + " --backbone NAME",
                    run);
            file = run.resolve("backbone.safetensors");
            checkArgument(
                    Files.isRegularFile(file),
                    "--run %s has no backbone.safetensors (written when pretraining ends): finish the run with"
                            + " 'selfsup pretrain --resume %s', or pass --weights FILE --backbone NAME",
                    run,
                    run);
            checkArgument(
                    backbone == null && baseWidth == 0,
                    "--backbone/--base-width come from %s with --run; drop them",
                    recipeFile);
            Recipe recipe = RecipeLoader.load(recipeFile.toString(), List.of());
            net = Pretraining.backbone(recipe.model());
            description = recipe.model().backbone() + " from " + run;
        } else {
            file = weights;
            checkArgument(
                    Files.isRegularFile(file),
                    "--weights %s: no such file; give a .safetensors file (a run's backbone.safetensors or a"
                            + " converted torchvision checkpoint)",
                    file);
            checkArgument(
                    backbone != null, "--weights needs --backbone NAME (one of %s)", ModelZoo.names());
            net = ModelZoo.backbone(backbone, ModelZoo.Options.DEFAULT.withBaseWidth(baseWidth));
            description = backbone + " from " + file;
        }
        net.initialize(manager, Precision.DEFAULT.parameterType(), input);
        try {
            Weights.load(net, file, Weights.CLASSIFIER);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + " — check that --backbone/--base-width (or the run's recipe) match the file", e);
        }
        return new Model(readout(net), Results.Weights.ofFile(file), description + readoutSuffix());
    }

    private Block readout(Backbone net) {
        return Readout.of(net, readoutGrid);
    }

    private String readoutSuffix() {
        return readoutGrid == 1 ? "" : ", readout " + readoutGrid + "x" + readoutGrid;
    }

    /**
     * Opens the labelled train and test splits.
     *
     * @return the data
     * @throws IOException if files are missing or unreadable
     */
    Data data() throws IOException {
        checkArgument(valFraction >= 0 && valFraction < 1, "--val-fraction must be in [0, 1), got %s", valFraction);
        Data full = fullData();
        if (valFraction == 0) {
            return full;
        }
        ValidationSplit split = ValidationSplit.of(full.train(), valFraction, valSeed);
        return new Data(split.train(), split.validation(), full.numClasses(),
                full.name() + " [validation split of the training images: fraction " + valFraction + ", seed "
                        + valSeed + "; test split untouched]",
                Results.Split.validation(valFraction, valSeed));
    }

    private Data fullData() throws IOException {
        Kind kind = kind();
        if (kind != Kind.IMAGE_FOLDER) {
            checkArgument(
                    classList == null && fileList == null,
                    "--class-list and --file-list apply to --dataset image_folder only");
        }
        switch (kind) {
            case FASHION_MNIST_EMBEDDED -> {
                checkArgument(
                        train == null && test == null,
                        "--dataset fashion_mnist_embedded is inside the jar; drop --train/--test (or use --dataset"
                                + " fashion_mnist --train DIR)");
                IdxDataset tr = IdxDataset.embeddedFashionMnist(true);
                return new Data(new IdxImageDataset(tr), new IdxImageDataset(IdxDataset.embeddedFashionMnist(false)),
                        tr.numClasses(), "fashion_mnist_embedded",
                        Results.Split.test());
            }
            case FASHION_MNIST -> {
                checkArgument(train != null, "--dataset fashion_mnist needs --train DIR (the folder of the IDX files)");
                Path testDir = test != null ? test : train;
                IdxDataset tr = IdxDataset.readSplit(train, true);
                IdxDataset te = IdxDataset.readSplit(testDir, false);
                int classes = Math.max(tr.numClasses(), te.numClasses());
                return new Data(new IdxImageDataset(tr), new IdxImageDataset(te), classes, "fashion_mnist:" + train,
                        Results.Split.test());
            }
            default -> {
                checkArgument(
                        train != null && test != null,
                        "--dataset image_folder needs --train DIR and --test DIR (class folders of images)");
                ImageFolder.Builder tb = ImageFolder.builder().setRoot(train);
                ImageFolder.Builder eb = ImageFolder.builder().setRoot(test);
                SubsetList classes = classList != null ? SubsetList.resolve(classList) : null;
                SubsetList files = fileList != null ? SubsetList.resolve(fileList) : null;
                if (classes != null) {
                    tb.optClassList(classes);
                    eb.optClassList(classes);
                }
                if (files != null) {
                    tb.optFileList(files); // the 1 % / 10 % subsets select training images only
                }
                ImageFolder tr = tb.build();
                ImageFolder te = eb.build();
                checkArgument(
                        tr.classes().equals(te.classes()),
                        "--train %s and --test %s have different classes (%s vs %s); pass --class-list FILE",
                        train,
                        test,
                        tr.classes().size(),
                        te.classes().size());
                String name = "image_folder:" + train
                        + (classes != null ? " class-list=" + classes.shortName() : "")
                        + (files != null ? " file-list=" + files.shortName() : "");
                return new Data(tr, te, tr.numClasses(), name, Results.Split.test());
            }
        }
    }

    /**
     * A deterministic evaluation source over a dataset; close it.
     *
     * @param images the dataset
     * @return the source
     */
    DatasetFeatureSource source(ImageDataset images) {
        checkArgument(workers >= 1, "--workers must be >= 1, got %s", workers);
        checkArgument(extractBatch >= 1, "--extract-batch must be >= 1, got %s", extractBatch);
        return DatasetFeatureSource.builder(images)
                .setTransform(evaluationTransform())
                .optBatchSize(extractBatch)
                .optThreads(workers)
                .build();
    }

    /**
     * Features of a split, from the cache unless {@code --no-cache}.
     *
     * @param block the frozen extractor
     * @param images the split
     * @param manager where the features go
     * @return the features
     * @throws IOException if the cache cannot be read or written
     */
    Features features(Block block, ImageDataset images, NDManager manager) throws IOException {
        try (DatasetFeatureSource source = source(images)) {
            if (noCache) {
                return FeatureExtractor.extract(block, source, extractBatch, manager);
            }
            Path dir = cache != null ? cache : outDir().resolve("feature-cache");
            return new FeatureCache(dir).extract(block, source, extractBatch, manager);
        }
    }

    /**
     * Writes results.json (one object, or an array for several) and prints a small table.
     *
     * @param results the records
     * @param modelDescription what was evaluated, for the table's title
     * @param data the data, whose split every record gets
     * @return the file written
     * @throws IOException if it cannot be written
     */
    Path write(List<Results> results, String modelDescription, Data data) throws IOException {
        Map<String, Object> readout = baseline != null && baseline.trim().toLowerCase(Locale.ROOT).startsWith("raw")
                ? Map.of()
                : Map.of("readout", readoutGrid == 1 ? "global average pool" : "average pool to " + readoutGrid + "x"
                        + readoutGrid + " grid of the last feature map, flattened");
        results = results.stream().map(r -> r.withSplit(data.split()).withProtocolEntries(readout)).toList();
        Path file = outDir().resolve("results.json");
        if (results.size() == 1) {
            results.get(0).write(file);
        } else {
            Results.writeAll(file, results);
        }
        System.out.println(modelDescription + " on " + results.get(0).dataset().name());
        if (data.split().evaluatedOn().equals("validation")) {
            System.out.println("numbers below are on the validation split (" + data.test().size()
                    + " held-out training images), not the test split");
        }
        System.out.printf("%-15s %-22s %8s %8s %14s%n", "metric", "protocol", "top-1", "top-5", "best (epoch)");
        for (Results r : results) {
            String protocol = r.protocol().name();
            if (r.protocol().hyperParameters().containsKey("k")) {
                protocol += " k=" + r.protocol().hyperParameters().get("k");
            }
            String best = r.bestTop1() == null ? "-" : String.format("%.2f (%d)", r.bestTop1(), r.bestEpoch());
            System.out.printf("%-15s %-22s %8.2f %8.2f %14s%n", r.metric(), protocol, r.top1(), r.top5(), best);
        }
        System.out.println("results: " + file.toAbsolutePath().normalize());
        return file;
    }
}
