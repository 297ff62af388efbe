package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.model.ResNet.BlockType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BatchNorm with per-group training statistics (MoCo's SplitBatchNorm), against plain host
 * arithmetic: forward, running statistics, eval mode, gradients and weight IO.
 */
class SplitBatchNormTest {
    @TempDir Path dir;

    private static final int C = 3;

    /** Host reference of one training-mode pass of a split BN, all in double. */
    private static final class Reference {
        final double[] y;
        final double[] runningMean;
        final double[] runningVar;
        final double[] normalised; // x̂, for the gradient formula
        final double[][] inverseStd; // [group][channel]

        /**
         * @param x [B, C, L] row-major (L = H·W, 1 for BatchNorm1d)
         * @param splits S; sample n belongs to group n mod S
         */
        Reference(
                double[] x,
                int b,
                int l,
                int splits,
                double[] gamma,
                double[] beta,
                double[] rm,
                double[] rv) {
            y = new double[x.length];
            normalised = new double[x.length];
            runningMean = new double[C];
            runningVar = new double[C];
            inverseStd = new double[splits][C];
            int count = b / splits * l;
            for (int c = 0; c < C; c++) {
                double meanOfMeans = 0;
                double meanOfVars = 0;
                for (int s = 0; s < splits; s++) {
                    double sum = 0;
                    for (int n = s; n < b; n += splits) {
                        for (int i = 0; i < l; i++) {
                            sum += x[(n * C + c) * l + i];
                        }
                    }
                    double mean = sum / count;
                    double sq = 0;
                    for (int n = s; n < b; n += splits) {
                        for (int i = 0; i < l; i++) {
                            double d = x[(n * C + c) * l + i] - mean;
                            sq += d * d;
                        }
                    }
                    double biased = sq / count;
                    double inv = 1 / Math.sqrt(biased + 1e-5);
                    inverseStd[s][c] = inv;
                    for (int n = s; n < b; n += splits) {
                        for (int i = 0; i < l; i++) {
                            int at = (n * C + c) * l + i;
                            normalised[at] = (x[at] - mean) * inv;
                            y[at] = gamma[c] * normalised[at] + beta[c];
                        }
                    }
                    meanOfMeans += mean / splits;
                    meanOfVars += sq / (count - 1) / splits; // unbiased, as PyTorch's running_var
                }
                runningMean[c] = 0.9 * rm[c] + 0.1 * meanOfMeans;
                runningVar[c] = 0.9 * rv[c] + 0.1 * meanOfVars;
            }
        }
    }

    private static double[] gaussian(Random rng, int n, double scale, double shift) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = shift + scale * rng.nextGaussian();
        }
        return out;
    }

    /** Data whose samples differ in mean by sample index, so that the groups' statistics differ. */
    private static double[] input(Random rng, int b, int l) {
        double[] x = gaussian(rng, b * C * l, 1, 0);
        for (int i = 0; i < x.length; i++) {
            x[i] += 0.7 * (i / (C * l)) - 1;
        }
        return x;
    }

    private static NDArray param(Block block, String name) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getKey().equals(name)) {
                return p.getValue().getArray();
            }
        }
        throw new AssertionError("no parameter " + name + " in " + block.getParameters().keys());
    }

    private static void put(NDArray target, double[] values) {
        try (NDArray v = target.getManager().create(values).toType(target.getDataType(), false)) {
            target.set(new ai.djl.ndarray.index.NDIndex(":"), v);
        }
    }

    private static void assertClose(
            double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " [" + i + "]");
        }
    }

    private static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void trainingNormalisesEachGroupOfSamplesNModSplitsAndAveragesTheRunningStatistics() {
        Random rng = new Random(3);
        int b = 8;
        // [B, C, H, W] as in the backbone and [B, C] as in a head's BatchNorm1d
        for (Shape shape : new Shape[] {new Shape(b, C, 2, 3), new Shape(b, C)}) {
            int l = (int) (shape.size() / (b * C));
            double[] x = input(rng, b, l);
            double[] gamma = gaussian(rng, C, 0.3, 1);
            double[] beta = gaussian(rng, C, 0.3, 0);
            double[] rm = gaussian(rng, C, 0.5, 0);
            double[] rv = gaussian(rng, C, 0.2, 1);
            double[] plain = null;
            for (int splits : new int[] {1, 2, 4}) {
                try (NDManager m = NDManager.newBaseManager()) {
                    BatchNormLayer bn = new BatchNormLayer(C, false, splits);
                    bn.initialize(m, DataType.FLOAT32, shape);
                    put(param(bn, "weight"), gamma);
                    put(param(bn, "bias"), beta);
                    put(param(bn, "running_mean"), rm);
                    put(param(bn, "running_var"), rv);
                    ParameterStore ps = new ParameterStore(m, false);
                    NDArray in = m.create(x, shape).toType(DataType.FLOAT32, false);
                    String what = "splits " + splits + " " + shape;

                    double[] y = doubles(bn.forward(ps, in, true));
                    Reference ref = new Reference(x, b, l, splits, gamma, beta, rm, rv);
                    // float32 on O(1) values
                    assertClose(ref.y, y, 2e-5, what + " output");
                    assertClose(
                            ref.runningMean,
                            doubles(param(bn, "running_mean")),
                            1e-6,
                            what + " running_mean");
                    assertClose(
                            ref.runningVar,
                            doubles(param(bn, "running_var")),
                            1e-5,
                            what + " running_var");
                    assertEquals(1, bn.numBatchesTracked(), what + " counter");
                    if (splits == 1) {
                        plain = y;
                    } else {
                        double diff = 0;
                        for (int i = 0; i < y.length; i++) {
                            diff = Math.max(diff, Math.abs(y[i] - plain[i]));
                        }
                        assertTrue(
                                diff > 0.05,
                                what
                                        + ": per-group statistics must change the output, max diff "
                                        + diff);
                    }

                    // eval mode: the ordinary running statistics, whatever the splits
                    double[] eval = doubles(bn.forward(ps, in, false));
                    double[] expected = new double[x.length];
                    for (int i = 0; i < x.length; i++) {
                        int c = (i / l) % C;
                        expected[i] =
                                gamma[c]
                                                * (x[i] - ref.runningMean[c])
                                                / Math.sqrt(ref.runningVar[c] + 1e-5)
                                        + beta[c];
                    }
                    assertClose(expected, doubles(bn.forward(ps, in, false)), 2e-5, what + " eval");
                    assertArrayEquals(
                            eval,
                            doubles(bn.forward(ps, in, false)),
                            0,
                            what + " eval leaves statistics alone");
                }
            }
        }
    }

    @Test
    void gradientThroughSplitBatchNormMatchesTheHandFormula() {
        Random rng = new Random(4);
        int b = 6;
        int splits = 3;
        int l = 4;
        Shape shape = new Shape(b, C, 2, 2);
        double[] x = input(rng, b, l);
        double[] gamma = gaussian(rng, C, 0.3, 1);
        double[] w = gaussian(rng, x.length, 1, 0); // loss = Σ w ⊙ y, so dL/dy = w
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNormLayer bn = new BatchNormLayer(C, false, splits);
            bn.initialize(m, DataType.FLOAT64, shape);
            put(param(bn, "weight"), gamma);
            NDArray in = m.create(x, shape);
            in.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = bn.forward(new ParameterStore(m, false), in, true);
                gc.backward(y.mul(m.create(w, shape)).sum());
            }
            Reference ref =
                    new Reference(
                            x, b, l, splits, gamma, new double[C], new double[C], new double[C]);
            // per group and channel over its M = (B/S)·L elements:
            // dx = γ/σ (g − mean(g) − x̂ mean(g x̂)),  dγ = Σ g x̂,  dβ = Σ g  (g = dL/dy)
            double[] dx = new double[x.length];
            double[] dGamma = new double[C];
            double[] dBeta = new double[C];
            for (int s = 0; s < splits; s++) {
                for (int c = 0; c < C; c++) {
                    double sumG = 0;
                    double sumGx = 0;
                    int count = 0;
                    for (int n = s; n < b; n += splits) {
                        for (int i = 0; i < l; i++) {
                            int at = (n * C + c) * l + i;
                            sumG += w[at];
                            sumGx += w[at] * ref.normalised[at];
                            count++;
                        }
                    }
                    dGamma[c] += sumGx;
                    dBeta[c] += sumG;
                    for (int n = s; n < b; n += splits) {
                        for (int i = 0; i < l; i++) {
                            int at = (n * C + c) * l + i;
                            dx[at] =
                                    gamma[c]
                                            * ref.inverseStd[s][c]
                                            * (w[at]
                                                    - sumG / count
                                                    - ref.normalised[at] * sumGx / count);
                        }
                    }
                }
            }
            assertClose(dx, in.getGradient().toDoubleArray(), 1e-10, "dx");
            assertClose(dGamma, param(bn, "weight").getGradient().toDoubleArray(), 1e-10, "dgamma");
            assertClose(dBeta, param(bn, "bias").getGradient().toDoubleArray(), 1e-10, "dbeta");
        }
    }

    @Test
    void trainingPassesLeaveNothingOnTheParametersManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNormLayer bn = new BatchNormLayer(C, false, 2);
            bn.initialize(m, DataType.FLOAT32, new Shape(4, C, 2, 2));
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                // parameters not borrowed into the step: the repeated statistics must not land on m
                try (NDManager step = m.newSubManager()) {
                    bn.forward(
                            new ParameterStore(step, false),
                            step.randomNormal(new Shape(4, C, 2, 2)),
                            true);
                }
            }
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefusedNamingBoth() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNormLayer bn = new BatchNormLayer(C, false, 4);
            bn.initialize(m, DataType.FLOAT32, new Shape(6, C));
            NDArray x = m.randomNormal(new Shape(6, C));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> bn.forward(new ParameterStore(m, false), x, true));
            assertTrue(
                    e.getMessage().contains("4 splits") && e.getMessage().contains("batch 6"),
                    e.getMessage());
            // eval mode does not split
            bn.forward(new ParameterStore(m, false), x, false);
        }
        assertThrows(IllegalArgumentException.class, () -> new BatchNormLayer(C, false, 0));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ResNet.builder()
                                        .setBlockType(BlockType.BASIC)
                                        .setStageBlocks(1)
                                        .optBatchNormSplits(0)
                                        .build());
        assertTrue(
                e.getMessage().contains("batchNormSplits") && e.getMessage().contains("0"),
                e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ModelZoo.backbone(
                                        "vit_tiny_patch16",
                                        ModelZoo.Options.DEFAULT.withBatchNormSplits(2)));
        assertTrue(
                e.getMessage().contains("no BatchNorm") && e.getMessage().contains("2"),
                e.getMessage());
    }

    @Test
    void splitNetworksKeepTorchvisionNamesAndTheirWeightsLoadIntoPlainOnes() throws IOException {
        Map<String, Shape> expected = new LinkedHashMap<>(Fixtures.names("names_resnet18.json"));
        expected.keySet().removeIf(k -> k.startsWith("fc."));
        Backbone split18 =
                ModelZoo.backbone("resnet18", ModelZoo.Options.DEFAULT.withBatchNormSplits(8));
        assertEquals(expected, Weights.shapes(split18));
        assertEquals(new ArrayList<>(expected.keySet()), Weights.names(split18));

        ModelZoo.Options tiny = ModelZoo.Options.DEFAULT.withBaseWidth(4);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(8, 3, 16, 16);
            NDArray x = m.randomNormal(shape);
            Backbone a = ModelZoo.backbone("resnet10_cifar", tiny.withBatchNormSplits(4));
            a.initialize(m, DataType.FLOAT32, shape);
            ParameterStore ps = new ParameterStore(m, false);
            List<float[]> before = runningStats(a);
            a.forward(ps, new NDList(x), true);
            a.forward(ps, new NDList(x.mul(2)), true);
            List<float[]> after = runningStats(a);
            assertFalse(
                    java.util.Arrays.equals(before.get(0), after.get(0)),
                    "training moved the statistics");
            Path file = dir.resolve("split.safetensors");
            Weights.save(a, file);

            Backbone b = ModelZoo.backbone("resnet10_cifar", tiny);
            b.initialize(m, DataType.FLOAT32, shape);
            assertEquals(Weights.names(a), Weights.names(b));
            Weights.load(b, file);
            List<float[]> loaded = runningStats(b);
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(after.get(i), loaded.get(i), 0f, "running statistic " + i);
            }
            // eval mode ignores the splits: the two networks now agree exactly
            assertArrayEquals(
                    a.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
                    b.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray(),
                    0f);
        }
    }

    private static List<float[]> runningStats(Block block) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter.Type t = p.getValue().getType();
            if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                out.add(p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }
}
