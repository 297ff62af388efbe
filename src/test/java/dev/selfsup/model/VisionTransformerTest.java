package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VisionTransformerTest {

    /** The fixture's depth-1 DINO ViT: patch 8 on 112 px, i.e. the same 14×14 grid as 16 on 224. */
    private static VisionTransformer tinyVit() {
        return VisionTransformer.builder()
                .setEmbedDim(64)
                .setDepth(1)
                .setNumHeads(2)
                .setPatchSize(8)
                .optImageSize(112)
                .build();
    }

    @Test
    void namedModelsMatchDinoCountsAndNames() throws IOException {
        Map<String, Shape> expected = Fixtures.names("names_vit_small_patch16.json");
        Backbone vitS = ModelZoo.backbone("vit_small_patch16");
        assertEquals(expected, Weights.shapes(vitS));
        assertEquals(new ArrayList<>(expected.keySet()), Weights.names(vitS));
        assertEquals(21_665_664L, ModelZoo.parameterCount(vitS)); // DINO vit_small, no head
        // 12 blocks of 12 D² + 13 D weights, plus patch conv, tokens, final norm (DINO / timm)
        for (int[] c : new int[][] {{192, 5_524_416}, {768, 85_798_656}}) {
            Backbone vit = ModelZoo.backbone(c[0] == 192 ? "vit_tiny_patch16" : "vit_base_patch16");
            long d = c[0];
            long formula = 12 * (12 * d * d + 13 * d) + 3 * 256 * d + d + d + 197 * d + 2 * d;
            assertEquals(formula, ModelZoo.parameterCount(vit));
            assertEquals(c[1], ModelZoo.parameterCount(vit));
            assertEquals(c[0], vit.featureDim());
        }
    }

    @Test
    void outputsMatchDinoAtNativeSmallerNonSquareAndLargerInputs() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = tinyVit();
            vit.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
            Weights.load(vit, Fixtures.path("tiny_vit.safetensors"), n -> n.startsWith("__"));
            Map<String, NDArray> ref =
                    Weights.readTensors(Fixtures.path("tiny_vit.safetensors"), m);
            ParameterStore ps = new ParameterStore(m, false);
            for (String size : new String[] {"112x112", "48x48", "64x48", "128x128"}) {
                NDArray y =
                        vit.forward(ps, new NDList(ref.get("__input_" + size)), false)
                                .singletonOrThrow();
                Fixtures.assertClose(ref.get("__output_" + size), y, 1e-5, 1e-5);
                // without drop path, training mode computes the same (no BN in a ViT)
                NDArray yTrain =
                        vit.forward(ps, new NDList(ref.get("__input_" + size)), true)
                                .singletonOrThrow();
                Fixtures.assertClose(ref.get("__output_" + size), yTrain, 1e-5, 1e-5);
            }
        }
    }

    @Test
    void positionEmbeddingInterpolationMatchesPyTorchAndANaiveLoop() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = tinyVit();
            vit.initialize(m, DataType.FLOAT32, new Shape(1, 3, 112, 112));
            Weights.load(vit, Fixtures.path("tiny_vit.safetensors"), n -> n.startsWith("__"));
            Map<String, NDArray> ref =
                    Weights.readTensors(Fixtures.path("tiny_vit.safetensors"), m);
            NDArray pos = ref.get("pos_embed"); // [1, 197, 64]
            float[] grid = pos.get("0, 1:").toFloatArray();
            for (int[] hw : new int[][] {{48, 48}, {64, 48}, {128, 128}}) {
                int gh = hw[0] / 8;
                int gw = hw[1] / 8;
                NDArray ours = vit.interpolatePosEmbed(pos, gh, gw, m);
                // float32 sums of 16 products of O(0.3) values: 1e-5 absolute
                Fixtures.assertClose(ref.get("__pos_" + hw[0] + "x" + hw[1]), ours, 1e-5, 1e-5);
                float[] naive = naiveBicubic(grid, 14, 64, gh, gw);
                Fixtures.assertClose(
                        m.create(naive, new Shape(gh * gw, 64)), ours.get("0, 1:"), 1e-5, 1e-5);
                Fixtures.assertClose(
                        pos.get("0, :1"), ours.get("0, :1"), 0, 0); // cls position kept
            }
            // DINO's scale factor (n + 0.1) / 14 is not the target-size scale 14 / n
            float[][] dino = PosEmbedInterpolation.bicubicWeights(14, 6, 6.1 / 14);
            assertNotEquals(bicubicTap(0, 14.0 / 6), dino[0][0], 1e-3);
            assertEquals(bicubicTap(0, 14.0 / 6.1), dino[0][0], 1e-6);
        }
    }

    /** Weight of source index 0 for output 0 along one axis, by the kernel's distance form. */
    private static double bicubicTap(int source, double ratio) {
        double src = (0 + 0.5) * ratio - 0.5;
        double w = 0;
        for (int tap = (int) Math.floor(src) - 1; tap <= (int) Math.floor(src) + 2; tap++) {
            if (Math.min(Math.max(tap, 0), 13) == source) {
                w += kernel(src - tap);
            }
        }
        return w;
    }

    /** Keys' cubic convolution kernel with A = -0.75 as a function of the distance. */
    private static double kernel(double d) {
        double a = -0.75;
        double x = Math.abs(d);
        if (x <= 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return 0;
    }

    /** A direct 2-D loop: grid [g·g, D] row-major → [gh·gw, D], PyTorch's index clamping. */
    private static float[] naiveBicubic(float[] grid, int g, int dim, int gh, int gw) {
        double ry = 1 / ((gh + 0.1) / g);
        double rx = 1 / ((gw + 0.1) / g);
        float[] out = new float[gh * gw * dim];
        for (int i = 0; i < gh; i++) {
            double sy = (i + 0.5) * ry - 0.5;
            for (int j = 0; j < gw; j++) {
                double sx = (j + 0.5) * rx - 0.5;
                for (int ty = (int) Math.floor(sy) - 1; ty <= (int) Math.floor(sy) + 2; ty++) {
                    for (int tx = (int) Math.floor(sx) - 1; tx <= (int) Math.floor(sx) + 2; tx++) {
                        double w = kernel(sy - ty) * kernel(sx - tx);
                        int a = Math.min(Math.max(ty, 0), g - 1);
                        int b = Math.min(Math.max(tx, 0), g - 1);
                        for (int d = 0; d < dim; d++) {
                            out[(i * gw + j) * dim + d] +=
                                    (float) (w * grid[(a * g + b) * dim + d]);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void forwardShapesAt224And96AndGradientsReachInterpolatedPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit =
                    VisionTransformer.builder()
                            .setEmbedDim(48)
                            .setDepth(2)
                            .setNumHeads(3)
                            .setPatchSize(16)
                            .build();
            vit.initialize(m, DataType.FLOAT32, new Shape(2, 3, 224, 224));
            ParameterStore ps = new ParameterStore(m, false);
            for (int size : new int[] {224, 96}) {
                NDArray x = m.randomNormal(new Shape(2, 3, size, size));
                NDArray y = vit.forward(ps, new NDList(x), false).singletonOrThrow();
                assertEquals(new Shape(2, 48), y.getShape());
            }
            NDArray pos = vit.getParameters().get("pos_embed").getArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y =
                        vit.forward(ps, new NDList(m.randomNormal(new Shape(2, 3, 96, 96))), true)
                                .singletonOrThrow();
                // not y.sum(): a LayerNorm output with γ = 1, β = 0 sums to 0 whatever its input
                gc.backward(y.mul(m.randomNormal(y.getShape())).sum());
            }
            NDArray grad = pos.getGradient();
            assertEquals(new Shape(1, 197, 48), grad.getShape());
            assertTrue(grad.abs().sum().getFloat() > 0, "no gradient through the bicubic resize");
        }
    }

    @Test
    void aTrainingStepLeavesNothingOnTheParametersManager() {
        try (NDManager run = NDManager.newBaseManager()) {
            VisionTransformer vit =
                    VisionTransformer.builder()
                            .setEmbedDim(32)
                            .setDepth(1)
                            .setNumHeads(2)
                            .setPatchSize(8)
                            .optImageSize(32)
                            .optDropPathRate(0.2)
                            .build();
            vit.initialize(run, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            ResNet resnet =
                    ResNet.builder()
                            .setBlockType(ResNet.BlockType.BOTTLENECK)
                            .setStageBlocks(1, 1)
                            .optBaseWidth(8)
                            .build();
            resnet.initialize(run, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            int before = run.getManagedArrays().size();
            for (int size : new int[] {32, 24, 40}) { // native grid, smaller and larger
                try (NDManager step = run.newSubManager()) {
                    NDArray x = step.randomNormal(new Shape(2, 3, size, size));
                    ParameterStore ps = new ParameterStore(step, false);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray a = vit.forward(ps, new NDList(x), true).singletonOrThrow();
                        NDArray b = resnet.forward(ps, new NDList(x), true).singletonOrThrow();
                        gc.backward(a.sum().add(b.sum()));
                    }
                }
                // gradients are created once per parameter on the first backward
                if (size == 32) {
                    before = run.getManagedArrays().size();
                }
            }
            assertEquals(before, run.getManagedArrays().size(), "arrays left on the run manager");
        }
    }

    @Test
    void initialisationFollowsDino() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit =
                    VisionTransformer.builder()
                            .setEmbedDim(192)
                            .setDepth(1)
                            .setNumHeads(3)
                            .setPatchSize(16)
                            .build();
            vit.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            Map<String, NDArray> p = new java.util.HashMap<>();
            for (TensorSlot s : StateDict.slots(vit)) {
                p.put(s.name, ((TensorSlot.Param) s).parameter.getArray());
            }
            for (String name :
                    new String[] {
                        "pos_embed", "blocks.0.attn.qkv.weight", "blocks.0.mlp.fc1.weight"
                    }) {
                double std = Math.sqrt(p.get(name).pow(2).mean().getFloat());
                assertEquals(0.02, std, 0.001, name); // >= 37k draws
            }
            assertEquals(0f, p.get("blocks.0.attn.qkv.bias").abs().max().getFloat());
            assertEquals(1f, p.get("norm.weight").min().getFloat());
            assertEquals(0f, p.get("norm.bias").abs().max().getFloat());
            float bound = (float) (1 / Math.sqrt(3 * 16 * 16)); // PyTorch's default conv init
            assertTrue(p.get("patch_embed.proj.weight").abs().max().getFloat() <= bound);
            assertTrue(p.get("patch_embed.proj.weight").abs().max().getFloat() > bound * 0.99);
        }
    }

    @Test
    void dropPathDropsWholeSamplesInTrainingOnlyAndRescalesTheRest() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray y = m.ones(new Shape(2000, 3, 4));
            Fixtures.assertClose(y, EncoderBlock.dropPath(y, 0.3, false), 0, 0);
            float[] out = EncoderBlock.dropPath(y, 0.3, true).toFloatArray();
            int dropped = 0;
            for (int b = 0; b < 2000; b++) {
                float first = out[b * 12];
                assertTrue(first == 0f || Math.abs(first - 1 / 0.7f) < 1e-6, "value " + first);
                for (int k = 1; k < 12; k++) {
                    assertEquals(first, out[b * 12 + k], "sample " + b + " is dropped as a whole");
                }
                dropped += first == 0f ? 1 : 0;
            }
            // binomial(2000, 0.3): sd 20.5, so ±100 is ~5 sd
            assertEquals(600, dropped, 100);
            // the linear schedule: block i of n has rate i / (n - 1) · max, so block 0 never drops
            VisionTransformer vit =
                    VisionTransformer.builder()
                            .setEmbedDim(32)
                            .setDepth(1)
                            .setNumHeads(2)
                            .setPatchSize(8)
                            .optImageSize(32)
                            .optDropPathRate(0.5)
                            .build();
            vit.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(8, 3, 32, 32));
            Fixtures.assertClose(
                    vit.forward(ps, new NDList(x), false).singletonOrThrow(),
                    vit.forward(ps, new NDList(x), true).singletonOrThrow(),
                    1e-6,
                    1e-6);
        }
    }

    @Test
    void builderRejectsBadValuesNamingThem() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                VisionTransformer.builder()
                                        .setEmbedDim(100)
                                        .setDepth(1)
                                        .setNumHeads(3)
                                        .setPatchSize(16)
                                        .build());
        assertTrue(e.getMessage().contains("100") && e.getMessage().contains("3"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                VisionTransformer.builder()
                                        .setEmbedDim(96)
                                        .setDepth(1)
                                        .setNumHeads(3)
                                        .build());
        assertTrue(e.getMessage().contains("setPatchSize"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                VisionTransformer.builder()
                                        .setEmbedDim(96)
                                        .setDepth(1)
                                        .setNumHeads(3)
                                        .setPatchSize(16)
                                        .optImageSize(200)
                                        .build());
        assertTrue(e.getMessage().contains("200"), e.getMessage());
    }
}
