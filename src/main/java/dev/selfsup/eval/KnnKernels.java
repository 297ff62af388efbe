package dev.selfsup.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The tensor kernels of {@link Knn}: norms, blockwise top-k and the weighted votes. */
final class KnnKernels {
    private KnnKernels() {}

    static NDArray inverseNorms(NDArray train, int rows, NDManager scope) {
        int n = (int) train.getShape().get(0);
        List<NDArray> parts = new ArrayList<>();
        for (int from = 0; from < n; from = end(from, rows, n)) {
            int to = end(from, rows, n);
            try (NDManager chunk = scope.newSubManager()) {
                NDArray x = float32(train.get(chunk, new NDIndex("{}:{}", from, to)));
                NDArray inv = x.square().sum(new int[] {1}).sqrt().maximum(1e-12f).pow(-1);
                inv.attach(scope);
                parts.add(inv);
            }
        }
        return parts.size() == 1 ? parts.get(0) : concatRows(parts);
    }

    /**
     * The kMax most similar training rows of each query, merged across training chunks.
     *
     * @return [similarities [q, kMax] sorted descending, indices [q, kMax] int64] on {@code chunk}
     */
    static NDList topK(
            NDArray train,
            NDArray inverseNorms,
            NDArray queries,
            int kMax,
            int trainRows,
            NDManager chunk) {
        int n = (int) train.getShape().get(0);
        queries.attach(chunk);
        NDArray q = float32(queries).normalize(2, 1, 1e-12);
        NDArray bestSims = null;
        NDArray bestIdx = null;
        for (int from = 0; from < n; from = end(from, trainRows, n)) {
            int to = end(from, trainRows, n);
            try (NDManager block = chunk.newSubManager()) {
                block.tempAttachAll(q); // so the similarity block dies with this training chunk
                NDArray t = float32(train.get(block, new NDIndex("{}:{}", from, to)));
                NDArray inv = inverseNorms.get(block, new NDIndex("{}:{}", from, to));
                NDArray sims = q.matMul(t.transpose()).mul(inv); // [q, t], cosine
                NDList top = sims.topK(Math.min(kMax, to - from), 1, true, true);
                NDArray sims2 = top.get(0);
                NDArray idx2 = top.get(1).add(from);
                if (bestSims != null) {
                    bestSims.attach(block);
                    bestIdx.attach(block);
                    NDArray allSims = bestSims.concat(sims2, 1);
                    NDArray allIdx = bestIdx.concat(idx2, 1);
                    NDList merged =
                            allSims.topK(
                                    (int) Math.min(kMax, allSims.getShape().get(1)), 1, true, true);
                    sims2 = merged.get(0);
                    idx2 = allIdx.gather(merged.get(1), 1);
                }
                sims2.attach(chunk);
                idx2.attach(chunk);
                bestSims = sims2;
                bestIdx = idx2;
            }
        }
        return new NDList(bestSims, bestIdx);
    }

    /**
     * Votes for each k in {@code order} (ascending), summing one-hot labels rank segment by rank
     * segment so the work is that of the largest k alone.
     */
    static NDList cumulativeVotes(NDArray weights, NDArray labels, int[] order, int numClasses) {
        NDManager chunk = weights.getManager();
        int q = (int) weights.getShape().get(0);
        NDList out = new NDList(order.length);
        NDArray running = chunk.zeros(new Shape(q, numClasses));
        int previous = 0;
        for (int k : order) {
            long width = k - previous;
            int rows = (int) Math.max(1, Math.min(q, Knn.VOTE_BLOCK / (width * numClasses)));
            List<NDArray> slices = new ArrayList<>();
            for (int from = 0; from < q; from = end(from, rows, q)) {
                int to = end(from, rows, q);
                try (NDManager slice = chunk.newSubManager()) {
                    NDIndex part = new NDIndex("{}:{}, {}:{}", from, to, previous, k);
                    NDArray oneHot = labels.get(slice, part).oneHot(numClasses); // [r, width, C]
                    NDArray w = weights.get(slice, part).expandDims(2); // [r, width, 1]
                    NDArray sum = oneHot.mul(w).sum(new int[] {1}); // [r, C]
                    sum.attach(chunk);
                    slices.add(sum);
                }
            }
            NDArray segment = slices.size() == 1 ? slices.get(0) : concatRows(slices);
            running = running.add(segment);
            out.add(running);
            previous = k;
        }
        return out;
    }

    static NDArray float32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }

    static NDArray concatRows(List<NDArray> parts) {
        return NDArrays.concat(new NDList(parts), 0);
    }

    static int end(int from, int step, int limit) {
        return (int) Math.min((long) from + step, limit);
    }

    static int[] sortedDistinct(int[] ks) {
        return Arrays.stream(ks).distinct().sorted().toArray();
    }
}
