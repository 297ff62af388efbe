package dev.selfsup.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.Loader;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.method.Swav;
import dev.selfsup.method.SwavSettings;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.model.Prototypes;
import dev.selfsup.model.ResNet;
import dev.selfsup.optim.Lars;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.optim.Schedule;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * SwAV on your own images with a backbone built in code: a ResNet with custom stage depths and
 * width, SwAV multi-crop with crop scales that suit the image size, LARS with a cosine schedule as
 * in the SwAV recipes, and the library's {@link Trainer} (checkpoints, {@code metrics.jsonl},
 * {@code backbone.safetensors}).
 *
 * <p>Everything a recipe would say is spelled out with the pieces instead: {@link ImageFolder},
 * {@link MultiCrop#swav(MultiCrop.Crops, MultiCrop.Crops)}, {@link Loader}, {@link
 * ResNet#builder()}, {@link ProjectionHead}, {@link Prototypes}, {@link Swav}, {@link Lars}, {@link
 * Trainer}. The optimiser settings are those of the {@code swav_*} recipes (official SwAV): LARS at
 * 0.6 × B/256 with cosine decay to a thousandth, weight decay 1e-6, prototypes frozen for the first
 * epoch, a queue at batch ≤ 256. SwAV's rates are LARS rates: plain SGD at 0.6 keeps the loss at ln
 * K (see docs/troubleshooting.md).
 *
 * <pre>
 * java -cp ... dev.selfsup.examples.SwavOnImageFolder /data/my-images runs/swav-mine [gpu|small]
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
     * @param globalCrops the global crops, on which codes are computed (SwAV: 2 × 224, scale
     *     0.14–1)
     * @param localCrops the local crops (SwAV: 6 × 96, scale 0.05–0.14); small images need larger
     *     scales, see {@link MultiCrop#swav(MultiCrop.Crops, MultiCrop.Crops)}
     * @param prototypes K (SwAV: 3000)
     * @param batchSize images per step
     * @param epochs epochs
     * @param stepsPerEpoch batches per epoch, 0 = the whole folder
     * @param baseLr LARS learning rate at batch 256, scaled linearly to {@code batchSize} (SwAV:
     *     0.6; not an SGD rate)
     * @param queueLength SwAV's feature queue per assigned crop, 0 = none; a multiple of the batch
     *     (SwAV at batch 256: 3840)
     * @param queueStartEpoch the epoch from which the queue fills (SwAV: 15)
     * @param seed run seed
     */
    public record Settings(
            int[] stageBlocks,
            int baseWidth,
            MultiCrop.Crops globalCrops,
            MultiCrop.Crops localCrops,
            int prototypes,
            int batchSize,
            int epochs,
            int stepsPerEpoch,
            double baseLr,
            int queueLength,
            int queueStartEpoch,
            long seed) {

        /**
         * A ResNet-18-shaped model at half width, 2×160 + 4×96 crops at SwAV's scales, K 1000,
         * batch 128 with a 3840 queue from epoch 15 (the batch-256 recipe's): a day on one GPU for
         * ~100k images.
         *
         * @return the settings
         */
        public static Settings gpuDefaults() {
            return new Settings(
                    new int[] {2, 2, 2, 2},
                    32,
                    new MultiCrop.Crops(2, 160, 0.14, 1.0),
                    new MultiCrop.Crops(4, 96, 0.05, 0.14),
                    1000,
                    128,
                    100,
                    0,
                    0.6,
                    3840,
                    15,
                    0);
        }

        /**
         * The {@code swav_fashionmnist} recipe's settings for small images (28–32 px, e.g.
         * Fashion-MNIST exported as PNGs) on a CPU: {@code resnet18_cifar} at width 32, 2×28 crops
         * of scale 0.3–1 + 4×16 of scale 0.1–0.3, K 100, batch 256, queue 1024 from epoch 2, 20
         * epochs.
         *
         * @return the settings
         */
        public static Settings smallImageDefaults() {
            return new Settings(
                    new int[] {2, 2, 2, 2},
                    32,
                    new MultiCrop.Crops(2, 28, 0.3, 1.0),
                    new MultiCrop.Crops(4, 16, 0.1, 0.3),
                    100,
                    256,
                    20,
                    0,
                    0.6,
                    1024,
                    2,
                    0);
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
    public static Trainer.Result run(Path imageFolder, Path runDir, Settings s, Device device)
            throws IOException {
        // pretraining needs no labels: every image under the folder, at any depth
        ImageFolder images = ImageFolder.unlabelled(imageFolder);
        MultiCrop crops = MultiCrop.swav(s.globalCrops(), s.localCrops());
        int globalSize = s.globalCrops().size();
        SelfsupEngine.seed(s.seed()); // initial weights come from the engine's generator
        try (NDManager run = NDManager.newBaseManager(device);
                Loader loader =
                        Loader.builder()
                                .setDataset(images)
                                .setTransform(crops)
                                .setBatchSize(s.batchSize())
                                .optThreads(2)
                                .optSeed(s.seed())
                                .optDropLast(true)
                                .build()) {
            // the custom backbone: any Block implementing Backbone works here
            ResNet backbone =
                    ResNet.builder()
                            .setBlockType(ResNet.BlockType.BASIC)
                            .setStageBlocks(s.stageBlocks())
                            .optBaseWidth(s.baseWidth())
                            .optCifarStem(globalSize < 64) // small images: 3x3 stem, no max-pool
                            .build();
            backbone.initialize(run, DataType.FLOAT32, new Shape(1, 3, globalSize, globalSize));
            int f = backbone.featureDim();
            ProjectionHead head =
                    ProjectionHead.builder()
                            .optInputDim(f)
                            .setHiddenDims(2 * f)
                            .setOutputDim(Math.min(128, f))
                            .build();
            head.initialize(run, DataType.FLOAT32, new Shape(1, f));
            Prototypes prototypes =
                    Prototypes.builder()
                            .setPrototypes(s.prototypes())
                            .optInputDim(head.outputDim())
                            .build();
            prototypes.initialize(run, DataType.FLOAT32, new Shape(1, head.outputDim()));

            long batches = Trainer.itersPerEpoch(loader, s.stepsPerEpoch(), 1);
            long total = batches * s.epochs();
            // SwAV's defaults except K and the queue; prototypes frozen for the first epoch, as the
            // official 5005 iterations at batch 256 and 313 at batch 4096 are one ImageNet epoch
            SwavSettings swav =
                    SwavSettings.defaults()
                            .withPrototypes(prototypes.prototypes())
                            .withQueueLength(s.queueLength())
                            .withQueueStartEpoch(s.queueStartEpoch())
                            .withFreezePrototypesIters((int) Math.min(batches, total - 1));
            Swav method = new Swav(backbone, head, prototypes, swav, run);

            // the swav_* recipes' optimiser: LARS (trust coefficient 0.001; BN and bias excluded
            // from decay and adaptation), cosine to a thousandth of the rate (0.6 -> 0.0006), no
            // warm-up at this batch size (the batch-4096 recipe warms up for 10 epochs)
            double lr = s.baseLr() * s.batchSize() / 256.0;
            Optimizer lars =
                    Lars.builder()
                            .setManager(run)
                            .setGroups(method.paramGroups())
                            .setLearningRate(Schedule.warmupCosine(lr, lr * 1e-3, 0, total, 0))
                            .optWeightDecay(1e-6)
                            .optMomentum(0.9)
                            .build();
            // every file is named here: the latest checkpoint (required), metrics, plots, weights
            Trainer trainer =
                    Trainer.builder()
                            .setMethod(method)
                            .setLoader(loader)
                            .setManager(run)
                            .setCheckpoint(runDir.resolve("checkpoints").resolve("latest.ckpt"))
                            .setOptimizer(lars)
                            .optMetrics(runDir.resolve("metrics.jsonl"))
                            .optPlots(chart -> runDir.resolve(chart + ".png"))
                            .optExportBackbone(runDir.resolve("backbone.safetensors"))
                            .optEpochs(s.epochs())
                            .optStepsPerEpoch(s.stepsPerEpoch())
                            .optSeed(s.seed())
                            .build();
            return trainer.fit();
        }
    }

    /**
     * Command line: {@code <image folder> <run folder> [gpu|small]}; {@code small} picks {@link
     * Settings#smallImageDefaults()}, otherwise {@link Settings#gpuDefaults()}.
     *
     * @param args the two folders and the optional preset
     * @throws IOException if a folder cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2
                || args.length > 3
                || (args.length == 3 && !args[2].matches("gpu|small"))) {
            System.err.println("usage: SwavOnImageFolder <image folder> <run folder> [gpu|small]");
            System.exit(2);
        }
        SelfsupEngine.boot(0);
        Settings s =
                args.length == 3 && args[2].equals("small")
                        ? Settings.smallImageDefaults()
                        : Settings.gpuDefaults();
        Trainer.Result r = run(Path.of(args[0]), Path.of(args[1]), s, Devices.parse("auto"));
        System.out.printf(
                "%d iterations, last loss %.4f, checkpoint %s%n",
                r.iterations(), r.lastLoss(), r.checkpoint());
    }
}
