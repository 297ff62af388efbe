package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KnnTest {
    private static final double T = 0.07;

    @Test
    void votesEqualMethodsCheckValue() {
        // METHODS.md §10: sims [.9, .85, .3], labels [1, 0, 0], k = 3, T = 0.07
        // → votes [class 0, class 1] = [exp(.85/T) + exp(.3/T), exp(.9/T)] = [187820.88,
        // 383518.39].
        try (NDManager m = NDManager.newBaseManager()) {
            float s = 5f; // unnormalised on purpose: normalisation happens inside
            NDArray train =
                    m.create(
                            new float[][] {
                                {.9f * s, (float) Math.sqrt(1 - .81) * s, 0, 0},
                                {.85f * 2, 0, (float) Math.sqrt(1 - .85 * .85) * 2, 0},
                                {.3f, 0, 0, (float) Math.sqrt(1 - .09)}
                            });
            NDArray labels = m.create(new long[] {1, 0, 0});
            NDArray query = m.create(new float[][] {{3, 0, 0, 0}});
            NDList votes =
                    Knn.votes(
                            train, labels, query, new int[] {3}, T, 2, Knn.Chunking.defaults(), m);
            float[] v = votes.get(0).toFloatArray();
            // float32 sims carry ~6e-8 error, amplified by exp(s/T)/T: 0.5 absolute is ~1e-6
            // relative
            assertEquals(187820.88, v[0], 0.5);
            assertEquals(383518.39, v[1], 0.5);
            NDArray predicted = Knn.classify(train, labels, query, 3, T, 2);
            assertEquals(DataType.INT64, predicted.getDataType());
            assertEquals(new Shape(1), predicted.getShape());
            assertEquals(1L, predicted.getLong(0), "class 1 wins: 383518 > 187821");
            // with k = 2 class 1 still wins (exp(.9/T) > exp(.85/T)); k = 3 keeps class 1
            assertEquals(1L, Knn.classify(train, labels, query, 2, T, 2).getLong(0));
        }
    }

    @Test
    void matchesNaiveJavaForSeveralKChunkedAndUnchunked() {
        int n = 500, f = 16, q = 61, c = 7;
        int[] ks = {200, 1, 5, 20};
        SplittableRandom rng = new SplittableRandom(7);
        float[][] train = gaussian(rng, n, f);
        float[][] test = gaussian(rng, q, f);
        long[] trainLabels = IntStream.range(0, n).mapToLong(i -> rng.nextInt(c)).toArray();
        long[] testLabels = IntStream.range(0, q).mapToLong(i -> rng.nextInt(c)).toArray();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tr = m.create(train);
            NDArray te = m.create(test);
            NDArray trl = m.create(trainLabels);
            NDArray tel = m.create(testLabels);
            for (Knn.Chunking chunking :
                    List.of(
                            Knn.Chunking.unchunked(),
                            new Knn.Chunking(7, 33), // uneven tails, chunk < k = 200
                            new Knn.Chunking(16, 500),
                            Knn.Chunking.defaults())) {
                NDList votes = Knn.votes(tr, trl, te, ks, T, c, chunking, m);
                List<Knn.Score> scores = Knn.evaluate(tr, trl, te, tel, ks, T, c, chunking);
                for (int i = 0; i < ks.length; i++) {
                    double[][] expected = naiveVotes(train, trainLabels, test, ks[i], c);
                    float[] actual = votes.get(i).toFloatArray();
                    assertEquals(new Shape(q, c), votes.get(i).getShape());
                    for (int r = 0; r < q; r++) {
                        for (int j = 0; j < c; j++) {
                            double e = expected[r][j];
                            // float32 sims: relative error of exp(s/T) ~ 1e-6 · 1/T
                            assertEquals(
                                    e,
                                    actual[r * c + j],
                                    1e-4 * Math.max(1, e),
                                    chunking + " k=" + ks[i]);
                        }
                    }
                    int top1 = 0, top5 = 0;
                    for (int r = 0; r < q; r++) {
                        Integer[] order = rankClasses(expected[r]);
                        top1 += order[0] == testLabels[r] ? 1 : 0;
                        for (int j = 0; j < 5; j++) { // a class without votes never counts
                            top5 += order[j] == testLabels[r] && expected[r][order[j]] > 0 ? 1 : 0;
                        }
                    }
                    Knn.Score score = scores.get(i);
                    assertEquals(ks[i], score.k());
                    assertEquals(100.0 * top1 / q, score.top1(), 1e-9, chunking + " k=" + ks[i]);
                    assertEquals(100.0 * top5 / q, score.top5(), 1e-9, chunking + " k=" + ks[i]);
                }
                votes.close();
            }
            for (int k : ks) {
                long[] expected = new long[q];
                double[][] v = naiveVotes(train, trainLabels, test, k, c);
                for (int r = 0; r < q; r++) {
                    expected[r] = rankClasses(v[r])[0];
                }
                assertArrayEquals(
                        expected, Knn.classify(tr, trl, te, k, T, c).toLongArray(), "k=" + k);
            }
        }
    }

    @Test
    void float16FeaturesGiveTheSamePredictions() {
        SplittableRandom rng = new SplittableRandom(3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tr = m.create(gaussian(rng, 300, 8));
            NDArray te = m.create(gaussian(rng, 40, 8));
            NDArray labels = m.create(IntStream.range(0, 300).map(i -> i % 4).toArray());
            long[] full = Knn.classify(tr, labels, te, 20, T, 4).toLongArray();
            long[] half =
                    Knn.classify(tr.toType(DataType.FLOAT16, false), labels, te, 20, T, 4)
                            .toLongArray();
            int same = 0;
            for (int i = 0; i < full.length; i++) {
                same += full[i] == half[i] ? 1 : 0;
            }
            assertTrue(
                    same >= 38, "float16 rounding may flip a near tie, not more: " + same + "/40");
        }
    }

    @Test
    void doesNotLeakIntoTheCallersManager() {
        SplittableRandom rng = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tr = m.create(gaussian(rng, 200, 8));
            NDArray te = m.create(gaussian(rng, 30, 8));
            NDArray labels = m.create(IntStream.range(0, 200).map(i -> i % 3).toArray());
            NDArray tl = m.create(IntStream.range(0, 30).map(i -> i % 3).toArray());
            Knn.classify(tr, labels, te, 5, T, 3).close();
            Knn.evaluate(tr, labels, te, tl, new int[] {5, 20}, T, 3, new Knn.Chunking(7, 50));
            int before = m.getManagedArrays().size();
            Knn.classify(tr, labels, te, 5, T, 3).close();
            Knn.evaluate(tr, labels, te, tl, new int[] {5, 20}, T, 3, new Knn.Chunking(7, 50));
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void rejectsBadArgumentsNamingTheValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray tr = m.ones(new Shape(10, 4));
            NDArray labels = m.arange(10).toType(DataType.INT64, false);
            NDArray te = m.ones(new Shape(2, 4));
            IllegalArgumentException big =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Knn.classify(tr, labels, te, 11, T, 10));
            assertTrue(
                    big.getMessage().contains("11") && big.getMessage().contains("N = 10"),
                    big.getMessage());
            IllegalArgumentException label =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Knn.classify(tr, labels, te, 3, T, 5));
            assertTrue(label.getMessage().contains("[0, 9]"), label.getMessage());
            IllegalArgumentException temp =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Knn.classify(tr, labels, te, 3, 0, 10));
            assertTrue(temp.getMessage().contains("temperature"), temp.getMessage());
            NDArray wide = m.ones(new Shape(2, 5));
            assertThrows(
                    IllegalArgumentException.class, () -> Knn.classify(tr, labels, wide, 3, T, 10));
        }
    }

    static float[][] gaussian(SplittableRandom rng, int rows, int cols) {
        float[][] x = new float[rows][cols];
        for (float[] row : x) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) nextGaussian(rng);
            }
        }
        return x;
    }

    private static double nextGaussian(SplittableRandom rng) {
        return rng.nextGaussian();
    }

    /** Straight from the formula: cosine, sort, sum exp(sim / T) per class over the first k. */
    private static double[][] naiveVotes(
            float[][] train, long[] labels, float[][] test, int k, int c) {
        double[][] votes = new double[test.length][c];
        for (int r = 0; r < test.length; r++) {
            double[] sims = new double[train.length];
            for (int i = 0; i < train.length; i++) {
                sims[i] =
                        dot(test[r], train[i])
                                / Math.sqrt(dot(test[r], test[r]) * dot(train[i], train[i]));
            }
            Integer[] idx = IntStream.range(0, train.length).boxed().toArray(Integer[]::new);
            Arrays.sort(idx, Comparator.comparingDouble(i -> -sims[i]));
            for (int j = 0; j < k; j++) {
                votes[r][(int) labels[idx[j]]] += Math.exp(sims[idx[j]] / T);
            }
        }
        return votes;
    }

    private static Integer[] rankClasses(double[] votes) {
        Integer[] order = IntStream.range(0, votes.length).boxed().toArray(Integer[]::new);
        Arrays.sort(
                order, Comparator.comparingDouble(j -> -votes[j])); // stable: lowest index first
        return order;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
