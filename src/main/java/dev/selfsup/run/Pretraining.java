package dev.selfsup.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.GaussianBlur;
import dev.selfsup.augment.Geometry;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomGrayscale;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.augment.Resize;
import dev.selfsup.augment.ResizeCenterCrop;
import dev.selfsup.augment.Solarize;
import dev.selfsup.config.AugmentSettings;
import dev.selfsup.config.ConfigException;
import dev.selfsup.config.DataSettings;
import dev.selfsup.config.DiagnosticsSettings;
import dev.selfsup.config.ModelSettings;
import dev.selfsup.config.MonitorSettings;
import dev.selfsup.config.OptimizerSettings;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.YamlWriter;
import dev.selfsup.data.IdxDataset;
import dev.selfsup.data.IdxImageDataset;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.Loader;
import dev.selfsup.data.SubsetList;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.data.ValidationSplit;
import dev.selfsup.engine.Seeds;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.DiagnosticsMonitor;
import dev.selfsup.eval.KnnMonitor;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import dev.selfsup.method.SwavSettings;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.optim.AdamW;
import dev.selfsup.optim.Lars;
import dev.selfsup.optim.LrScaling;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.optim.ParamGroup;
import dev.selfsup.train.Progress;
import dev.selfsup.optim.Schedule;
import dev.selfsup.optim.Sgd;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Builds everything a recipe describes — dataset, multi-crop, loader, model, method, optimiser,
 * trainer and, when the recipe asks, the kNN monitor and the embedding diagnostics as trainer
 * observers — and runs it in a run folder. This is what {@code selfsup pretrain} calls; research
 * code can call the pieces directly instead. The composition root: it may use {@code train} and
 * {@code eval} alike, which do not use each other this way round.
 */
public final class Pretraining {
    private Pretraining() {}

    /**
     * Trains a recipe in {@code runDir}, or continues it from its latest checkpoint.
     *
     * @param recipe the validated recipe
     * @param runDir the run folder (created; {@code recipe.yaml} is written there)
     * @param device the training device
     * @param resume continue from {@link #latestCheckpoint}
     * @param progress progress reporting; null = the console default, {@link Progress#none()} for quiet
     * @return what the trainer did
     * @throws IOException if data or run files cannot be read or written
     */
    public static Trainer.Result run(Recipe recipe, Path runDir, Device device, boolean resume, Progress progress)
            throws IOException {
        try (Session session = open(recipe, runDir, device, resume, progress)) {
            return session.trainer().fit();
        }
    }

    /**
     * Everything a run holds open: the run manager (parameters, state), the loader's threads, the
     * method and the trainer. Close it when done.
     *
     * @param manager the run manager
     * @param loader the data loader
     * @param method the method
     * @param trainer the trainer, positioned at the checkpoint when resuming
     */
    public record Session(NDManager manager, Loader loader, Method method, Trainer trainer) implements AutoCloseable {
        @Override
        public void close() {
            loader.close();
            manager.close();
        }
    }

