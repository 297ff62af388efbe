package dev.selfsup.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SubsetList;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.LinearProbe;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.ProbeResult;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Linear probe of a ResNet-50 trained in PyTorch, on ImageNet-100.
 *
 * <p>Export the weights from PyTorch with torchvision's names (any torchvision / solo-learn /
 * SwAV-hub ResNet-50 whose {@code state_dict} keys read {@code conv1.weight}, {@code
 * layer1.0.bn1.running_mean}, …; strip prefixes such as {@code module.} or {@code backbone.}
 * first):
 *
 * <pre>
 * import torch, torchvision
 * from safetensors.torch import save_file
 * m = torchvision.models.resnet50(weights="IMAGENET1K_V2")   # or load your checkpoint
 * save_file({k: v.contiguous() for k, v in m.state_dict().items()}, "resnet50.safetensors")
 * </pre>
 *
 * The {@code fc.*} classifier in the file is skipped ({@link Weights#CLASSIFIER}); every other
 * tensor must match. Features are the 2048-d global average pool on the evaluation transform
 * ({@link MultiCrop#evaluation(int)}: shorter side 256, centre crop 224, ImageNet normalisation)
 * read through {@link DatasetFeatureSource} — the library's one way to evaluate an image folder —
 * and extracted once; the probe then trains on the cached features with SwAV's protocol (lr 0.3,
 * cosine, 100 epochs).
 *
 * <pre>
 * java -cp ... dev.selfsup.examples.LinearProbeTorchResNet50 resnet50.safetensors \
 *     /data/imagenet/train /data/imagenet/val imagenet100
 * </pre>
 *
 * The last argument is a class-list file or a bundled list ({@code imagenet100}).
 */
public final class LinearProbeTorchResNet50 {
    private LinearProbeTorchResNet50() {}

    /**
     * The knobs of this example.
     *
     * @param backbone a {@link ModelZoo} name whose tensor names match the file
     * @param options width etc. of that backbone ({@link ModelZoo.Options#DEFAULT} for resnet50)
     * @param imageSize evaluation crop side (224)
     * @param batchSize images per forward pass during extraction
     * @param protocol the probe's hyper-parameters
     * @param seed the probe's seed
     */
    public record Settings(
            String backbone,
            ModelZoo.Options options,
            int imageSize,
            int batchSize,
            ProbeProtocol protocol,
            long seed) {
        /**
         * ResNet-50 at 224 with SwAV's probe protocol.
         *
         * @return the settings
         */
        public static Settings resnet50() {
            return new Settings(
                    "resnet50", ModelZoo.Options.DEFAULT, 224, 128, ProbeProtocol.swav(), 0);
        }
    }

    /**
     * Loads the weights, extracts train and validation features, trains the probe.
     *
     * @param weights a safetensors file with torchvision names
     * @param trainRoot {@code train/<class>/<image>}
     * @param valRoot {@code val/<class>/<image>} with the same class folders
     * @param classList class folders to keep (e.g. {@code SubsetList.bundled("imagenet100")}), or
     *     null for all
     * @param s the settings
     * @param device where the backbone runs
     * @return top-1 / top-5 after the last epoch and at the best epoch, and the history
     * @throws IOException if a file cannot be read
     */
    public static ProbeResult run(
            Path weights,
            Path trainRoot,
            Path valRoot,
            SubsetList classList,
            Settings s,
            Device device)
            throws IOException {
        ImageFolder train = folder(trainRoot, classList);
        ImageFolder val = folder(valRoot, classList);
        if (!train.classes().equals(val.classes())) {
            throw new IllegalArgumentException(
                    "train and val class folders differ: "
                            + train.classes().size()
                            + " vs "
                            + val.classes().size()
                            + " classes");
        }
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Backbone backbone = ModelZoo.backbone(s.backbone(), s.options());
            backbone.initialize(
                    manager, DataType.FLOAT32, new Shape(1, 3, s.imageSize(), s.imageSize()));
            Weights.load(backbone, weights, Weights.CLASSIFIER); // skip fc.weight / fc.bias
            try (DatasetFeatureSource trainSource = evaluation(train, s);
                    DatasetFeatureSource valSource = evaluation(val, s);
                    Features trainFeatures =
                            FeatureExtractor.extract(
                                    backbone, trainSource, s.batchSize(), manager);
                    Features valFeatures =
                            FeatureExtractor.extract(backbone, valSource, s.batchSize(), manager)) {
                // features [N, F] float32, labels [N] int64
                return LinearProbe.train(
                        trainFeatures.features(),
                        trainFeatures.labels(),
                        valFeatures.features(),
                        valFeatures.labels(),
                        train.numClasses(),
                        s.protocol(),
                        s.seed());
            }
        }
    }

    /** Images with the deterministic ImageNet evaluation transform, decoded on 2 loader threads. */
    private static DatasetFeatureSource evaluation(ImageFolder folder, Settings s) {
        return DatasetFeatureSource.builder(folder)
                .setTransform(MultiCrop.evaluation(s.imageSize()))
                .optBatchSize(s.batchSize())
                .optThreads(2)
                .build();
    }

    private static ImageFolder folder(Path root, SubsetList classList) throws IOException {
        ImageFolder.Builder b = ImageFolder.builder().setRoot(root);
        if (classList != null) {
            b.optClassList(classList);
        }
        return b.build();
    }

    /**
     * Command line: {@code <weights.safetensors> <train root> <val root> [class list]}.
     *
     * @param args the paths
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length > 4) {
            System.err.println(
                    "usage: LinearProbeTorchResNet50 <weights.safetensors> <train root> <val root>"
                            + " [class list file | imagenet100]");
            System.exit(2);
        }
        SelfsupEngine.boot(0);
        ProbeResult r =
                run(
                        Path.of(args[0]),
                        Path.of(args[1]),
                        Path.of(args[2]),
                        args.length == 4 ? SubsetList.resolve(args[3]) : null,
                        Settings.resnet50(),
                        Devices.parse("auto"));
        System.out.printf(
                "linear top-1 %.2f %% (best %.2f %% at epoch %d), top-5 %.2f %%%n",
                r.lastTop1(), r.bestTop1(), r.bestEpoch(), r.lastTop5());
    }
}
