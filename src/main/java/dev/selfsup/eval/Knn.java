package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Weighted k-nearest-neighbour classification on frozen features (METHODS.md §10; Wu et al. 2018,
 * as used by InstDisc, MoCo's and DINO's kNN monitors).
 *
 * <p>Features are L2-normalised inside; the k training features with the highest cosine similarity
 * to a query vote for their class with weight {@code exp(sim / T)}; the class with the largest
 * summed vote wins (ties: the lowest class index, as {@code torch.argmax}).
 *
 * <p><b>Memory.</b> Queries are processed {@link Chunking#queries()} at a time and the training set
 * {@link Chunking#trainRows()} rows at a time, keeping a running top-k per query that is merged
 * across training chunks. Beyond the inputs themselves, the peak is about
 *
 * <pre>
 *   4 B × ( q·t            similarity block
 *         + t·F            training chunk as float32 (only when the input is not float32)
 *         + q·F + N        normalised queries, inverse training norms
 *         + 3·q·(t' + k)   running and chunk top-k: values (4 B) and indices (8 B), t' = min(t, k)
 *         + 2·min(q·k·C, 2^24)  one-hot vote block and its weighted copy, in query slices
 *         + (|ks| + 1)·q·C )   votes per k
 * </pre>
 *
 * with q, t the chunk sizes, k the largest requested k, F the feature width, N the training set
 * size and C the class count. The defaults (q = 1024, t = 32768) give about 0.6 GB for ImageNet
 * with float32 features (N = 1.28 M, F = 2048, C = 1000, k = 200: 128 MB similarity block, 8 MB
 * queries, 5 MB norms, 128 MB one-hot, 12 MB votes per k) plus 256 MB when the features are stored
 * as float16, independent of N and of the number of queries: 1.28 M × 50 k runs as 49 query chunks
 * × 40 training chunks. The caller's feature arrays themselves (10.5 GB for 1.28 M × 2048 float32,
 * half in float16) are not copied.
 */
public final class Knn {
    /** The default number of neighbours, 20 (InstDisc, MoCo v2 monitors; also report 200). */
    public static final int DEFAULT_K = 20;

    /** The default vote temperature T, 0.07. */
    public static final double DEFAULT_TEMPERATURE = 0.07;

    /** One-hot vote blocks are limited to this many elements (64 MB of float32) per slice. */
    static final long VOTE_BLOCK = 1L << 24;

    private Knn() {}

    /**
     * How many queries and training rows are processed at once; see the class javadoc for the
     * memory formula.
     *
     * @param queries query rows per chunk, {@code >= 1}
     * @param trainRows training rows per chunk, {@code >= 1}
     */
    public record Chunking(int queries, int trainRows) {
        /**
         * Validates both sizes.
         *
         * @param queries query rows per chunk, {@code >= 1}
         * @param trainRows training rows per chunk, {@code >= 1}
         */
        public Chunking {
            checkArgument(queries >= 1, "queries per chunk must be >= 1, got %s", queries);
            checkArgument(
                    trainRows >= 1, "training rows per chunk must be >= 1, got %s", trainRows);
        }

        /**
         * 1024 queries × 32768 training rows: a 128 MB similarity block.
         *
         * @return the default chunking
         */
        public static Chunking defaults() {
            return new Chunking(1024, 32768);
        }

        /**
         * Everything in one block: for small sets and as the reference in tests.
         *
         * @return chunking that never splits
         */
        public static Chunking unchunked() {
            return new Chunking(Integer.MAX_VALUE, Integer.MAX_VALUE);
        }
    }

    /**
     * Top-1 and top-5 accuracy of the weighted kNN classifier for one k.
     *
     * @param k neighbours
     * @param temperature vote temperature T
     * @param top1 top-1 accuracy in percent
     * @param top5 top-5 accuracy in percent: the true class is among the five highest votes and got
     *     at least one neighbour's vote (so with k {@literal <} 5 only the voted classes can count)
     * @param queries number of test features scored
     */
    public record Score(int k, double temperature, double top1, double top5, int queries) {}

    /**
     * Predicts a label for each test feature by the weighted vote of its k nearest training
     * features.
     *
     * @param trainFeatures training features, [N, F], any float type, not normalised
     * @param trainLabels training labels, [N], integer, in [0, numClasses)
     * @param testFeatures query features, [M, F]
     * @param k neighbours, in [1, N] (default {@value #DEFAULT_K})
     * @param temperature vote temperature T, {@code > 0} (default 0.07)
     * @param numClasses number of classes C, {@code >= 1}
     * @return predicted labels, [M], int64, on the manager of {@code testFeatures}
     * @throws IllegalArgumentException if a shape, label or argument is out of range
     */
    public static NDArray classify(
            NDArray trainFeatures,
            NDArray trainLabels,
            NDArray testFeatures,
            int k,
            double temperature,
            int numClasses) {
        NDManager out = testFeatures.getManager();
        try (NDManager scope = out.newSubManager()) {
            NDArray votes =
                    votes(
                                    trainFeatures,
                                    trainLabels,
                                    testFeatures,
                                    new int[] {k},
                                    temperature,
                                    numClasses,
                                    Chunking.defaults(),
                                    scope)
                            .get(0);
            NDArray predicted = votes.argMax(1).toType(DataType.INT64, false);
            predicted.attach(out);
            return predicted;
        }
    }

    /**
     * The class votes {@code Σ exp(sim / T)} over the k nearest neighbours, for several k in one
     * pass over the training set.
     *
     * @param trainFeatures training features, [N, F]
     * @param trainLabels training labels, [N], integer, in [0, numClasses)
     * @param testFeatures query features, [M, F]
     * @param ks neighbour counts, each in [1, N]
     * @param temperature vote temperature T, {@code > 0}
     * @param numClasses number of classes C
     * @param chunking chunk sizes (results do not depend on them beyond float rounding)
     * @param manager where the results are created
     * @return one [M, C] float32 vote array per entry of {@code ks}, in the same order
     * @throws IllegalArgumentException if a shape, label or argument is out of range
     */
    public static NDList votes(
            NDArray trainFeatures,
            NDArray trainLabels,
            NDArray testFeatures,
            int[] ks,
            double temperature,
            int numClasses,
            Chunking chunking,
            NDManager manager) {
        int n = checkInputs(trainFeatures, trainLabels, testFeatures, ks, temperature, numClasses);
        int m = (int) testFeatures.getShape().get(0);
        int kMax = Arrays.stream(ks).max().orElseThrow();
        int[] order = KnnKernels.sortedDistinct(ks);
        List<List<NDArray>> perK = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            perK.add(new ArrayList<>());
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray labels = trainLabels.toType(DataType.INT64, true);
            labels.attach(scope);
            NDArray inverseNorms =
                    KnnKernels.inverseNorms(trainFeatures, chunking.trainRows(), scope);
            for (int from = 0; from < m; from = KnnKernels.end(from, chunking.queries(), m)) {
                int to = KnnKernels.end(from, chunking.queries(), m);
                try (NDManager chunk = scope.newSubManager()) {
                    NDList top =
                            KnnKernels.topK(
                                    trainFeatures,
                                    inverseNorms,
                                    testFeatures.get(new NDIndex("{}:{}", from, to)),
                                    kMax,
                                    chunking.trainRows(),
                                    chunk);
                    NDArray weights = top.get(0).div(temperature).exp(); // [q, kMax], sorted desc
                    NDArray neighbourLabels = labels.take(chunk, top.get(1)); // [q, kMax]
                    NDList votes =
                            KnnKernels.cumulativeVotes(weights, neighbourLabels, order, numClasses);
                    for (int i = 0; i < order.length; i++) {
                        NDArray v = votes.get(i);
                        v.attach(manager);
                        perK.get(i).add(v);
                    }
                }
            }
        }
        NDList result = new NDList(ks.length);
        List<NDArray> joined = new ArrayList<>();
        for (List<NDArray> parts : perK) {
            NDArray all = parts.size() == 1 ? parts.get(0) : KnnKernels.concatRows(parts);
            joined.add(all);
            if (parts.size() > 1) {
                parts.forEach(NDArray::close);
            }
        }
        for (int k : ks) {
            result.add(joined.get(Arrays.binarySearch(order, k)));
        }
        return result;
    }

    /**
     * Top-1 and top-5 accuracy of the weighted kNN classifier for several k in one pass.
     *
     * @param trainFeatures training features, [N, F]
     * @param trainLabels training labels, [N]
     * @param testFeatures query features, [M, F]
     * @param testLabels query labels, [M]
     * @param ks neighbour counts, each in [1, N], e.g. {20, 200}
     * @param temperature vote temperature T (default 0.07)
     * @param numClasses number of classes C
     * @return one score per entry of {@code ks}, in the same order
     * @throws IllegalArgumentException if a shape, label or argument is out of range
     */
    public static List<Score> evaluate(
            NDArray trainFeatures,
            NDArray trainLabels,
            NDArray testFeatures,
            NDArray testLabels,
            int[] ks,
            double temperature,
            int numClasses) {
        return evaluate(
                trainFeatures,
                trainLabels,
                testFeatures,
                testLabels,
                ks,
                temperature,
                numClasses,
                Chunking.defaults());
    }

    /**
     * {@link #evaluate(NDArray, NDArray, NDArray, NDArray, int[], double, int)} with explicit chunk
     * sizes.
     *
     * @param trainFeatures training features, [N, F]
     * @param trainLabels training labels, [N]
     * @param testFeatures query features, [M, F]
     * @param testLabels query labels, [M]
     * @param ks neighbour counts, each in [1, N]
     * @param temperature vote temperature T
     * @param numClasses number of classes C
     * @param chunking chunk sizes
     * @return one score per entry of {@code ks}, in the same order
     */
    public static List<Score> evaluate(
            NDArray trainFeatures,
            NDArray trainLabels,
            NDArray testFeatures,
            NDArray testLabels,
            int[] ks,
            double temperature,
            int numClasses,
            Chunking chunking) {
        int m = (int) testFeatures.getShape().get(0);
        checkArgument(
                testLabels.getShape().dimension() == 1 && testLabels.getShape().get(0) == m,
                "testLabels must be [%s] to match testFeatures, got %s",
                m,
                testLabels.getShape());
        List<Score> scores = new ArrayList<>();
        try (NDManager scope = testFeatures.getManager().newSubManager()) {
            NDList votes =
                    votes(
                            trainFeatures,
                            trainLabels,
                            testFeatures,
                            ks,
                            temperature,
                            numClasses,
                            chunking,
                            scope);
            NDArray truth = testLabels.toType(DataType.INT64, true);
            truth.attach(scope);
            for (int i = 0; i < ks.length; i++) {
                double[] top = Accuracy.topOneAndFive(votes.get(i), truth, true);
                scores.add(new Score(ks[i], temperature, top[0], top[1], m));
            }
        }
        return scores;
    }

    private static int checkInputs(
            NDArray trainFeatures,
            NDArray trainLabels,
            NDArray testFeatures,
            int[] ks,
            double temperature,
            int numClasses) {
        checkArgument(
                trainFeatures.getShape().dimension() == 2,
                "trainFeatures must be [N, F], got %s",
                trainFeatures.getShape());
        checkArgument(
                testFeatures.getShape().dimension() == 2,
                "testFeatures must be [M, F], got %s",
                testFeatures.getShape());
        long n = trainFeatures.getShape().get(0);
        checkArgument(
                testFeatures.getShape().get(1) == trainFeatures.getShape().get(1),
                "feature widths differ: train %s, test %s",
                trainFeatures.getShape(),
                testFeatures.getShape());
        checkArgument(
                trainLabels.getShape().dimension() == 1 && trainLabels.getShape().get(0) == n,
                "trainLabels must be [%s] to match trainFeatures, got %s",
                n,
                trainLabels.getShape());
        checkArgument(n >= 1, "the training set is empty: %s", trainFeatures.getShape());
        checkArgument(ks.length >= 1, "ks must hold at least one k, got %s", Arrays.toString(ks));
        for (int k : ks) {
            checkArgument(k >= 1 && k <= n, "k must be in [1, N = %s], got %s", n, k);
        }
        checkArgument(
                temperature > 0 && Double.isFinite(temperature),
                "temperature must be > 0, got %s",
                temperature);
        checkArgument(numClasses >= 1, "numClasses must be >= 1, got %s", numClasses);
        checkArgument(
                trainLabels.getDataType().isInteger(),
                "trainLabels must be integers, got %s",
                trainLabels.getDataType());
        try (NDManager scope = trainLabels.getManager().newSubManager()) {
            scope.tempAttachAll(trainLabels);
            long min = trainLabels.min().toType(DataType.INT64, false).getLong();
            long max = trainLabels.max().toType(DataType.INT64, false).getLong();
            checkArgument(
                    min >= 0 && max < numClasses,
                    "trainLabels must be in [0, %s), got values in [%s, %s]",
                    numClasses,
                    min,
                    max);
        }
        return (int) n;
    }

    /** 1 / max(‖x_i‖, 1e-12) for each training row, as {@code F.normalize}; [N] float32. */
}
