package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureCacheTest {
    @TempDir Path dir;

    /** Ten 3×2×2 images with known values; counts how often the backbone is fed. */
    static class CountingSource implements FeatureSource {
        int calls;
        final String key;

        CountingSource(String key) {
            this.key = key;
        }

        @Override
        public int size() {
            return 10;
        }

        @Override
        public NDArray images(NDManager m, int from, int to) {
            calls++;
            float[] x = new float[(to - from) * 12];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(from * 12 + i);
            }
            return m.create(x, new Shape(to - from, 3, 2, 2));
        }

        @Override
        public int[] labels() {
            return new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
        }

        @Override
        public String cacheKey() {
            return key;
        }
    }

    private static SequentialBlock backbone(NDManager m) {
        SequentialBlock b =
                new SequentialBlock()
                        .add(Blocks.batchFlattenBlock())
                        .add(BatchNorm.builder().build())
                        .add(Linear.builder().setUnits(4).build());
        b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 2, 2));
        return b;
    }

    @Test
    void extractsInEvalModeWithoutGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = backbone(m);
            CountingSource source = new CountingSource("counting");
            boolean gradBefore = JniUtils.isGradMode();
            try (Features f = FeatureExtractor.extract(b, source, 4, m)) {
                assertEquals(gradBefore, JniUtils.isGradMode(), "grad mode restored");
                assertEquals(3, source.calls, "ceil(10 / 4) batches");
                assertEquals(new Shape(10, 4), f.features().getShape());
                assertArrayEquals(
                        new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, f.labels().toLongArray());
                assertFalse(f.features().hasGradient());
                // eval-mode BatchNorm: running mean 0, var 1 → x / sqrt(1 + 1e-5); then Linear
                float[] w =
                        b.getChildren()
                                .get(2)
                                .getValue()
                                .getParameters()
                                .get("weight")
                                .getArray()
                                .toFloatArray();
                float[] bias =
                        b.getChildren()
                                .get(2)
                                .getValue()
                                .getParameters()
                                .get("bias")
                                .getArray()
                                .toFloatArray();
                float[] actual = f.features().toFloatArray();
                for (int i = 0; i < 10; i++) {
                    for (int u = 0; u < 4; u++) {
                        double e = bias[u];
                        for (int j = 0; j < 12; j++) {
                            e += w[u * 12 + j] * Math.sin(i * 12 + j) / Math.sqrt(1 + 1e-5);
                        }
                        assertEquals(e, actual[i * 4 + u], 1e-5, "row " + i + " unit " + u);
                    }
                }
            }
        }
    }

    @Test
    void reusesEntryAndRecomputesWhenWeightsChange() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = backbone(m);
            CountingSource source = new CountingSource("counting v1");
            FeatureCache cache = new FeatureCache(dir.resolve("cache"));
            assertFalse(cache.contains(b, source));
            float[] first;
            try (Features f = cache.extract(b, source, 4, m)) {
                first = f.features().toFloatArray();
            }
            assertEquals(3, source.calls);
            assertTrue(cache.contains(b, source));
            try (Features again = cache.extract(b, source, 4, m)) {
                assertEquals(3, source.calls, "hit: the backbone did not run");
                assertArrayEquals(first, again.features().toFloatArray(), 0f);
                assertArrayEquals(
                        new long[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, again.labels().toLongArray());
            }
            String keyBefore = FeatureCache.key(b, source);
            // new weights → new key → extracted again
            NDArray weight =
                    b.getChildren().get(2).getValue().getParameters().get("weight").getArray();
            weight.set(shifted(weight.toFloatArray()));
            assertNotEquals(keyBefore, FeatureCache.key(b, source));
            assertFalse(cache.contains(b, source));
            try (Features changed = cache.extract(b, source, 4, m)) {
                assertEquals(6, source.calls, "miss after the weights changed");
                assertFalse(java.util.Arrays.equals(first, changed.features().toFloatArray()));
            }
            // another transform (or dataset) is another entry too
            FeatureSource resized =
                    new CountingSource("counting v1") {
                        @Override
                        public String transformDescription() {
                            return "resize 8";
                        }
                    };
            assertNotEquals(FeatureCache.key(b, source), FeatureCache.key(b, resized));
            try (Stream<Path> files = Files.list(dir.resolve("cache"))) {
                assertEquals(4, files.count(), "two entries, each .ndlist + .json");
            }
        }
    }

    @Test
    void refusesAnEntryWhoseLabelsDisagreeWithTheSource() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock b = backbone(m);
            FeatureCache cache = new FeatureCache(dir);
            cache.extract(b, new CountingSource("same key"), 5, m).close();
            CountingSource other =
                    new CountingSource("same key") {
                        @Override
                        public int[] labels() {
                            return new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
                        }
                    };
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> cache.extract(b, other, 5, m));
            assertTrue(e.getMessage().contains("cacheKey"), e.getMessage());
        }
    }

    @Test
    void rawPixelsFlattenWithoutInitialisation() {
        try (NDManager m = NDManager.newBaseManager()) {
            CountingSource source = new CountingSource("raw");
            try (Features f = FeatureExtractor.extract(new RawPixels(), source, 3, m)) {
                assertEquals(new Shape(10, 12), f.features().getShape());
                float[] x = f.features().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Math.sin(i), x[i], 1e-6);
                }
            }
            assertEquals(
                    Fingerprint.ofParameters(new RawPixels()),
                    Fingerprint.ofParameters(new RawPixels()));
        }
    }

    private static float[] shifted(float[] w) {
        float[] out = w.clone();
        out[0] += 0.5f;
        return out;
    }
}