    /**
     * Builds a run without starting it (for callers that want the trainer's handle, e.g. to stop
     * it from another thread).
     *
     * @param recipe the validated recipe
     * @param runDir the run folder (created; {@code recipe.yaml} is written there)
     * @param device the training device
     * @param resume continue from {@link #latestCheckpoint}
     * @param progress progress reporting; null = the console default, {@link Progress#none()} for quiet
     * @return the open session
     * @throws IOException if data or run files cannot be read or written
     */
    public static Session open(Recipe recipe, Path runDir, Device device, boolean resume, Progress progress)
            throws IOException {
        if (!resume && (Files.exists(latestCheckpoint(runDir)) || Files.exists(metricsFile(runDir)))) {
            throw new IllegalArgumentException("run folder " + runDir + " already holds a run; continue it with"
                    + " --resume " + runDir + " or choose another --out");
        }
        Files.createDirectories(runDir);
        String yaml = YamlWriter.write(recipe);
        if (!resume) {
            Files.writeString(runDir.resolve("recipe.yaml"), yaml, StandardCharsets.UTF_8);
        }
        ImageDataset dataset = dataset(recipe.data(), recipe.seed(), true);
        MultiCrop crops = multiCrop(recipe.augment());
        // built before the engine is seeded and before the run's loader: they read images only
        KnnMonitor knn = recipe.monitor().enabled() ? knnMonitor(recipe, dataset, crops) : null;
        DiagnosticsMonitor diagnostics = recipe.diagnostics().enabled() ? diagnosticsMonitor(recipe, dataset, crops) : null;
        NDManager run = NDManager.newBaseManager(device);
        Loader loader = null;
        try {
            loader = Loader.builder()
                    .setDataset(dataset)
                    .setTransform(crops)
                    .setBatchSize(recipe.data().batchSize())
                    .optThreads(recipe.data().workers())
                    .optPrefetch(recipe.data().prefetchBatches())
                    .optSeed(recipe.seed())
                    .optDropLast(recipe.data().dropLast())
                    .optDevice(device)
                    .build();
            SelfsupEngine.seed(recipe.seed());
            int firstSize = crops.groups().get(0).size();
            Method method = method(recipe, run, firstSize);
            long itersPerEpoch = Trainer.itersPerEpoch(loader, recipe.train().stepsPerEpoch(),
                    recipe.optimizer().accumulateSteps());
            Trainer.Builder builder = inRunFolder(Trainer.builder(), runDir, recipe.train().checkpointEveryEpochs())
                    .setMethod(method)
                    .setLoader(loader)
                    .setManager(run)
                    .setOptimizer(optimizer(recipe, method, run, itersPerEpoch))
                    .optEpochs(recipe.train().epochs())
                    .optStepsPerEpoch(recipe.train().stepsPerEpoch())
                    .optLogEverySteps(recipe.train().logEverySteps())
                    .optSeed(recipe.seed())
                    .optAccumulateSteps(recipe.optimizer().accumulateSteps())
                    .optClipGradNorm(recipe.optimizer().clipGradNorm())
                    .optRecipeYaml(yaml)
                    .optProgress(progress != null ? progress : Progress.forConsole(recipe.train().logEverySteps()));
            if (knn != null) {
                builder.addEpochObserver(new KnnObserver(knn, chartFiles(runDir)));
            }
            if (diagnostics != null) {
                builder.addStepObserver(new DiagnosticsObserver(diagnostics, chartFiles(runDir)));
            }
            Trainer trainer = builder.build();
            if (resume) {
                trainer.resume(latestCheckpoint(runDir));
            }
            return new Session(run, loader, method, trainer);
        } catch (IOException | RuntimeException e) {
            if (loader != null) {
                loader.close();
            }
            run.close();
            throw e;
        }
    }

    /**
     * The latest checkpoint of a run folder, which {@code --resume} continues.
     *
     * @param runDir the run folder
     * @return {@code runDir/checkpoints/latest.ckpt}
     */
    public static Path latestCheckpoint(Path runDir) {
        return runDir.resolve("checkpoints").resolve("latest.ckpt");
    }

    private static Path metricsFile(Path runDir) {
        return runDir.resolve("metrics.jsonl");
    }

    private static Function<String, Path> chartFiles(Path runDir) {
        return chart -> runDir.resolve(chart + ".png");
    }

    /** Points a trainer at the files of a run folder (DESIGN.md, "Runs on disk"). */
    private static Trainer.Builder inRunFolder(Trainer.Builder b, Path runDir, int checkpointEveryEpochs) {
        Path checkpoints = latestCheckpoint(runDir).getParent();
        return b.setCheckpoint(latestCheckpoint(runDir))
                .optEpochCheckpoints(checkpointEveryEpochs,
                        epochs -> checkpoints.resolve(String.format(Locale.ROOT, "epoch_%04d.ckpt", epochs)))
                .optMetrics(metricsFile(runDir))
                .optPlots(chartFiles(runDir))
                .optExportBackbone(runDir.resolve("backbone.safetensors"));
    }

