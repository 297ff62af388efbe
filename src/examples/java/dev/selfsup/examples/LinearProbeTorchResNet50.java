package dev.selfsup.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.CropBox;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Resampler;
import dev.selfsup.augment.ResizeCenterCrop;
import dev.selfsup.data.DecodedImage;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.FeatureSource;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.LinearProbe;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.ProbeResult;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * (shorter side 256, centre crop 224, ImageNet normalisation), extracted once; the probe then
 * trains on the cached features with SwAV's protocol (lr 0.3, cosine, 100 epochs).
 *
 * <pre>
 * java -cp ... dev.selfsup.examples.LinearProbeTorchResNet50 resnet50.safetensors \
 *     /data/imagenet/train /data/imagenet/val configs/imagenet100.txt
 * </pre>
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
            String backbone, ModelZoo.Options options, int imageSize, int batchSize, ProbeProtocol protocol, long seed) {
        /**
         * ResNet-50 at 224 with SwAV's probe protocol.
         *
         * @return the settings
         */
        public static Settings resnet50() {
            return new Settings("resnet50", ModelZoo.Options.DEFAULT, 224, 128, ProbeProtocol.swav(), 0);
        }
    }

    /**
     * Loads the weights, extracts train and validation features, trains the probe.
     *
     * @param weights a safetensors file with torchvision names
     * @param trainRoot {@code train/<class>/<image>}
     * @param valRoot {@code val/<class>/<image>} with the same class folders
     * @param classList file of class folder names to keep (ImageNet-100), or null for all
     * @param s the settings
     * @param device where the backbone runs
     * @return top-1 / top-5 after the last epoch and at the best epoch, and the history
     * @throws IOException if a file cannot be read
     */
    public static ProbeResult run(Path weights, Path trainRoot, Path valRoot, Path classList, Settings s, Device device)
            throws IOException {
        ImageFolder train = folder(trainRoot, classList);
        ImageFolder val = folder(valRoot, classList);
        if (!train.classes().equals(val.classes())) {
            throw new IllegalArgumentException("train and val class folders differ: " + train.classes().size()
                    + " vs " + val.classes().size() + " classes");
        }
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Backbone backbone = ModelZoo.backbone(s.backbone(), s.options());
            backbone.initialize(manager, DataType.FLOAT32, new Shape(1, 3, s.imageSize(), s.imageSize()));
            Weights.load(backbone, weights, Weights.CLASSIFIER); // skip fc.weight / fc.bias
            try (Features trainFeatures = FeatureExtractor.extract(backbone,
                            new EvalSource(train, s.imageSize()), s.batchSize(), manager);
                    Features valFeatures = FeatureExtractor.extract(backbone,
                            new EvalSource(val, s.imageSize()), s.batchSize(), manager)) {
                // features [N, F] float32, labels [N] int64
                return LinearProbe.train(trainFeatures.features(), trainFeatures.labels(),
                        valFeatures.features(), valFeatures.labels(), train.numClasses(), s.protocol(), s.seed());
            }
        }
    }

    private static ImageFolder folder(Path root, Path classList) throws IOException {
        ImageFolder.Builder b = ImageFolder.builder().setRoot(root);
        if (classList != null) {
            b.optClassList(classList);
        }
        return b.build();
    }

    /**
     * The ImageNet evaluation transform over an {@link ImageFolder}: decode, shorter side to
     * {@code size / 0.875}, centre crop {@code size}, ImageNet normalisation.
     *
     * <p>(The library has no {@code FeatureSource} for image folders yet; this is the 30 lines it
     * takes, on the same resampler the training loader uses.)
     */
    public static final class EvalSource implements FeatureSource {
        private final ImageFolder folder;
        private final int size;
        private final ResizeCenterCrop crop;

        /**
         * A source over a labelled folder.
         *
         * @param folder the images, labelled
         * @param size crop side
         */
        public EvalSource(ImageFolder folder, int size) {
            this.folder = folder;
            this.size = size;
            this.crop = new ResizeCenterCrop(size, 0.875);
        }

        @Override
        public int size() {
            return folder.size();
        }

        @Override
        public NDArray images(NDManager manager, int from, int to) {
            int plane = 3 * size * size;
            byte[] bytes = new byte[(to - from) * plane];
            for (int i = from; i < to; i++) {
                DecodedImage image;
                try {
                    image = folder.decode(i);
                } catch (IOException e) {
                    throw new UncheckedIOException(folder.file(i) + ": cannot decode", e);
                }
                CropBox box = crop.sample(image.width(), image.height(), null); // deterministic: no draws
                Resampler.crop(image, box, size, false, bytes, (i - from) * plane); // CHW, RGB
            }
            float[] mean = Normalize.IMAGENET.mean();
            float[] std = Normalize.IMAGENET.std();
            float[] pixels = new float[bytes.length];
            for (int k = 0; k < bytes.length; k++) {
                int c = (k / (size * size)) % 3;
                pixels[k] = ((bytes[k] & 0xff) / 255f - mean[c]) / std[c];
            }
            // no autograd here, so creating from a Java array is fine
            return manager.create(pixels, new Shape(to - from, 3, size, size));
        }

        @Override
        public int[] labels() {
            int[] labels = new int[folder.size()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = folder.label(i);
            }
            return labels;
        }

        @Override
        public String cacheKey() {
            return folder.name() + ":" + folder.size();
        }

        @Override
        public String transformDescription() {
            return "resize " + (int) Math.floor(size / 0.875) + ", center crop " + size + ", imagenet normalisation";
        }
    }

    /**
     * Command line: {@code <weights.safetensors> <train root> <val root> [class list]}.
     *
     * @param args the paths
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: LinearProbeTorchResNet50 <weights.safetensors> <train root> <val root> [class list]");
            System.exit(2);
        }
        SelfsupEngine.boot(0);
        ProbeResult r = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
                args.length == 4 ? Path.of(args[3]) : null, Settings.resnet50(), Devices.parse("auto"));
        System.out.printf("linear top-1 %.2f %% (best %.2f %% at epoch %d), top-5 %.2f %%%n",
                r.lastTop1(), r.bestTop1(), r.bestEpoch(), r.lastTop5());
    }
}
