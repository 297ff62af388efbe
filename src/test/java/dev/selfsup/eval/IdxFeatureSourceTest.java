package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.data.IdxDataset;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class IdxFeatureSourceTest {
    @Test
    void padsReplicatesAndNormalises() throws IOException {
        IdxDataset test = IdxDataset.embeddedFashionMnist(false);
        IdxFeatureSource source =
                IdxFeatureSource.builder(test)
                        .optPad(2)
                        .optNormalize(new float[] {0.5f}, new float[] {0.25f})
                        .build();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = source.images(m, 3, 5);
            assertEquals(new Shape(2, 3, 32, 32), x.getShape());
            float[] v = x.toFloatArray();
            for (int i = 0; i < 2; i++) {
                byte[] raw = test.image(3 + i);
                for (int c = 0; c < 3; c++) {
                    for (int r = 0; r < 32; r++) {
                        for (int col = 0; col < 32; col++) {
                            boolean inside = r >= 2 && r < 30 && col >= 2 && col < 30;
                            double pixel =
                                    inside ? (raw[(r - 2) * 28 + col - 2] & 0xff) / 255.0 : 0;
                            assertEquals(
                                    (pixel - 0.5) / 0.25,
                                    v[((i * 3 + c) * 32 + r) * 32 + col],
                                    1e-5);
                        }
                    }
                }
            }
            assertEquals(test.size(), source.size());
            assertEquals(test.labels()[4], source.labels()[4]);
        }
    }

    @Test
    void halvingUsesTheAntialiasedBilinearStencil() throws IOException {
        // PIL bilinear shrinking by 2: each output weighs 4 inputs [1, 3, 3, 1] / 8 per axis;
        // at the borders the missing tap's weight is dropped and the rest renormalised.
        IdxDataset test = IdxDataset.embeddedFashionMnist(false);
        IdxFeatureSource source =
                IdxFeatureSource.builder(test).optResize(14).optChannels(1).build();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = source.images(m, 0, 1);
            assertEquals(new Shape(1, 1, 14, 14), x.getShape());
            float[] v = x.toFloatArray();
            byte[] raw = test.image(0);
            double[] tap = {1, 3, 3, 1};
            for (int r = 0; r < 14; r++) {
                for (int c = 0; c < 14; c++) {
                    double sum = 0, wr = 0, wc = 0;
                    for (int a = 0; a < 4; a++) {
                        int y = 2 * r - 1 + a;
                        wr += y >= 0 && y < 28 ? tap[a] : 0;
                        int z = 2 * c - 1 + a;
                        wc += z >= 0 && z < 28 ? tap[a] : 0;
                        for (int b = 0; b < 4; b++) {
                            int xx = 2 * c - 1 + b;
                            if (y >= 0 && y < 28 && xx >= 0 && xx < 28) {
                                sum += tap[a] * tap[b] * (raw[y * 28 + xx] & 0xff) / 255.0;
                            }
                        }
                    }
                    assertEquals(sum / (wr * wc), v[r * 14 + c], 1e-5, "(" + r + "," + c + ")");
                }
            }
            // upsampling a constant image keeps it constant
            float[][] up = IdxFeatureSource.triangleFilter(28, 57);
            for (float[] row : up) {
                double total = 0;
                for (float w : row) {
                    total += w;
                }
                assertEquals(1, total, 1e-6);
            }
        }
    }

    @Test
    void cacheKeySeparatesSplitsAndTransforms() throws IOException {
        IdxFeatureSource train =
                IdxFeatureSource.builder(IdxDataset.embeddedFashionMnist(true)).build();
        IdxFeatureSource test =
                IdxFeatureSource.builder(IdxDataset.embeddedFashionMnist(false)).build();
        IdxFeatureSource testPadded =
                IdxFeatureSource.builder(IdxDataset.embeddedFashionMnist(false)).optPad(2).build();
        assertNotEquals(train.cacheKey(), test.cacheKey());
        assertEquals(test.cacheKey(), testPadded.cacheKey());
        assertNotEquals(test.transformDescription(), testPadded.transformDescription());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                IdxFeatureSource.builder(IdxDataset.embeddedFashionMnist(false))
                                        .optChannels(2)
                                        .build());
        assertTrue(e.getMessage().contains("2"), e.getMessage());
    }
}