    /**
     * The kNN monitor of a recipe's {@code monitor:} section: a seeded validation split of the
     * training images (queries) against the rest (memory bank, optionally a seeded subset of
     * {@code max_bank} images), through {@link #evaluationTransform}.
     *
     * @param recipe the recipe
     * @param train the training images
     * @param crops the training multi-crop (size and normalisation of the first crop group)
     * @return the monitor, evaluating every {@code monitor.every_epochs} epochs and after the last
     * @throws IllegalArgumentException if the images are unlabelled or the split leaves a part empty
     */
    public static KnnMonitor knnMonitor(Recipe recipe, ImageDataset train, MultiCrop crops) {
        MonitorSettings m = recipe.monitor();
        ConfigException.require(train.numClasses() > 0, "monitor.every_epochs", m.everyEpochs(),
                "0: the kNN monitor needs class labels and " + train.name() + " has none");
        ValidationSplit split = ValidationSplit.of(train, m.valFraction(), m.valSeed());
        ImageDataset bank = m.maxBank() > 0 && m.maxBank() < split.train().size()
                ? ValidationSplit.subset(split.train(), m.maxBank(), m.valSeed())
                : split.train();
        return KnnMonitor.builder()
                .setData(bank, split.validation())
                .setTransform(evaluationTransform(recipe.data(), crops))
                .setEveryEpochs(m.everyEpochs())
                .optK(m.knnK())
                .optTemperature(m.knnTemperature())
                .optReadoutGrid(m.readoutGrid())
                .optExtractBatch(m.extractBatch())
                .optThreads(recipe.data().workers())
                .build();
    }

    /**
     * The deterministic transform the kNN monitor extracts features with: the first crop group's
     * size and normalisation, a plain resize for small images (IDX, synthetic) and resize +
     * centre crop (crop fraction 0.875) for image folders.
     *
     * @param data the data section
     * @param crops the training multi-crop
     * @return a one-crop transform
     */
    public static MultiCrop evaluationTransform(DataSettings data, MultiCrop crops) {
        CropGroup first = crops.groups().get(0);
        Geometry geometry = data.dataset() == DataSettings.DatasetKind.IMAGE_FOLDER
                ? new ResizeCenterCrop(first.size(), 0.875)
                : new Resize(first.size());
        return MultiCrop.of(new CropGroup(1, geometry, 0, Photometric.normalizeOnly(first.photometric().normalize())));
    }

    /**
     * The embedding diagnostics of a recipe's {@code diagnostics:} section, on a fixed batch drawn
     * with a seed derived from the run seed; pair scores for the contrastive methods only.
     *
     * @param recipe the recipe
     * @param train the training images
     * @param crops the training multi-crop (its first group cuts the two views)
     * @return the monitor, measuring every {@code diagnostics.every_steps} steps
     * @throws IOException if an image of the batch is unreadable
     */
    public static DiagnosticsMonitor diagnosticsMonitor(Recipe recipe, ImageDataset train, MultiCrop crops)
            throws IOException {
        DiagnosticsSettings d = recipe.diagnostics();
        ConfigException.require(d.batch() <= train.size(), "diagnostics.batch", d.batch(),
                "at most the " + train.size() + " training images");
        return DiagnosticsMonitor.builder()
                .setDataset(train)
                .setTransform(crops)
                .setEverySteps(d.everySteps())
                .optBatch(d.batch())
                .optSeed(Seeds.mix(recipe.seed(), "diagnostics"))
                .optPairScores(!(recipe.method() instanceof SwavSettings))
                .optRankWarnFraction(d.rankWarnFraction())
                .optRankWarnDrop(d.rankWarnDrop())
                .build();
    }

