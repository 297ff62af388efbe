package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import dev.selfsup.model.ResNet.BlockType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsTest {
    @TempDir Path dir;

    private static ResNet tinyResNet() {
        return ResNet.builder()
                .setBlockType(BlockType.BOTTLENECK)
                .setStageBlocks(1, 1)
                .optBaseWidth(8)
                .build();
    }

    private static NDArray run(Block block, NDManager m, NDArray x) {
        return block.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
    }

    @Test
    void saveThenLoadReproducesOutputsExactlyIncludingBatchNormStatistics() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            ResNet a = tinyResNet();
            a.initialize(m, DataType.FLOAT32, x.getShape());
            a.forward(
                    new ParameterStore(m, false),
                    new NDList(x),
                    true); // moves running stats, counter 1
            a.forward(new ParameterStore(m, false), new NDList(x.mul(2)), true); // counter 2
            Path file = dir.resolve("resnet.safetensors");
            Weights.save(a, file);
            ResNet b = tinyResNet();
            b.initialize(m, DataType.FLOAT32, x.getShape());
            NDArray before = b.getParameters().get(0).getValue().getArray();
            Weights.load(b, file);
            assertSame(before, b.getParameters().get(0).getValue().getArray(), "loaded in place");
            assertArrayEquals(run(a, m, x).toFloatArray(), run(b, m, x).toFloatArray(), 0f);
            for (TensorSlot slot : StateDict.slots(b)) {
                if (slot instanceof TensorSlot.Counter) {
                    assertEquals(
                            2, ((TensorSlot.Counter) slot).layer.numBatchesTracked(), slot.name);
                }
            }

            VisionTransformer v =
                    VisionTransformer.builder()
                            .setEmbedDim(32)
                            .setDepth(2)
                            .setNumHeads(4)
                            .setPatchSize(8)
                            .optImageSize(32)
                            .build();
            VisionTransformer w =
                    VisionTransformer.builder()
                            .setEmbedDim(32)
                            .setDepth(2)
                            .setNumHeads(4)
                            .setPatchSize(8)
                            .optImageSize(32)
                            .build();
            v.initialize(m, DataType.FLOAT32, x.getShape());
            w.initialize(m, DataType.FLOAT32, x.getShape());
            Weights.save(v, dir.resolve("vit.safetensors"));
            Weights.load(w, dir.resolve("vit.safetensors"));
            assertArrayEquals(run(v, m, x).toFloatArray(), run(w, m, x).toFloatArray(), 0f);
        }
    }

    @Test
    void djlParameterStreamsAlsoCarryTheBatchNormCounter() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            ResNet a = tinyResNet();
            a.initialize(m, DataType.FLOAT32, x.getShape());
            a.forward(new ParameterStore(m, false), new NDList(x), true);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            a.saveParameters(new java.io.DataOutputStream(bytes));
            ResNet b = tinyResNet();
            b.initialize(m, DataType.FLOAT32, x.getShape());
            b.loadParameters(
                    m,
                    new java.io.DataInputStream(
                            new java.io.ByteArrayInputStream(bytes.toByteArray())));
            assertArrayEquals(run(a, m, x).toFloatArray(), run(b, m, x).toFloatArray(), 0f);
            for (TensorSlot slot : StateDict.slots(b)) {
                if (slot instanceof TensorSlot.Counter) {
                    assertEquals(
                            1, ((TensorSlot.Counter) slot).layer.numBatchesTracked(), slot.name);
                }
            }
        }
    }

    @Test
    void fileLayoutIsSafetensors() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("a", m.create(new float[] {1.5f, -2f}));
            t.put("b.c", m.create(new long[] {7L}, new Shape()));
            Path file = dir.resolve("t.safetensors");
            Weights.writeTensors(t, file);
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long n = buf.getLong();
            assertEquals(0, n % 8);
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(
                    header.contains(
                            "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"),
                    header);
            assertTrue(
                    header.contains(
                            "\"b.c\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}"),
                    header);
            assertEquals(8 + n + 16, bytes.length);
            assertEquals(1.5f, buf.getFloat((int) (8 + n)));
            assertEquals(-2f, buf.getFloat((int) (8 + n + 4)));
            assertEquals(7L, buf.getLong((int) (8 + n + 8)));
            Map<String, NDArray> back = Weights.readTensors(file, m);
            assertEquals(List.of("a", "b.c"), List.copyOf(back.keySet()));
            assertArrayEquals(new float[] {1.5f, -2f}, back.get("a").toFloatArray());
            assertEquals(7L, back.get("b.c").getLong());
        }
    }

    @Test
    void wrongShapesMissingAndUnexpectedTensorsAreAllReportedAtOnce() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet a = tinyResNet();
            a.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Path file = dir.resolve("a.safetensors");
            Weights.save(a, file);
            Map<String, NDArray> t = Weights.readTensors(file, m);
            t.remove("layer1.0.conv2.weight");
            t.remove("bn1.running_var");
            t.put("layer2.0.bn1.weight", m.ones(new Shape(17)));
            t.put("fc.weight", m.ones(new Shape(10, 128)));
            t.put("extra", m.ones(new Shape(1)));
            Path bad = dir.resolve("bad.safetensors");
            Weights.writeTensors(t, bad);
            ResNet b = tinyResNet();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Weights.load(b, bad));
            String msg = e.getMessage();
            for (String s :
                    new String[] {
                        "2 missing",
                        "layer1.0.conv2.weight",
                        "bn1.running_var",
                        "2 unexpected",
                        "fc.weight",
                        "extra",
                        "1 mismatched",
                        "layer2.0.bn1.weight (file (17), model (16))"
                    }) {
                assertTrue(msg.contains(s), s + " not in: " + msg);
            }
            // skipping the classifier leaves the other problems
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Weights.load(b, bad, Weights.CLASSIFIER));
            assertTrue(e.getMessage().contains("1 unexpected [extra]"), e.getMessage());
        }
    }

    /**
     * A width mismatch touches every tensor: the message counts them and names only the first few.
     */
    @Test
    void widthMismatchErrorIsOneShortLineWithCountsAndTheFirstNames() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone wide =
                    ModelZoo.backbone("resnet18_cifar", ModelZoo.Options.DEFAULT.withBaseWidth(8));
            wide.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            Path file = dir.resolve("wide.safetensors");
            Weights.save(wide, file);
            Backbone narrow =
                    ModelZoo.backbone("resnet18_cifar", ModelZoo.Options.DEFAULT.withBaseWidth(4));
            narrow.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            String msg =
                    assertThrows(IllegalArgumentException.class, () -> Weights.load(narrow, file))
                            .getMessage();
            assertTrue(msg.length() < 1000, msg.length() + " characters: " + msg);
            assertTrue(
                    msg.contains(
                            "0 missing [], 0 unexpected [], 100 mismatched [conv1.weight (file (8, 3, 3, 3), model (4, 3, 3, 3))"),
                    msg);
            assertTrue(msg.contains("… and 95 more]"), msg);
            assertTrue(!msg.contains("\n"), msg);
        }
    }

    @Test
    void classifierInFileIsIgnoredOnRequestAndMissingCounterIsAccepted() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet a = tinyResNet();
            a.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Path file = dir.resolve("a.safetensors");
            Weights.save(a, file);
            Map<String, NDArray> t = Weights.readTensors(file, m);
            t.put("fc.weight", m.ones(new Shape(10, 128)));
            t.put("fc.bias", m.ones(new Shape(10)));
            t.keySet().removeIf(k -> k.endsWith("num_batches_tracked"));
            Path withFc = dir.resolve("fc.safetensors");
            Weights.writeTensors(t, withFc);
            ResNet b = tinyResNet();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            assertThrows(IllegalArgumentException.class, () -> Weights.load(b, withFc));
            Weights.load(b, withFc, Weights.CLASSIFIER);
            NDArray x = m.randomNormal(new Shape(1, 3, 32, 32));
            assertArrayEquals(run(a, m, x).toFloatArray(), run(b, m, x).toFloatArray(), 0f);
        }
    }

    @Test
    void copyDuplicatesParametersStatisticsAndCounters() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 32));
            ResNet a = tinyResNet();
            ResNet b = tinyResNet();
            a.initialize(m, DataType.FLOAT32, x.getShape());
            b.initialize(m, DataType.FLOAT32, x.getShape());
            a.forward(new ParameterStore(m, false), new NDList(x), true);
            Weights.copy(a, b);
            assertArrayEquals(run(a, m, x).toFloatArray(), run(b, m, x).toFloatArray(), 0f);
            ResNet other =
                    ResNet.builder()
                            .setBlockType(BlockType.BASIC)
                            .setStageBlocks(1, 1)
                            .optBaseWidth(8)
                            .build();
            other.initialize(m, DataType.FLOAT32, x.getShape());
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Weights.copy(a, other));
            assertTrue(e.getMessage().contains("layer1.0.conv1.weight"), e.getMessage());
        }
    }

    @Test
    void headsAndPrototypesGetSwavNamesInsideAContainer() throws IOException {
        SequentialBlock swav = new SequentialBlock();
        ProjectionHead head =
                ProjectionHead.builder()
                        .optInputDim(2048)
                        .setHiddenDims(2048)
                        .setOutputDim(128)
                        .build();
        Prototypes prototypes = Prototypes.builder().optInputDim(128).setPrototypes(3000).build();
        assertEquals(
                List.of(
                        "0.weight",
                        "0.bias",
                        "1.weight",
                        "1.bias",
                        "1.running_mean",
                        "1.running_var",
                        "1.num_batches_tracked",
                        "3.weight",
                        "3.bias"),
                Weights.names(head));
        assertEquals(List.of("weight"), Weights.names(prototypes));
        Container c = new Container(head, prototypes);
        List<String> names = Weights.names(c);
        assertEquals("projection_head.0.weight", names.get(0));
        assertEquals("projection_head.3.bias", names.get(8));
        assertEquals("prototypes.weight", names.get(9));
        swav.add(head);
        assertEquals("0.0.weight", Weights.names(swav).get(0));
        try (NDManager m = NDManager.newBaseManager()) {
            c.initialize(m, DataType.FLOAT32, new Shape(2, 2048));
            Weights.save(c, dir.resolve("swav.safetensors"));
            Map<String, NDArray> t = Weights.readTensors(dir.resolve("swav.safetensors"), m);
            assertEquals(new Shape(3000, 128), t.get("prototypes.weight").getShape());
            assertEquals(new Shape(128, 2048), t.get("projection_head.3.weight").getShape());
        }
    }

    /** A composite like SwAV's model: children named as the official module attributes. */
    static final class Container extends TorchBlock {
        Container(ProjectionHead head, Prototypes prototypes) {
            child("projection_head", head);
            child("prototypes", prototypes);
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            List<ai.djl.nn.Block> kids = getChildren().values();
            kids.get(0).initialize(manager, dataType, inputShapes);
            kids.get(1).initialize(manager, dataType, new Shape(2, 128));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList in,
                boolean training,
                ai.djl.util.PairList<String, Object> p) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }

    @Test
    void badFilesFailWithIoException() throws IOException {
        ResNet a = tinyResNet();
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> Weights.load(a, junk));
        Files.write(junk, new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertThrows(IOException.class, () -> Weights.load(a, junk));
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> Weights.save(a, dir.resolve("x.safetensors")));
        assertTrue(e.getMessage().contains("initialize"), e.getMessage());
    }
}
