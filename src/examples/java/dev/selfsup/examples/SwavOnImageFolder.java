package dev.selfsup.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.config.SwavSettings;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.Loader;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.method.Swav;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.model.Prototypes;
import dev.selfsup.model.ResNet;
import dev.selfsup.train.Optimizer;
import dev.selfsup.train.Schedule;
import dev.selfsup.train.Sgd;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * SwAV on your own images with a backbone built in code: a ResNet with custom stage depths and
 * width (here a CPU-sized one), SwAV multi-crop, SGD with warm-up + cosine, and the library's
 * {@link Trainer} (checkpoints, {@code metrics.jsonl}, {@code backbone.safetensors}).
 *
 * <p>Everything a recipe would say is spelled out with the pieces instead: {@link ImageFolder},
 * {@link MultiCrop#swav(int, int, int, int)}, {@link Loader}, {@link ResNet#builder()}, {@link
 * ProjectionHead}, {@link Prototypes}, {@link Swav}, {@link Sgd}, {@link Trainer}.
 *
 * <pre>
 * java -cp ... dev.selfsup.examples.SwavOnImageFolder /data/my-images runs/swav-mine
 * </pre>
 *
 * Every {@code .jpg/.jpeg/.png/.bmp} under the folder is used, at any depth (class folders are
 * allowed and ignored).
 */
public final class SwavOnImageFolder {
    private SwavOnImageFolder() {}

    /**
     * The knobs of this example.
     *
     * @param stageBlocks residual blocks per ResNet stage (ResNet-18: 2, 2, 2, 2)
     * @param baseWidth stem width (torchvision: 64); stages are 1, 2, 4, 8 times it
     * @param globalSize side of the 2 global crops (SwAV: 224)
     * @param localSize side of the local crops (SwAV: 96)
     * @param localCount local crops per image (SwAV: 6)
     * @param prototypes K (SwAV: 3000)
     * @param batchSize images per step
     * @param epochs epochs
     * @param stepsPerEpoch batches per epoch, 0 = the whole folder
     * @param baseLr learning rate at batch 256 (scaled linearly to {@code batchSize})
     * @param seed run seed
     */
    public record Settings(
            int[] stageBlocks,
            int baseWidth,
            int globalSize,
            int localSize,
            int localCount,
            int prototypes,
            int batchSize,
            int epochs,
            int stepsPerEpoch,
            double baseLr,
            long seed) {

        /**
         * A ResNet-18-shaped model at half width, 2×160 + 4×96 crops: a day on one GPU for ~100k
         * images.
         *
         * @return the settings
         */
        public static Settings gpuDefaults() {
            return new Settings(new int[] {2, 2, 2, 2}, 32, 160, 96, 4, 1000, 128, 100, 0, 0.6, 0);
        }
    }

    /**
     * Pretrains a SwAV model on a folder of images.
     *
     * @param imageFolder the images
     * @param runDir where checkpoints, metrics and {@code backbone.safetensors} go
     * @param s the settings
     * @param device the training device
     * @return the trainer's result (iterations, last loss, checkpoint)
     * @throws IOException if the images or the run folder cannot be read or written
     */
    public static Trainer.Result run(Path imageFolder, Path runDir, Settings s, Device device) throws IOException {
        // pretraining needs no labels: every image under the folder, at any depth
        ImageFolder images = ImageFolder.unlabelled(imageFolder);
        MultiCrop crops = MultiCrop.swav(s.globalSize(), 2, s.localSize(), s.localCount());
        SelfsupEngine.seed(s.seed()); // initial weights come from the engine's generator
        try (NDManager run = NDManager.newBaseManager(device);
                Loader loader = Loader.builder()
                        .setDataset(images)
                        .setTransform(crops)
                        .setBatchSize(s.batchSize())
                        .optThreads(2)
                        .optSeed(s.seed())
                        .optDropLast(true)
                        .build()) {
            // the custom backbone: any Block implementing Backbone works here
            ResNet backbone = ResNet.builder()
                    .setBlockType(ResNet.BlockType.BASIC)
                    .setStageBlocks(s.stageBlocks())
                    .optBaseWidth(s.baseWidth())
                    .optCifarStem(s.globalSize() < 64) // small images: 3x3 stem, no max-pool
                    .build();
            backbone.initialize(run, DataType.FLOAT32, new Shape(1, 3, s.globalSize(), s.globalSize()));
            int f = backbone.featureDim();
            ProjectionHead head = ProjectionHead.builder()
                    .optInputDim(f).setHiddenDims(2 * f).setOutputDim(Math.min(128, f)).build();
            head.initialize(run, DataType.FLOAT32, new Shape(1, f));
            Prototypes prototypes = Prototypes.builder()
                    .setPrototypes(s.prototypes()).optInputDim(head.outputDim()).build();
            prototypes.initialize(run, DataType.FLOAT32, new Shape(1, head.outputDim()));

            int batches = s.stepsPerEpoch() > 0 ? Math.min(s.stepsPerEpoch(), loader.batchesPerEpoch())
                    : loader.batchesPerEpoch();
            long total = (long) batches * s.epochs();
            // SwAV's defaults except K and a prototype freeze of one epoch
            SwavSettings swav = SwavSettings.defaults()
                    .withPrototypes(prototypes.prototypes())
                    .withFreezePrototypesIters((int) Math.min(batches, total - 1));
            Swav method = new Swav(backbone, head, prototypes, swav, run);

            double lr = s.baseLr() * s.batchSize() / 256.0;
            Optimizer sgd = Sgd.builder()
                    .setManager(run)
                    .setGroups(method.paramGroups())
                    .setLearningRate(Schedule.warmupCosine(lr, lr * 1e-3, Math.min(total - 1, batches), total, 0))
                    .optWeightDecay(1e-6)
                    .optMomentum(0.9)
                    .build();
            Trainer trainer = Trainer.builder()
                    .setMethod(method)
                    .setLoader(loader)
                    .setManager(run)
                    .setRunDir(runDir)
                    .setOptimizer(sgd)
                    .optEpochs(s.epochs())
                    .optStepsPerEpoch(s.stepsPerEpoch())
                    .optSeed(s.seed())
                    .build();
            return trainer.fit();
        }
    }

    /**
     * Command line: {@code <image folder> <run folder>}.
     *
     * @param args the two folders
     * @throws IOException if a folder cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SwavOnImageFolder <image folder> <run folder>");
            System.exit(2);
        }
        SelfsupEngine.boot(0);
        Trainer.Result r = run(Path.of(args[0]), Path.of(args[1]), Settings.gpuDefaults(), Devices.parse("auto"));
        System.out.printf("%d iterations, last loss %.4f, checkpoint %s%n", r.iterations(), r.lastLoss(), r.checkpoint());
    }
}