    /**
     * Opens the dataset a recipe names.
     *
     * @param data the data section
     * @param seed the run seed (synthetic data)
     * @param train the training split (IDX datasets)
     * @return the dataset
     * @throws IOException if files are missing or unreadable
     */
    public static ImageDataset dataset(DataSettings data, long seed, boolean train) throws IOException {
        return switch (data.dataset()) {
            case FASHION_MNIST_EMBEDDED -> new IdxImageDataset(IdxDataset.embeddedFashionMnist(train));
            case FASHION_MNIST -> new IdxImageDataset(IdxDataset.readSplit(Path.of(data.path()), train));
            case IMAGE_FOLDER -> {
                ImageFolder.Builder b = ImageFolder.builder().setRoot(Path.of(data.path()));
                if (!data.classList().isBlank()) {
                    b.optClassList(SubsetList.resolve(data.classList()));
                }
                if (!data.fileList().isBlank()) {
                    b.optFileList(SubsetList.resolve(data.fileList()));
                }
                yield b.build();
            }
            case SYNTHETIC -> new SyntheticShapes(data.syntheticImages(), data.syntheticClasses(),
                    data.syntheticResolution(), data.syntheticResolution(), seed);
        };
    }

    /**
     * The multi-crop transform of an augment section.
     *
     * @param a the augment section
     * @return the transform
     */
    public static MultiCrop multiCrop(AugmentSettings a) {
        List<AugmentSettings.CropSettings> crops = a.effectiveCrops();
        if (a.preset() == AugmentSettings.Preset.DINO && crops.size() == 2 && crops.get(0).count() == 2) {
            // DINO treats its two global crops differently (blur 1.0 / 0.1, solarise one)
            return MultiCrop.dino(crops.get(0).size(), crops.get(1).size(), crops.get(1).count());
        }
        Normalize normalize = normalize(a);
        double s = a.jitterStrength();
        ColorJitter jitter = new ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, a.jitterProbability());
        MultiCrop.Builder b = MultiCrop.builder();
        for (AugmentSettings.CropSettings c : crops) {
            Photometric p = new Photometric(jitter, new RandomGrayscale(a.grayscaleProbability()),
                    GaussianBlur.forCrop(a.blurProbability(), c.size()),
                    a.solarizeProbability() > 0 ? new Solarize(a.solarizeProbability(), Solarize.DEFAULT_THRESHOLD)
                            : Solarize.none(),
                    normalize);
            b.addGroup(new CropGroup(c.count(), new RandomResizedCrop(c.size(), c.scaleMin(), c.scaleMax()),
                    a.flipProbability(), p));
        }
        return b.build();
    }

    private static Normalize normalize(AugmentSettings a) {
        if (a.mean().isEmpty() && a.std().isEmpty()) {
            return a.preset() == AugmentSettings.Preset.SWAV ? Normalize.SWAV : Normalize.IMAGENET;
        }
        Normalize base = a.preset() == AugmentSettings.Preset.SWAV ? Normalize.SWAV : Normalize.IMAGENET;
        float[] mean = a.mean().isEmpty() ? base.mean() : floats(a.mean());
        float[] std = a.std().isEmpty() ? base.std() : floats(a.std());
        return new Normalize(mean, std);
    }

    private static float[] floats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }

    /**
     * The backbone a model section names, uninitialised.
     *
     * @param m the model section
     * @return the backbone
     */
    public static Backbone backbone(ModelSettings m) {
        return backbone(m, 1);
    }

    /**
     * The backbone a model section names, uninitialised, with BatchNorm statistics per group of
     * the batch in training mode (MoCo's {@code moco.bn_splits}).
     *
     * @param m the model section
     * @param bnSplits S, {@code >= 1}; 1 = plain BatchNorm
     * @return the backbone
     */
    public static Backbone backbone(ModelSettings m, int bnSplits) {
        return ModelZoo.backbone(m.backbone(),
                new ModelZoo.Options(m.baseWidth(), m.zeroInitResidual(), m.dropPathRate(), 0, bnSplits));
    }

    /**
     * The projection head a model section describes, for features of width {@code inputDim}.
     *
     * @param m the model section
     * @param inputDim F
     * @return the head, uninitialised
     */
    public static ProjectionHead head(ModelSettings m, int inputDim) {
        return head(m, inputDim, 1);
    }

    /**
     * The projection head a model section describes, with BatchNorm statistics per group of the
     * batch in training mode (no effect on a head without BatchNorm).
     *
     * @param m the model section
     * @param inputDim F
     * @param bnSplits S, {@code >= 1}; 1 = plain BatchNorm
     * @return the head, uninitialised
     */
    public static ProjectionHead head(ModelSettings m, int inputDim, int bnSplits) {
        return ProjectionHead.builder()
                .optInputDim(inputDim)
                .setHiddenDims(m.headHiddenDims().stream().mapToInt(Integer::intValue).toArray())
                .setOutputDim(m.headOutputDim())
                .optBatchNorm(m.headBatchNorm())
                .optLastBatchNorm(m.headLastBatchNorm())
                .optBatchNormSplits(bnSplits)
                .build();
    }

    /**
     * Builds and initialises the recipe's method on the run manager (the engine must be seeded
     * first: initial weights are drawn from it), through {@link Methods}.
     *
     * @param recipe the recipe
     * @param run the run manager (device and lifetime of parameters and state)
     * @param inputSize side of the first crop group, used to initialise the backbone
     * @return the method
     */
    public static Method method(Recipe recipe, NDManager run, int inputSize) {
        return Methods.create(recipe.method(), new ModelParts(recipe.model(), run, inputSize, recipe.data().batchSize()));
    }

    /**
     * The recipe's optimiser over the method's groups, with its per-iteration schedule.
     *
     * @param recipe the recipe
     * @param method the method
     * @param run the run manager (optimiser state)
     * @param itersPerEpoch optimiser iterations per epoch
     * @return the optimiser
     */
    public static Optimizer optimizer(Recipe recipe, Method method, NDManager run, long itersPerEpoch) {
        return optimizer(recipe.optimizer(), recipe.data().batchSize(), recipe.train().epochs(), method, run,
                itersPerEpoch);
    }

    /**
     * An optimiser section's optimiser over a method's groups, with its per-iteration schedule.
     *
     * @param o the optimizer section
     * @param batchSize images per batch (before accumulation)
     * @param epochs the run's length
     * @param method the method
     * @param run the run manager (optimiser state)
     * @param itersPerEpoch optimiser iterations per epoch
     * @return the optimiser
     */
    public static Optimizer optimizer(OptimizerSettings o, int batchSize, int epochs, Method method, NDManager run,
            long itersPerEpoch) {
        int batch = batchSize * o.accumulateSteps();
        double base = o.lrScaling().scale(o.baseLr(), batch);
        long total = Math.max(1, itersPerEpoch * epochs);
        long warmup = Math.min(total - 1, itersPerEpoch * o.warmupEpochs());
        Schedule schedule = o.schedule() == OptimizerSettings.ScheduleKind.CONSTANT
                ? Schedule.constant(base)
                : Schedule.warmupCosine(base, o.finalLr(), warmup, total, o.warmupStartLr());
        List<ParamGroup> groups = new ArrayList<>();
        for (ParamGroup g : method.paramGroups()) {
            groups.add(g.excludeBnAndBiasFromDecay(o.excludeBnAndBias()).excludeFromLarsAdaptation(o.excludeBnAndBias()));
        }
        return switch (o.name()) {
            case SGD -> Sgd.builder().setManager(run).setGroups(groups).setLearningRate(schedule)
                    .optWeightDecay(o.weightDecay()).optMomentum(o.momentum()).build();
            case LARS -> Lars.builder().setManager(run).setGroups(groups).setLearningRate(schedule)
                    .optWeightDecay(o.weightDecay()).optMomentum(o.momentum()).optTrustCoefficient(o.larsEta())
                    .optClip(o.larsClip()).build();
            case ADAMW -> AdamW.builder().setManager(run).setGroups(groups).setLearningRate(schedule)
                    .optWeightDecay(o.weightDecay()).build();
        };
    }
}
