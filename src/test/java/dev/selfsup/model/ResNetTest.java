package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.model.ResNet.BlockType;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResNetTest {

    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-5;

    @Test
    void parameterCountsEqualTorchvision() {
        // torchvision counts include the 1000-way fc: F * 1000 + 1000
        assertEquals(11_689_512L, withFc("resnet18", 512));
        assertEquals(21_797_672L, withFc("resnet34", 512));
        assertEquals(25_557_032L, withFc("resnet50", 2048));
        assertEquals(44_549_160L, withFc("resnet101", 2048));
        assertEquals(60_192_808L, withFc("resnet152", 2048));
        assertEquals(11_176_512L, ModelZoo.parameterCount(ModelZoo.backbone("resnet18")));
        assertEquals(23_508_032L, ModelZoo.parameterCount(ModelZoo.backbone("resnet50")));
        assertEquals(
                ModelZoo.parameterCount(ModelZoo.backbone("resnet18")) - 64 * 3 * 49 + 64 * 3 * 9,
                ModelZoo.parameterCount(ModelZoo.backbone("resnet18_cifar")));
    }

    private static long withFc(String name, int features) {
        return ModelZoo.parameterCount(ModelZoo.backbone(name)) + features * 1000L + 1000;
    }

    @Test
    void widenedResNet50CountsFollowSwavFormula() {
        for (int w : new int[] {2, 4}) {
            long expected = 3L * 64 * w * 49 + 2L * 64 * w; // stem conv + bn
            int[] blocks = {3, 4, 6, 3};
            long inplanes = 64L * w;
            for (int s = 0; s < 4; s++) {
                long p = (64L * w) << s;
                for (int i = 0; i < blocks[s]; i++) {
                    expected += inplanes * p + 2 * p + 9 * p * p + 2 * p + p * 4 * p + 2 * 4 * p;
                    if (i == 0) {
                        expected += inplanes * 4 * p + 2 * 4 * p; // downsample
                    }
                    inplanes = 4 * p;
                }
            }
            Backbone net = ModelZoo.backbone("resnet50w" + w);
            assertEquals(expected, ModelZoo.parameterCount(net), "resnet50w" + w);
            assertEquals(2048 * w, net.featureDim());
        }
        // the SwAV paper reports 94M and 375M parameters for the backbones
        assertEquals(
                94, Math.round(ModelZoo.parameterCount(ModelZoo.backbone("resnet50w2")) / 1e6));
        assertEquals(
                375, Math.round(ModelZoo.parameterCount(ModelZoo.backbone("resnet50w4")) / 1e6));
    }

    @Test
    void tensorNamesAndShapesEqualTorchvision() throws IOException {
        for (String name : new String[] {"resnet18", "resnet50"}) {
            Map<String, Shape> expected =
                    new LinkedHashMap<>(Fixtures.names("names_" + name + ".json"));
            expected.keySet().removeIf(k -> k.startsWith("fc."));
            assertEquals(expected, Weights.shapes(ModelZoo.backbone(name)), name);
            assertEquals(
                    new java.util.ArrayList<>(expected.keySet()),
                    Weights.names(ModelZoo.backbone(name)),
                    name + " order");
        }
    }

    @Test
    void forwardShapesAt224And96() {
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore ps = new ParameterStore(m, false);
            for (String name : new String[] {"resnet18", "resnet50"}) {
                Backbone net = ModelZoo.backbone(name);
                net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 96, 96));
                for (int size : new int[] {224, 96}) {
                    NDArray y =
                            net.forward(
                                            ps,
                                            new NDList(m.randomNormal(new Shape(1, 3, size, size))),
                                            false)
                                    .singletonOrThrow();
                    assertEquals(new Shape(1, net.featureDim()), y.getShape(), name + " @" + size);
                }
            }
            ResNet tiny =
                    ResNet.builder()
                            .setBlockType(BlockType.BOTTLENECK)
                            .setStageBlocks(1, 1, 1)
                            .optBaseWidth(16)
                            .build();
            tiny.initialize(m, DataType.FLOAT32, new Shape(2, 3, 96, 96));
            assertEquals(16 * 4 * 4, tiny.featureDim());
            NDArray y =
                    tiny.forward(ps, new NDList(m.randomNormal(new Shape(2, 3, 96, 96))), true)
                            .singletonOrThrow();
            assertEquals(new Shape(2, 256), y.getShape());
            ResNet gray =
                    ResNet.builder()
                            .setBlockType(BlockType.BASIC)
                            .setStageBlocks(1, 1)
                            .optBaseWidth(8)
                            .optInputChannels(1)
                            .optCifarStem(true)
                            .build();
            gray.initialize(m, DataType.FLOAT32, new Shape(2, 1, 28, 28));
            assertEquals(
                    new Shape(2, 16),
                    gray.forward(ps, new NDList(m.ones(new Shape(2, 1, 28, 28))), false)
                            .singletonOrThrow()
                            .getShape());
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    gray.forward(
                                            ps,
                                            new NDList(m.ones(new Shape(2, 3, 28, 28))),
                                            false));
            assertTrue(e.getMessage().contains("(2, 3, 28, 28)"), e.getMessage());
        }
    }

    @Test
    void basicBlockMatchesTorchvisionInEvalAndTrainMode() throws IOException {
        checkFixture(
                new ResNet.BasicBlock(8, 8, 1, false, 1),
                "block_basic.safetensors",
                new Shape(2, 8, 10, 10));
    }

    @Test
    void strideTwoBottleneckWithDownsampleMatchesTorchvision() throws IOException {
        checkFixture(
                new ResNet.Bottleneck(16, 8, 2, false, 1),
                "block_bottleneck.safetensors",
                new Shape(2, 16, 9, 9));
    }

    @Test
    void tinyCifarResNetMatchesTorchvisionBlocks() throws IOException {
        ResNet net =
                ResNet.builder()
                        .setBlockType(BlockType.BASIC)
                        .setStageBlocks(1, 1, 1, 1)
                        .optBaseWidth(8)
                        .optCifarStem(true)
                        .build();
        checkFixture(net, "tiny_resnet_basic.safetensors", new Shape(2, 3, 16, 16));
    }

    @Test
    void tinyBottleneckResNetWithMaxPoolStemMatchesTorchvision() throws IOException {
        ResNet net =
                ResNet.builder()
                        .setBlockType(BlockType.BOTTLENECK)
                        .setStageBlocks(1, 2, 1, 1)
                        .optBaseWidth(8)
                        .build();
        checkFixture(net, "tiny_resnet_bottleneck.safetensors", new Shape(2, 3, 40, 40));
    }

    /**
     * Loads torchvision weights (incl. BN statistics) from a fixture, checks the eval-mode output
     * (running statistics used), then one training-mode output (batch statistics) and the running
     * statistics and counters it leaves behind.
     */
    private static void checkFixture(Block block, String file, Shape input) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            block.initialize(m, DataType.FLOAT32, input);
            Weights.load(block, Fixtures.path(file), n -> n.startsWith("__"));
            Map<String, NDArray> ref = Weights.readTensors(Fixtures.path(file), m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = ref.get("__input");
            NDArray eval = block.forward(ps, new NDList(x), false).singletonOrThrow();
            Fixtures.assertClose(ref.get("__output_eval"), eval, RTOL, ATOL);
            NDArray train = block.forward(ps, new NDList(x), true).singletonOrThrow();
            Fixtures.assertClose(ref.get("__output_train"), train, RTOL, ATOL);
            Map<String, NDArray> after = new LinkedHashMap<>();
            int checked = 0;
            for (TensorSlot slot : StateDict.slots(block)) {
                NDArray expected = ref.get("__after_train." + slot.name);
                if (slot instanceof TensorSlot.Counter) {
                    assertEquals(
                            expected.getLong(),
                            ((TensorSlot.Counter) slot).layer.numBatchesTracked(),
                            slot.name);
                    assertEquals(8, expected.getLong(), "7 loaded + 1 training pass");
                    checked++;
                } else if (expected != null) {
                    Fixtures.assertClose(
                            expected, ((TensorSlot.Param) slot).parameter.getArray(), RTOL, ATOL);
                    checked++;
                }
            }
            assertTrue(checked >= 6, "checked " + checked + " BN buffers");
            assertEquals(0, after.size());
        }
    }

    @Test
    void zeroInitResidualZeroesTheLastGammaOfEveryBlock() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (BlockType type : BlockType.values()) {
                ResNet net =
                        ResNet.builder()
                                .setBlockType(type)
                                .setStageBlocks(2, 1)
                                .optBaseWidth(8)
                                .optZeroInitResidual(true)
                                .build();
                net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
                String last = type == BlockType.BASIC ? "bn2" : "bn3";
                int zeros = 0;
                for (TensorSlot slot : StateDict.slots(net)) {
                    if (slot.name.endsWith(".weight") && slot.name.contains(".bn")) {
                        float[] g = ((TensorSlot.Param) slot).parameter.getArray().toFloatArray();
                        float expected = slot.name.endsWith(last + ".weight") ? 0f : 1f;
                        for (float v : g) {
                            assertEquals(expected, v, slot.name);
                        }
                        zeros += expected == 0f ? 1 : 0;
                    }
                }
                assertEquals(3, zeros, type.toString());
                // every block starts as the identity: with a zero residual the block is
                // relu(shortcut)
                ResNet.BasicBlock block = new ResNet.BasicBlock(8, 8, 1, true, 1);
                block.initialize(m, DataType.FLOAT32, new Shape(1, 8, 6, 6));
                NDArray x = m.randomNormal(new Shape(1, 8, 6, 6));
                NDArray y = block.forward(new ParameterStore(m, false), x, false);
                assertArrayEquals(
                        x.getNDArrayInternal().relu().toFloatArray(), y.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void convolutionsUseKaimingNormalFanOut() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net =
                    ResNet.builder()
                            .setBlockType(BlockType.BASIC)
                            .setStageBlocks(1, 1)
                            .optBaseWidth(64)
                            .build();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            NDArray w =
                    ((TensorSlot.Param)
                                    StateDict.slots(net).stream()
                                            .filter(s -> s.name.equals("layer2.0.conv2.weight"))
                                            .findFirst()
                                            .orElseThrow())
                            .parameter.getArray();
            double std = Math.sqrt(w.pow(2).mean().getFloat());
            double expected = Math.sqrt(2.0 / (128 * 9)); // fan_out = 128 · 3 · 3
            assertEquals(expected, std, expected * 0.02); // 147k draws: ~0.2% sampling error
            assertEquals(0, w.mean().getFloat(), expected * 0.02);
        }
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ResNet.builder()
                                        .setBlockType(BlockType.BASIC)
                                        .setStageBlocks(2, 0)
                                        .build());
        assertTrue(e.getMessage().contains("[2, 0]"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ResNet.builder().setStageBlocks(2).build());
        assertTrue(e.getMessage().contains("setBlockType"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ResNet.builder()
                                        .setBlockType(BlockType.BASIC)
                                        .setStageBlocks(2)
                                        .optBaseWidth(-4)
                                        .build());
        assertTrue(e.getMessage().contains("-4"), e.getMessage());
    }
}
