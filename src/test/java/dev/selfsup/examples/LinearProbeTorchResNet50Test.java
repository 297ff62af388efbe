package dev.selfsup.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SubsetList;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.ProbeResult;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "exported ResNet-50" here is a tiny CIFAR ResNet saved with {@link Weights#save} plus a
 * torchvision-style {@code fc.weight}/{@code fc.bias} pair, so the test exercises the same path
 * (torchvision names, classifier skipped) in seconds; the real ResNet-50 differs only in the {@code
 * Settings}.
 */
class LinearProbeTorchResNet50Test {
    private static final ModelZoo.Options TINY = ModelZoo.Options.DEFAULT.withBaseWidth(4);

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    private static Path exportedWeights(Path dir, int fcClasses) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = ModelZoo.backbone("resnet10_cifar", TINY);
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            Path plain = dir.resolve("plain.safetensors");
            Weights.save(b, plain);
            Map<String, NDArray> tensors = new LinkedHashMap<>(Weights.readTensors(plain, m));
            tensors.put("fc.weight", m.randomNormal(new Shape(fcClasses, b.featureDim())));
            tensors.put("fc.bias", m.zeros(new Shape(fcClasses)));
            Path exported = dir.resolve("resnet_torchvision_names.safetensors");
            Weights.writeTensors(tensors, exported);
            return exported;
        }
    }

    @Test
    void probesColourClassesFromExportedWeights(@TempDir Path tmp) throws Exception {
        Path weights = exportedWeights(tmp, 1000);
        Path train = TestImages.writeFolder(tmp.resolve("train"), 5, 8, 20, 10, 1);
        Path val = TestImages.writeFolder(tmp.resolve("val"), 5, 4, 20, 10, 2);
        // an ImageNet-100-style class list keeping 4 of the 5 folders
        SubsetList classList =
                SubsetList.read(
                        Files.writeString(
                                tmp.resolve("classes.txt"),
                                "# subset\nclass_0\nclass_1\nclass_2\nclass_4\n"));
        ProbeProtocol protocol = ProbeProtocol.swav().withEpochs(30);
        LinearProbeTorchResNet50.Settings s =
                new LinearProbeTorchResNet50.Settings("resnet10_cifar", TINY, 16, 8, protocol, 0);

        ProbeResult r =
                LinearProbeTorchResNet50.run(weights, train, val, classList, s, Device.cpu());

        System.out.println(
                "probe: last top-1 "
                        + r.lastTop1()
                        + ", best "
                        + r.bestTop1()
                        + " at "
                        + r.bestEpoch());
        assertEquals(30, r.lastEpoch());
        assertEquals(30, r.history().size());
        assertEquals("swav", r.protocol().name());
        // 4 classes, so top-5 covers every class
        assertEquals(100.0, r.lastTop5(), 1e-9);
        // 16 validation images: accuracies are multiples of 6.25 %
        assertEquals(0.0, r.lastTop1() % 6.25, 1e-9);
        // the classes differ in colour, which even a randomly initialised ResNet keeps: far above
        // 25 % chance
        assertTrue(r.lastTop1() >= 75.0, "top-1 " + r.lastTop1());
        assertTrue(r.bestTop1() >= r.lastTop1());
    }

    @Test
    void rejectsWeightsOfAnotherArchitecture(@TempDir Path tmp) throws Exception {
        Path weights = exportedWeights(tmp, 10);
        Path train = TestImages.writeFolder(tmp.resolve("train"), 2, 2, 20, 0, 1);
        LinearProbeTorchResNet50.Settings wider =
                new LinearProbeTorchResNet50.Settings(
                        "resnet10_cifar",
                        ModelZoo.Options.DEFAULT.withBaseWidth(8),
                        16,
                        4,
                        ProbeProtocol.swav().withEpochs(1),
                        0);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                LinearProbeTorchResNet50.run(
                                        weights, train, train, null, wider, Device.cpu()));
        assertTrue(e.getMessage().contains("conv1.weight"), e.getMessage());
    }

    @Test
    void datasetFeatureSourceCentreCropsAndNormalisesLikeTorchvision(@TempDir Path tmp)
            throws Exception {
        // noise 0: every pixel of class_1 outside the square is exactly the class colour
        Path root = TestImages.writeFolder(tmp.resolve("solid"), 2, 1, 64, 0, 3);
        ImageFolder folder = ImageFolder.builder().setRoot(root).build();
        try (NDManager m = NDManager.newBaseManager();
                DatasetFeatureSource source =
                        DatasetFeatureSource.builder(folder)
                                .setTransform(MultiCrop.evaluation(16))
                                .optThreads(1)
                                .build()) {
            assertEquals(List.of(0, 1), java.util.Arrays.stream(source.labels()).boxed().toList());
            NDArray x = source.images(m, 1, 2);
            assertEquals(new Shape(1, 3, 16, 16), x.getShape());
            int[] rgb = TestImages.classColour(1);
            float[] mean = Normalize.IMAGENET.mean();
            float[] std = Normalize.IMAGENET.std();
            float[] v = x.toFloatArray();
            // the max over each channel plane is the unshaded colour (the square is darker)
            for (int c = 0; c < 3; c++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int k = c * 256; k < (c + 1) * 256; k++) {
                    max = Math.max(max, v[k]);
                }
                assertEquals((rgb[c] / 255f - mean[c]) / std[c], max, 1e-5, "channel " + c);
            }
            assertTrue(
                    source.transformDescription().contains("ResizeCenterCrop"),
                    source.transformDescription());
        }
    }
}
