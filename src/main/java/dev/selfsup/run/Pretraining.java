package dev.selfsup.run;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.config.ConfigException;
import dev.selfsup.config.DiagnosticsSettings;
import dev.selfsup.config.ModelSettings;
import dev.selfsup.config.MonitorSettings;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.YamlWriter;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.Loader;
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
import dev.selfsup.train.Progress;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
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
     * @param runDir the run folder ({@link RunFolder}; created, {@code recipe.yaml} is written
     *     there)
     * @param device the training device
     * @param resume continue from the folder's latest checkpoint ({@link
     *     RunFolder#latestCheckpoint})
     * @param progress progress reporting; null = the console default, {@link Progress#none()} for
     *     quiet
     * @return what the trainer did
     * @throws IOException if data or run files cannot be read or written
     */
    public static Trainer.Result run(
            Recipe recipe, Path runDir, Device device, boolean resume, Progress progress)
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
    public record Session(NDManager manager, Loader loader, Method method, Trainer trainer)
            implements AutoCloseable {
        @Override
        public void close() {
            loader.close();
            manager.close();
        }
    }

    /**
     * Builds a run without starting it (for callers that want the trainer's handle, e.g. to stop it
     * from another thread).
     *
     * <p>A resumed run continues with {@code recipe} as given (e.g. {@code --set train.epochs=200}
     * extends it): once the trainer is positioned at the checkpoint, {@code recipe.yaml} is
     * rewritten to it, so the folder records the recipe its training finishes with; each checkpoint
     * also records the recipe it was written under.
     *
     * @param recipe the validated recipe
     * @param runDir the run folder ({@link RunFolder}; created, {@code recipe.yaml} is written
     *     there)
     * @param device the training device
     * @param resume continue from the folder's latest checkpoint ({@link
     *     RunFolder#latestCheckpoint})
     * @param progress progress reporting; null = the console default, {@link Progress#none()} for
     *     quiet
     * @return the open session
     * @throws IOException if data or run files cannot be read or written
     * @throws IllegalArgumentException if a new run is asked for in a folder that holds one
     */
    public static Session open(
            Recipe recipe, Path runDir, Device device, boolean resume, Progress progress)
            throws IOException {
        RunFolder folder = RunFolder.of(runDir);
        if (!resume) {
            folder.checkFresh();
            folder.writeRecipe(recipe);
        }
        String yaml = YamlWriter.write(recipe);
        ImageDataset dataset = Datasets.open(recipe.data(), recipe.seed(), Datasets.Split.TRAIN);
        MultiCrop crops = Augmentations.multiCrop(recipe.augment());
        // built before the engine is seeded and before the run's loader: they read images only
        KnnMonitor knn = recipe.monitor().enabled() ? knnMonitor(recipe, dataset, crops) : null;
        DiagnosticsMonitor diagnostics =
                recipe.diagnostics().enabled() ? diagnosticsMonitor(recipe, dataset, crops) : null;
        NDManager run = NDManager.newBaseManager(device);
        Loader loader = null;
        try {
            loader =
                    Loader.builder()
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
            long itersPerEpoch =
                    Trainer.itersPerEpoch(
                            loader,
                            recipe.train().stepsPerEpoch(),
                            recipe.optimizer().accumulateSteps());
            Trainer.Builder builder =
                    inRunFolder(Trainer.builder(), runDir, recipe.train().checkpointEveryEpochs())
                            .setMethod(method)
                            .setLoader(loader)
                            .setManager(run)
                            .setOptimizer(Optimizers.optimizer(recipe, method, run, itersPerEpoch))
                            .optEpochs(recipe.train().epochs())
                            .optStepsPerEpoch(recipe.train().stepsPerEpoch())
                            .optLogEverySteps(recipe.train().logEverySteps())
                            .optSeed(recipe.seed())
                            .optAccumulateSteps(recipe.optimizer().accumulateSteps())
                            .optGradientClipping(Optimizers.gradientClipping(recipe.optimizer()))
                            .optRecipeYaml(yaml)
                            .optProgress(
                                    progress != null
                                            ? progress
                                            : Progress.forConsole(recipe.train().logEverySteps()));
            if (knn != null) {
                builder.addEpochObserver(new KnnObserver(knn, chartFiles(runDir)));
            }
            if (diagnostics != null) {
                builder.addStepObserver(new DiagnosticsObserver(diagnostics, chartFiles(runDir)));
            }
            Trainer trainer = builder.build();
            if (resume) {
                trainer.resume(folder.latestCheckpoint());
                folder.writeRecipe(recipe);
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

    private static Function<String, Path> chartFiles(Path runDir) {
        return RunFolder.of(runDir)::plotFile;
    }

    /** Points a trainer at the files of a run folder ({@link RunFolder} names them). */
    private static Trainer.Builder inRunFolder(
            Trainer.Builder b, Path runDir, int checkpointEveryEpochs) {
        RunFolder folder = RunFolder.of(runDir);
        return b.setCheckpoint(folder.latestCheckpoint())
                .optEpochCheckpoints(checkpointEveryEpochs, folder::epochCheckpoint)
                .optMetrics(folder.metricsFile())
                .optPlots(folder::plotFile)
                .optExportBackbone(folder.backboneFile());
    }

    /**
     * The kNN monitor of a recipe's {@code monitor:} section: a seeded validation split of the
     * training images (queries) against the rest (memory bank, optionally a seeded subset of {@code
     * max_bank} images), through {@link Augmentations#evaluation(dev.selfsup.config.DataSettings,
     * MultiCrop)}.
     *
     * @param recipe the recipe
     * @param train the training images
     * @param crops the training multi-crop (size and normalisation of the first crop group)
     * @return the monitor, evaluating every {@code monitor.every_epochs} epochs and after the last
     * @throws IllegalArgumentException if the images are unlabelled or the split leaves a part
     *     empty
     */
    public static KnnMonitor knnMonitor(Recipe recipe, ImageDataset train, MultiCrop crops) {
        MonitorSettings m = recipe.monitor();
        ConfigException.require(
                train.numClasses() > 0,
                "monitor.every_epochs",
                m.everyEpochs(),
                "0: the kNN monitor needs class labels and " + train.name() + " has none");
        ValidationSplit split = ValidationSplit.of(train, m.valFraction(), m.valSeed());
        ImageDataset bank =
                m.maxBank() > 0 && m.maxBank() < split.train().size()
                        ? ValidationSplit.subset(split.train(), m.maxBank(), m.valSeed())
                        : split.train();
        return KnnMonitor.builder()
                .setData(bank, split.validation())
                .setTransform(Augmentations.evaluation(recipe.data(), crops))
                .setEveryEpochs(m.everyEpochs())
                .optK(m.knnK())
                .optTemperature(m.knnTemperature())
                .optReadoutGrid(m.readoutGrid())
                .optExtractBatch(m.extractBatch())
                .optThreads(recipe.data().workers())
                .build();
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
    public static DiagnosticsMonitor diagnosticsMonitor(
            Recipe recipe, ImageDataset train, MultiCrop crops) throws IOException {
        DiagnosticsSettings d = recipe.diagnostics();
        ConfigException.require(
                d.batch() <= train.size(),
                "diagnostics.batch",
                d.batch(),
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
     * The backbone a model section names, uninitialised.
     *
     * @param m the model section
     * @return the backbone
     */
    public static Backbone backbone(ModelSettings m) {
        return backbone(m, 1);
    }

    /**
     * The backbone a model section names, uninitialised, with BatchNorm statistics per group of the
     * batch in training mode (MoCo's {@code moco.bn_splits}).
     *
     * @param m the model section
     * @param bnSplits S, {@code >= 1}; 1 = plain BatchNorm
     * @return the backbone
     */
    public static Backbone backbone(ModelSettings m, int bnSplits) {
        return ModelZoo.backbone(
                m.backbone(),
                new ModelZoo.Options(
                        m.baseWidth(), m.zeroInitResidual(), m.dropPathRate(), 0, bnSplits));
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
        return Methods.create(
                recipe.method(),
                new ModelParts(recipe.model(), run, inputSize, recipe.data().batchSize()));
    }
}
