package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Seeds;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SinkhornTest {

    /** Straight transcription of the official order on the matrix itself, in double, log domain. */
    static double[][] reference(double[][] s, double epsilon, int iterations) {
        int b = s.length;
        int k = s[0].length;
        double[][] l = new double[b][k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < k; j++) {
                l[i][j] = s[i][j] / epsilon;
                max = Math.max(max, l[i][j]);
            }
        }
        double total = 0;
        for (double[] row : l) {
            for (double v : row) {
                total += Math.exp(v - max);
            }
        }
        double lse = max + Math.log(total);
        for (double[] row : l) {
            for (int j = 0; j < k; j++) {
                row[j] -= lse;
            }
        }
        for (int it = 0; it < iterations; it++) {
            for (int j = 0; j < k; j++) { // prototype j: divide by its sum, then by K
                double m = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < b; i++) {
                    m = Math.max(m, l[i][j]);
                }
                double sum = 0;
                for (int i = 0; i < b; i++) {
                    sum += Math.exp(l[i][j] - m);
                }
                double sub = m + Math.log(sum) + Math.log(k);
                for (int i = 0; i < b; i++) {
                    l[i][j] -= sub;
                }
            }
            for (int i = 0; i < b; i++) { // sample i: divide by its sum, then by B
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    m = Math.max(m, l[i][j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(l[i][j] - m);
                }
                double sub = m + Math.log(sum) + Math.log(b);
                for (int j = 0; j < k; j++) {
                    l[i][j] -= sub;
                }
            }
        }
        double[][] q = new double[b][k];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < k; j++) {
                q[i][j] = Math.exp(l[i][j] + Math.log(b));
            }
        }
        return q;
    }

    static double[][] randomScores(RandomGenerator rng, int b, int k, double scale) {
        double[][] s = new double[b][k];
        for (double[] row : s) {
            for (int j = 0; j < k; j++) {
                row[j] = scale * Math.tanh(rng.nextGaussian()); // like cosines in [-1, 1]
            }
        }
        return s;
    }

    static double[] flat(double[][] a) {
        return java.util.Arrays.stream(a).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    @Test
    void matchesOfficialCheckValue() { // METHODS.md §1
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new float[][] {{.1f, .2f, .3f}, {.3f, .1f, 0f}});
            float[] expected = {.0039645f, .4240908f, .5719448f, .7863428f, .2085068f, .0051504f};
            NDArray q = Sinkhorn.codes(s, 0.05, 3);
            assertArrayEquals(expected, q.toFloatArray(), 1e-6f);
            assertEquals(new Shape(2, 3), q.getShape());
            assertEquals(DataType.FLOAT32, q.getDataType());
            assertSame(m, q.getManager());
            assertEquals(s.getDevice(), q.getDevice());
        }
    }

    @Test
    void matchesOfficialPyTorchCodeOnFixtures() {
        for (Fixtures.Case c : Fixtures.load("sinkhorn.json")) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray q =
                        Sinkhorn.codes(
                                c.array(m, "scores"), c.scalar("epsilon"), c.integer("iterations"));
                assertEquals(c.type(), q.getDataType());
                Fixtures.assertClose(
                        c.values("codes"),
                        Fixtures.toDoubles(q),
                        Fixtures.tolerance(c),
                        c.name() + " " + c.type());
            }
        }
    }

    @Test
    void rowsSumToOneAndPrototypeMarginalsApproachOneOverK() {
        int b = 32;
        int k = 8;
        double[][] s = randomScores(Seeds.derive(1, "sinkhorn-test"), b, k, 1);
        double previous = Double.POSITIVE_INFINITY;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scores = m.create(flat(s), new Shape(b, k));
            for (int iterations : new int[] {1, 3, 10, 50}) {
                NDArray q = Sinkhorn.codes(scores, 0.05, iterations);
                double[] rows = q.sum(new int[] {1}).toDoubleArray();
                for (double r : rows) {
                    assertEquals(1.0, r, 1e-12);
                }
                // each prototype's share of the batch should approach 1/K
                double[] cols = q.sum(new int[] {0}).div(b).toDoubleArray();
                double gap = 0;
                for (double c : cols) {
                    gap = Math.max(gap, Math.abs(c - 1.0 / k));
                }
                assertTrue(
                        gap < previous, "marginal gap " + gap + " did not shrink at " + iterations);
                previous = gap;
            }
            assertTrue(
                    previous < 1e-4 / k,
                    "after 50 iterations marginals are 1/K within 1e-4 relative, got " + previous);
        }
    }

    @Test
    void equalsExactResultWhereTheOfficialCodeOverflows() {
        int b = 16;
        int k = 10;
        // scores x50: |S|/ε reaches 1000, exp overflows float32 and float64 alike
        double[][] s = randomScores(Seeds.derive(2, "sinkhorn-test"), b, k, 50);
        double[] expected = flat(reference(s, 0.05, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s64 = m.create(flat(s), new Shape(b, k));
            assertTrue(Double.isInfinite(Math.exp(50 / 0.05)), "premise: exp(S/ε) overflows");
            double[] q64 = Sinkhorn.codes(s64, 0.05, 3).toDoubleArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], q64[i], 1e-12 + 1e-9 * expected[i], "float64 entry " + i);
            }
            // float32: the inputs themselves are only known to ~6e-8 relative, i.e. ~6e-5 in S/ε
            float[] s32 = s64.toType(DataType.FLOAT32, false).toFloatArray();
            double[][] s32d = new double[b][k];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < k; j++) {
                    s32d[i][j] = s32[i * k + j];
                }
            }
            double[] expected32 = flat(reference(s32d, 0.05, 3));
            float[] q32 =
                    Sinkhorn.codes(s64.toType(DataType.FLOAT32, false), 0.05, 3).toFloatArray();
            for (int i = 0; i < expected32.length; i++) {
                assertFalse(Float.isNaN(q32[i]), "NaN at " + i);
                assertEquals(
                        expected32[i], q32[i], 1e-6 + 2e-4 * expected32[i], "float32 entry " + i);
            }
        }
    }

    @Test
    void matchesReferenceOnRandomScoresInBothTypes() {
        double[][] s = randomScores(Seeds.derive(3, "sinkhorn-test"), 20, 6, 1);
        double[] expected = flat(reference(s, 0.05, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s64 = m.create(flat(s), new Shape(20, 6));
            Fixtures.assertClose(
                    expected, Sinkhorn.codes(s64, 0.05, 3).toDoubleArray(), 1e-12, "float64");
        }
    }

    @Test
    void distributedFormOnTwoShardsEqualsOneDevice() throws Exception {
        int k = 7;
        double[][] s = randomScores(Seeds.derive(4, "sinkhorn-test"), 12, k, 1);
        CyclicBarrier barrier = new CyclicBarrier(2);
        double[][][] exchange = new double[2][][];
        class Shard implements Sinkhorn.Reducer {
            final int rank;
            final NDManager m;

            Shard(int rank, NDManager m) {
                this.rank = rank;
                this.m = m;
            }

            private double[][] swap(NDArray local) {
                try {
                    synchronized (exchange) {
                        exchange[rank] = new double[][] {local.toDoubleArray()};
                    }
                    barrier.await();
                    double[][] both;
                    synchronized (exchange) {
                        both = new double[][] {exchange[0][0], exchange[1][0]};
                    }
                    barrier.await();
                    return both;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public NDArray sum(NDArray local) {
                double[][] both = swap(local);
                double[] out = new double[both[0].length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = both[0][i] + both[1][i];
                }
                return local.getManager().create(out, local.getShape());
            }

            @Override
            public NDArray max(NDArray local) {
                double[][] both = swap(local);
                double[] out = new double[both[0].length];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Math.max(both[0][i], both[1][i]);
                }
                return local.getManager().create(out, local.getShape());
            }

            @Override
            public long globalBatch(long localBatch) {
                return 12;
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (NDManager m = NDManager.newBaseManager()) {
            double[] expected =
                    Sinkhorn.codes(m.create(flat(s), new Shape(12, k)), 0.05, 3).toDoubleArray();
            Future<double[]>[] parts = new Future[2];
            for (int r = 0; r < 2; r++) {
                int rank = r;
                int rows = rank == 0 ? 5 : 7; // unequal shards
                int from = rank == 0 ? 0 : 5;
                parts[r] =
                        pool.submit(
                                () -> {
                                    try (NDManager local = NDManager.newBaseManager()) {
                                        double[][] mine =
                                                java.util.Arrays.copyOfRange(s, from, from + rows);
                                        NDArray shard =
                                                local.create(flat(mine), new Shape(rows, k));
                                        return Sinkhorn.codes(
                                                        shard, 0.05, 3, new Shard(rank, local))
                                                .toDoubleArray();
                                    }
                                });
            }
            double[] a = parts[0].get();
            double[] b = parts[1].get();
            double[] joined = new double[a.length + b.length];
            System.arraycopy(a, 0, joined, 0, a.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            Fixtures.assertClose(expected, joined, 1e-12, "sharded codes");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void entropyIsLogKForUniformAndMatchesNaiveSum() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray uniform = m.create(new double[] {.2, .2, .2, .2, .2}, new Shape(1, 5));
            assertEquals(Math.log(5), Sinkhorn.entropy(uniform).getDouble(), 1e-12);
            NDArray oneHot = m.create(new double[][] {{1, 0, 0}, {0, 0, 1}});
            assertEquals(0.0, Sinkhorn.entropy(oneHot).getDouble(), 1e-12);
            double[][] s = randomScores(Seeds.derive(5, "sinkhorn-test"), 6, 4, 1);
            NDArray q = Sinkhorn.codes(m.create(flat(s), new Shape(6, 4)), 0.05, 3);
            double[] v = q.toDoubleArray();
            double h = 0;
            for (double x : v) {
                h -= x > 0 ? x * Math.log(x) : 0;
            }
            assertEquals(h / 6, Sinkhorn.entropy(q).getDouble(), 1e-12);
        }
    }

    @Test
    void keepsTemporariesOutOfTheCallersManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.randomNormal(new Shape(8, 5));
            int before = m.getManagedArrays().size();
            Sinkhorn.codes(s, 0.05, 3).close();
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void rejectsBadArgumentsNamingTheValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.ones(new Shape(2, 3));
            Fixtures.assertRejects(
                    "epsilon must be finite and > 0, got 0.0", () -> Sinkhorn.codes(s, 0, 3));
            Fixtures.assertRejects(
                    "iterations must be >= 1, got 0", () -> Sinkhorn.codes(s, 0.05, 0));
            Fixtures.assertRejects(
                    "scores must be [B, K], got shape (2, 3, 1)",
                    () -> Sinkhorn.codes(m.ones(new Shape(2, 3, 1)), 0.05, 3));
            Fixtures.assertRejects(
                    "scores must be FLOAT32 or FLOAT64, got int32",
                    () -> Sinkhorn.codes(m.ones(new Shape(2, 3), DataType.INT32), 0.05, 3));
        }
    }

    @Test
    void expDomainFastPathEqualsTheLogDomain() {
        // an identity reducer that is not LOCAL forces the log domain
        Sinkhorn.Reducer logDomain =
                new Sinkhorn.Reducer() {
                    @Override
                    public NDArray sum(NDArray local) {
                        return local;
                    }

                    @Override
                    public NDArray max(NDArray local) {
                        return local;
                    }

                    @Override
                    public long globalBatch(long localBatch) {
                        return localBatch;
                    }
                };
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            for (float scale : new float[] {0.1f, 1f, 1.9f}) {
                NDArray s = m.randomUniform(-scale, scale, new ai.djl.ndarray.types.Shape(64, 30));
                float[] fast = Sinkhorn.codes(s, 0.05, 3).toFloatArray();
                float[] exact = Sinkhorn.codes(s, 0.05, 3, logDomain).toFloatArray();
                for (int i = 0; i < fast.length; i++) {
                    assertEquals(
                            exact[i],
                            fast[i],
                            1e-6f + 1e-5f * Math.abs(exact[i]),
                            "scale " + scale + " at " + i);
                }
            }
        }
    }
}
