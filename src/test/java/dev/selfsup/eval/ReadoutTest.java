package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.SpatialBackbone;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReadoutTest {

    /** PyTorch's adaptive_avg_pool2d(x, g).flatten(1), written out with host loops. */
    private static double[] hostPool(float[] x, int b, int c, int h, int w, int g) {
        double[] out = new double[b * c * g * g];
        for (int n = 0; n < b; n++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < g; i++) {
                    int r0 = (i * h) / g;
                    int r1 = ((i + 1) * h + g - 1) / g;
                    for (int j = 0; j < g; j++) {
                        int c0 = (j * w) / g;
                        int c1 = ((j + 1) * w + g - 1) / g;
                        double sum = 0;
                        for (int r = r0; r < r1; r++) {
                            for (int col = c0; col < c1; col++) {
                                sum += x[((n * c + ch) * h + r) * w + col];
                            }
                        }
                        out[((n * c + ch) * g + i) * g + j] = sum / ((r1 - r0) * (c1 - c0));
                    }
                }
            }
        }
        return out;
    }

    private static float[] random(int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextDouble(-2, 2);
        }
        return x;
    }

    @Test
    void poolEqualsAdaptiveAveragePoolingForDivisibleAndOverlappingGrids() {
        int[][] cases = {
            {2, 3, 4, 4, 2}, {1, 2, 5, 7, 2}, {2, 2, 5, 7, 3}, {1, 1, 7, 7, 4}, {2, 3, 4, 4, 1}
        };
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] c : cases) {
                int b = c[0], ch = c[1], h = c[2], w = c[3], g = c[4];
                float[] x = random(b * ch * h * w, h * 31L + w);
                NDArray pooled = Readout.pool(m.create(x, new Shape(b, ch, h, w)), g);
                assertEquals(new Shape(b, (long) ch * g * g), pooled.getShape());
                float[] got = pooled.toFloatArray();
                double[] want = hostPool(x, b, ch, h, w, g);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(
                            want[i],
                            got[i],
                            1e-5,
                            "case h=" + h + " w=" + w + " g=" + g + " at " + i);
                }
            }
        }
    }

    @Test
    void aMapSmallerThanTheGridIsRefusedNamingBoth() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Readout.pool(m.zeros(new Shape(1, 2, 1, 1)), 2));
            assertTrue(
                    e.getMessage().contains("(1, 2, 1, 1)") && e.getMessage().contains("2x2"),
                    e.getMessage());
        }
    }

    @Test
    void resnetReadoutPoolsTheMapWhoseGlobalMeanIsTheBackboneOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone net =
                    ModelZoo.backbone("resnet10_cifar", new ModelZoo.Options(8, false, 0, 0));
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 28, 28));
            assertSame(net, Readout.of(net, 1), "grid 1 is the backbone itself");
            Block readout = Readout.of(net, 2);
            assertEquals(
                    new Shape(3, 64L * 4),
                    readout.getOutputShapes(new Shape[] {new Shape(3, 3, 28, 28)})[0]);
            NDArray x = m.create(random(3 * 3 * 28 * 28, 5), new Shape(3, 3, 28, 28));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray grid = readout.forward(ps, new NDList(x), false).singletonOrThrow();
            NDArray map = ((SpatialBackbone) net).featureMap(ps, x, false);
            assertEquals(new Shape(3, 64, 4, 4), map.getShape());
            float[] want = Readout.pool(map, 2).toFloatArray();
            float[] got = grid.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-6);
            }
            // a 4x4 map splits into four equal 2x2 cells: their mean is the global average pool
            float[] gap = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
            float[] cellMean = grid.reshape(3, 64, 4).mean(new int[] {2}).toFloatArray();
            for (int i = 0; i < gap.length; i++) {
                assertEquals(gap[i], cellMean[i], 1e-5);
            }
        }
    }

    @Test
    void gridsOfTheSameWeightsHaveDifferentCacheFingerprints() {
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone net =
                    ModelZoo.backbone("resnet10_cifar", new ModelZoo.Options(8, false, 0, 0));
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 28, 28));
            String g1 = Fingerprint.ofParameters(Readout.of(net, 1));
            String g2 = Fingerprint.ofParameters(Readout.of(net, 2));
            String g3 = Fingerprint.ofParameters(Readout.of(net, 3));
            assertNotEquals(g1, g2);
            assertNotEquals(g2, g3);
            assertEquals(g2, Fingerprint.ofParameters(Readout.of(net, 2)));
        }
    }

    @Test
    void aBackboneWithoutAFeatureMapIsRefusedForGridsAboveOne() {
        Backbone vit = ModelZoo.backbone("vit_tiny_patch16");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Readout.of(vit, 2));
        assertTrue(e.getMessage().contains("use grid 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Readout.of(vit, 0));
        assertSame(vit, Readout.of(vit, 1));
    }
}
