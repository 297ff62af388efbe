package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DinoHead against the official DINOHead in PyTorch 1.13 (src/test/python/make_dino_fixtures.py):
 * the same weights give the same output and gradients, 1e-5 relative (float32).
 */
class DinoHeadTest {

    /** state_dict name → parameter, for the parameters (not BN counters). */
    private static Map<String, Parameter> byName(DinoHead head) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (TensorSlot s : StateDict.slots(head)) {
            if (s instanceof TensorSlot.Param) {
                out.put(s.name, ((TensorSlot.Param) s).parameter);
            }
        }
        return out;
    }

    private static DinoHead fixtureHead(boolean batchNorm) {
        DinoHead.Builder b =
                DinoHead.builder()
                        .optInputDim(24)
                        .optHiddenDim(32)
                        .optBottleneckDim(16)
                        .setOutputDim(40);
        return batchNorm
                ? b.optBatchNorm(true).optLayers(2).optNormLastLayer(false).build()
                : b.build();
    }

    @Test
    void namesAndSizesAreTheOfficialStateDict() {
        assertEquals(
                List.of(
                        "mlp.0.weight",
                        "mlp.0.bias",
                        "mlp.2.weight",
                        "mlp.2.bias",
                        "mlp.4.weight",
                        "mlp.4.bias",
                        "last_layer.weight_g",
                        "last_layer.weight_v"),
                Weights.names(DinoHead.builder().setOutputDim(10).build()));
        assertEquals(
                List.of(
                        "mlp.0.weight",
                        "mlp.0.bias",
                        "mlp.1.weight",
                        "mlp.1.bias",
                        "mlp.1.running_mean",
                        "mlp.1.running_var",
                        "mlp.1.num_batches_tracked",
                        "mlp.3.weight",
                        "mlp.3.bias",
                        "last_layer.weight_g",
                        "last_layer.weight_v"),
                Weights.names(fixtureHead(true)));
        assertEquals(
                List.of("mlp.weight", "mlp.bias", "last_layer.weight_g", "last_layer.weight_v"),
                Weights.names(DinoHead.builder().setOutputDim(10).optLayers(1).build()));
        // ViT-S/16 with K = 65,536: shapes and trainable count of PyTorch's DINOHead(384, 65536)
        DinoHead vitSmall = DinoHead.builder().optInputDim(384).setOutputDim(65536).build();
        Map<String, Shape> shapes = Weights.shapes(vitSmall);
        assertEquals(new Shape(2048, 384), shapes.get("mlp.0.weight"));
        assertEquals(new Shape(256, 2048), shapes.get("mlp.4.weight"));
        assertEquals(new Shape(65536, 1), shapes.get("last_layer.weight_g"));
        assertEquals(new Shape(65536, 256), shapes.get("last_layer.weight_v"));
        assertEquals(22_286_592L, ModelZoo.parameterCount(vitSmall)); // weight_g is not trained
    }

    /**
     * Loads a fixture's weights into {@code head}, runs a training-mode forward pass and the
     * backward pass of sum(output · probe), and checks the output and the input gradient.
     *
     * @return the fixture's tensors
     */
    private static Map<String, NDArray> forwardAndBackward(NDManager m, DinoHead head, String file)
            throws IOException {
        head.initialize(m, DataType.FLOAT32, new Shape(5, 24));
        Weights.load(head, Fixtures.path(file), n -> n.startsWith("__"));
        Map<String, NDArray> ref = Weights.readTensors(Fixtures.path(file), m);
        NDArray x = ref.get("__input");
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y =
                    head.forward(new ParameterStore(m, false), new NDList(x), true)
                            .singletonOrThrow();
            Fixtures.assertClose(ref.get("__output"), y, 1e-5, 1e-6);
            gc.backward(y.mul(ref.get("__probe")).sum());
        }
        Fixtures.assertClose(ref.get("__grad_input"), x.getGradient(), 1e-5, 1e-6);
        return ref;
    }

    @Test
    void forwardAndGradientsMatchTheOfficialHead() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            DinoHead head = fixtureHead(false);
            Map<String, NDArray> ref = forwardAndBackward(m, head, "dino_head.safetensors");
            NDArray eval =
                    head.forward(
                                    new ParameterStore(m, false),
                                    new NDList(ref.get("__input")),
                                    false)
                            .singletonOrThrow();
            Fixtures.assertClose(
                    ref.get("__output"), eval, 1e-5, 1e-6); // no BN: the same in eval mode
            int compared = 0;
            for (Map.Entry<String, Parameter> e : byName(head).entrySet()) {
                NDArray value = e.getValue().getArray();
                if (e.getKey().equals("last_layer.weight_g")) {
                    assertFalse(e.getValue().requiresGradient(), "weight_g is fixed");
                    assertFalse(value.hasGradient(), "weight_g takes no gradient");
                    assertEquals(1f, value.min().getFloat());
                    assertEquals(1f, value.max().getFloat());
                    continue;
                }
                Fixtures.assertClose(
                        ref.get("__grad." + e.getKey()), value.getGradient(), 1e-5, 1e-6);
                compared++;
            }
            assertEquals(7, compared, "6 MLP tensors and weight_v");
        }
    }

    @Test
    void batchNormVariantWithTrainedNormMatchesTheOfficialHeadInTrainingMode() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            DinoHead head = fixtureHead(true);
            Map<String, NDArray> ref = forwardAndBackward(m, head, "dino_head_bn.safetensors");
            Map<String, Parameter> params = byName(head);
            assertTrue(
                    params.get("last_layer.weight_g").requiresGradient(),
                    "optNormLastLayer(false) trains g");
            for (String name :
                    List.of(
                            "mlp.0.weight",
                            "mlp.1.weight",
                            "mlp.1.bias",
                            "mlp.3.weight",
                            "last_layer.weight_g",
                            "last_layer.weight_v")) {
                Fixtures.assertClose(
                        ref.get("__grad." + name),
                        params.get(name).getArray().getGradient(),
                        1e-5,
                        1e-6);
            }
            for (String name : List.of("mlp.1.running_mean", "mlp.1.running_var")) {
                Fixtures.assertClose(
                        ref.get("__after_train." + name), params.get(name).getArray(), 1e-5, 1e-6);
            }
        }
    }

    @Test
    void initialisationIsTheOfficialOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            DinoHead head =
                    DinoHead.builder()
                            .optHiddenDim(512)
                            .optBottleneckDim(256)
                            .setOutputDim(300)
                            .build();
            head.initialize(m, DataType.FLOAT32, new Shape(2, 128)); // input width inferred
            Map<String, Parameter> p = byName(head);
            assertEquals(new Shape(512, 128), p.get("mlp.0.weight").getArray().getShape());
            for (String w : List.of("mlp.0.weight", "mlp.2.weight", "mlp.4.weight")) {
                NDArray a = p.get(w).getArray();
                // ≥ 65,536 draws: the sample std is within 1 % of 0.02 with overwhelming
                // probability
                assertEquals(0.02, Math.sqrt(a.pow(2).mean().getFloat()), 0.02 * 0.03, w);
            }
            for (String bias : List.of("mlp.0.bias", "mlp.2.bias", "mlp.4.bias")) {
                assertEquals(0f, p.get(bias).getArray().abs().max().getFloat(), bias);
            }
            NDArray g = p.get("last_layer.weight_g").getArray();
            assertEquals(new Shape(300, 1), g.getShape());
            assertEquals(1f, g.min().getFloat());
            assertEquals(1f, g.max().getFloat());
            // v: PyTorch's default Linear draw U(±1/√256), std 1/(16√3)
            NDArray v = p.get("last_layer.weight_v").getArray();
            assertTrue(v.abs().max().getFloat() <= 1 / 16f);
            assertEquals(
                    1 / (16 * Math.sqrt(3)),
                    Math.sqrt(v.pow(2).mean().getFloat()),
                    0.03 / (16 * Math.sqrt(3)));
        }
    }

    @Test
    void weightGStaysAtOneUnderATrainingStepAndOutputsAreCosines() {
        try (NDManager m = NDManager.newBaseManager()) {
            DinoHead head =
                    DinoHead.builder()
                            .optHiddenDim(16)
                            .optBottleneckDim(8)
                            .setOutputDim(12)
                            .build();
            NDArray x = m.randomNormal(new Shape(4, 2048)); // ResNet-50 features
            head.initialize(m, DataType.FLOAT32, x.getShape());
            Map<String, Parameter> p = byName(head);
            NDArray g = p.get("last_layer.weight_g").getArray();
            float[] vBefore = p.get("last_layer.weight_v").getArray().toFloatArray();
            ParameterStore ps = new ParameterStore(m, false);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = head.forward(ps, new NDList(x), true).singletonOrThrow();
                gc.backward(y.mul(m.randomNormal(y.getShape())).sum());
            }
            assertEquals(new Shape(4, 12), y.getShape());
            assertTrue(y.abs().max().getFloat() <= 1 + 1e-6f, "g = 1: every output is a cosine");
            // one SGD step with weight decay on every parameter that takes a gradient, as each
            // optimiser here does (parameter groups leave out parameters without one)
            for (Parameter param : head.getParameters().values()) {
                if (param.requiresGradient()) {
                    NDArray w = param.getArray();
                    w.subi(w.getGradient().add(w.mul(0.1f)).mul(0.5f));
                }
            }
            assertSame(g, p.get("last_layer.weight_g").getArray());
            assertFalse(g.hasGradient());
            assertEquals(1f, g.min().getFloat());
            assertEquals(1f, g.max().getFloat());
            assertNotEquals(vBefore[0], p.get("last_layer.weight_v").getArray().toFloatArray()[0]);
        }
    }

    @Test
    void lastLayerAndMlpParametersSplitTheHead() {
        try (NDManager m = NDManager.newBaseManager()) {
            DinoHead head = fixtureHead(true);
            head.initialize(m, DataType.FLOAT32, new Shape(2, 24));
            PairList<String, Parameter> last = head.lastLayerParameters();
            PairList<String, Parameter> rest = head.mlpParameters();
            Map<String, Parameter> p = byName(head);
            assertEquals(
                    List.of(p.get("last_layer.weight_g"), p.get("last_layer.weight_v")),
                    last.values());
            assertEquals(head.getParameters().size(), last.size() + rest.size());
            List<String> keys = new ArrayList<>(rest.keys());
            keys.addAll(last.keys());
            assertEquals(head.getParameters().keys(), keys, "the block's own keys, in its order");
            for (Pair<String, Parameter> e : rest) {
                assertFalse(e.getValue() == p.get("last_layer.weight_v"), e.getKey());
            }
        }
    }

    @Test
    void weightsRoundTripThroughSafetensors(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            DinoHead a = fixtureHead(false);
            DinoHead b = fixtureHead(false);
            a.initialize(m, DataType.FLOAT32, new Shape(3, 24));
            b.initialize(m, DataType.FLOAT32, new Shape(3, 24));
            Weights.save(a, dir.resolve("head.safetensors"));
            Weights.load(b, dir.resolve("head.safetensors"));
            NDArray x = m.randomNormal(new Shape(3, 24)); // a ViT-sized row would do as well
            ParameterStore ps = new ParameterStore(m, false);
            Fixtures.assertClose(
                    a.forward(ps, new NDList(x), false).singletonOrThrow(),
                    b.forward(ps, new NDList(x), false).singletonOrThrow(),
                    0,
                    0);
        }
    }

    @Test
    void rejectsBadInputNamingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DinoHead.builder().build());
        assertTrue(
                e.getMessage().contains("setOutputDim is required and must be > 0, got 0"),
                e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DinoHead.builder().setOutputDim(4).optLayers(0).build());
        assertTrue(e.getMessage().contains("layers must be >= 1, got 0"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> DinoHead.builder().setOutputDim(4).optBottleneckDim(-1).build());
        assertTrue(e.getMessage().contains("bottleneckDim must be > 0, got -1"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            DinoHead head = fixtureHead(false);
            head.initialize(m, DataType.FLOAT32, new Shape(2, 24));
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    head.forward(
                                            new ParameterStore(m, false),
                                            new NDList(m.ones(new Shape(2, 24, 1))),
                                            false));
            assertTrue(
                    e.getMessage().contains("head input must be [B, F], got (2, 24, 1)"),
                    e.getMessage());
        }
    }
}
