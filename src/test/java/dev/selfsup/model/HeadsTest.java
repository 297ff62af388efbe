package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadsTest {

    private static Map<String, NDArray> tensors(ai.djl.nn.Block block) {
        Map<String, NDArray> out = new HashMap<>();
        for (TensorSlot s : StateDict.slots(block)) {
            if (s instanceof TensorSlot.Param) {
                out.put(s.name, ((TensorSlot.Param) s).parameter.getArray());
            }
        }
        return out;
    }

    @Test
    void paperHeadsHaveTheirLayers() {
        // SimCLR 3-layer: Linear BN ReLU Linear BN ReLU Linear
        ProjectionHead simclr3 =
                ProjectionHead.builder().setHiddenDims(2048, 2048).setOutputDim(128).build();
        List<String> names = Weights.names(simclr3);
        assertTrue(
                names.containsAll(
                        List.of(
                                "0.weight",
                                "1.running_var",
                                "3.weight",
                                "4.running_mean",
                                "6.weight",
                                "6.bias")),
                names.toString());
        assertEquals(16, names.size());
        // MoCo v2: Linear ReLU Linear, no BN
        ProjectionHead moco =
                ProjectionHead.builder()
                        .setHiddenDims(2048)
                        .setOutputDim(128)
                        .optBatchNorm(false)
                        .build();
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), Weights.names(moco));
        ProjectionHead noBias =
                ProjectionHead.builder()
                        .setHiddenDims(16)
                        .setOutputDim(8)
                        .optBias(false)
                        .optLastBatchNorm(true)
                        .build();
        assertEquals(
                List.of(
                        "0.weight",
                        "1.weight",
                        "1.bias",
                        "1.running_mean",
                        "1.running_var",
                        "1.num_batches_tracked",
                        "3.weight",
                        "4.weight",
                        "4.bias",
                        "4.running_mean",
                        "4.running_var",
                        "4.num_batches_tracked"),
                Weights.names(noBias));
        ProjectionHead swav =
                ProjectionHead.builder()
                        .optInputDim(2048)
                        .setHiddenDims(2048)
                        .setOutputDim(128)
                        .build();
        assertEquals(
                2048L * 2048 + 2048 + 2 * 2048 + 2048L * 128 + 128, ModelZoo.parameterCount(swav));
    }

    @Test
    void forwardEqualsLinearBatchNormReluLinearComputedByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            ProjectionHead head =
                    ProjectionHead.builder()
                            .setHiddenDims(6)
                            .setOutputDim(3)
                            .optL2Normalize(true)
                            .build();
            NDArray x = m.randomNormal(new Shape(5, 4));
            head.initialize(m, DataType.FLOAT32, x.getShape()); // input width inferred: 4
            Map<String, NDArray> p = tensors(head);
            assertEquals(new Shape(6, 4), p.get("0.weight").getShape());
            ParameterStore ps = new ParameterStore(m, false);
            NDArray out = head.forward(ps, new NDList(x), true).singletonOrThrow();
            // training BN: batch mean and biased variance, eps 1e-5
            NDArray h = x.matMul(p.get("0.weight").transpose()).add(p.get("0.bias"));
            NDArray mean = h.mean(new int[] {0});
            NDArray var = h.sub(mean).pow(2).mean(new int[] {0});
            h = h.sub(mean).div(var.add(1e-5f).sqrt()).maximum(0f);
            NDArray z = h.matMul(p.get("3.weight").transpose()).add(p.get("3.bias"));
            z = z.div(z.pow(2).sum(new int[] {1}, true).sqrt());
            Fixtures.assertClose(z, out, 1e-5, 1e-6);
            float[] norms = out.pow(2).sum(new int[] {1}).toFloatArray();
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, norms, 1e-5f);
            // running statistics moved by 0.1 of the batch statistic (unbiased variance)
            float n = 5;
            NDArray expectedVar = var.mul(n / (n - 1)).mul(0.1f).add(0.9f);
            Fixtures.assertClose(expectedVar, p.get("1.running_var"), 1e-5, 1e-6);
            Fixtures.assertClose(mean.mul(0.1f), p.get("1.running_mean"), 1e-5, 1e-6);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> head.forward(ps, new NDList(m.ones(new Shape(2, 4, 1))), false));
            assertTrue(e.getMessage().contains("(2, 4, 1)"), e.getMessage());
        }
    }

    @Test
    void prototypesNormaliseRowsInPlaceWithoutGradientOrLeaks() {
        try (NDManager m = NDManager.newBaseManager()) {
            Prototypes prototypes = Prototypes.builder().setPrototypes(7).build();
            prototypes.initialize(m, DataType.FLOAT32, new Shape(4, 5));
            NDArray w = prototypes.getParameters().get("weight").getArray();
            assertEquals(new Shape(7, 5), w.getShape());
            float[] before = w.toFloatArray();
            int managed = m.getManagedArrays().size();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                prototypes.normaliseRows(); // inside an open collector, as a method's loss() would
                // call it
            }
            assertSame(w, prototypes.getParameters().get("weight").getArray());
            assertEquals(managed, m.getManagedArrays().size(), "temporaries leaked");
            float[] after = w.toFloatArray();
            for (int k = 0; k < 7; k++) {
                double norm = 0;
                for (int d = 0; d < 5; d++) {
                    norm += before[k * 5 + d] * before[k * 5 + d];
                }
                norm = Math.sqrt(norm);
                for (int d = 0; d < 5; d++) {
                    assertEquals(before[k * 5 + d] / norm, after[k * 5 + d], 1e-6, "row " + k);
                }
            }
            // scores = z · Cᵀ, with gradient to C
            NDArray z = m.randomNormal(new Shape(3, 5));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray scores;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                scores = prototypes.scores(ps, z, true);
                gc.backward(scores.sum());
            }
            Fixtures.assertClose(z.matMul(w.transpose()), scores, 1e-6, 1e-6);
            // d sum(z Cᵀ) / dC = column sums of z, for every row
            NDArray expectedGrad = z.sum(new int[] {0}, true).repeat(0, 7);
            Fixtures.assertClose(expectedGrad, w.getGradient(), 1e-5, 1e-6);
        }
    }

    @Test
    void linearClassifierStartsAsTheProbeProtocols() {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearClassifier fc = LinearClassifier.builder().setClasses(100).build();
            fc.initialize(m, DataType.FLOAT32, new Shape(2, 2048));
            Map<String, NDArray> p = tensors(fc);
            assertEquals(List.of("weight", "bias"), Weights.names(fc));
            assertEquals(new Shape(100, 2048), p.get("weight").getShape());
            assertEquals(
                    0.01,
                    Math.sqrt(p.get("weight").pow(2).mean().getFloat()),
                    0.0003); // 204800 draws
            assertEquals(0f, p.get("bias").abs().max().getFloat());
            NDArray x = m.randomNormal(new Shape(2, 2048));
            NDArray y =
                    fc.forward(new ParameterStore(m, false), new NDList(x), false)
                            .singletonOrThrow();
            Fixtures.assertClose(x.matMul(p.get("weight").transpose()), y, 1e-5, 1e-6);
            assertThrows(IllegalArgumentException.class, () -> LinearClassifier.builder().build());
            assertThrows(IllegalArgumentException.class, () -> Prototypes.builder().build());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> ProjectionHead.builder().setHiddenDims(0).setOutputDim(3).build());
        }
    }
}
