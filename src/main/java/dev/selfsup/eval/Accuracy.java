package dev.selfsup.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Top-1 / top-5 counting shared by the kNN and linear evaluations. */
final class Accuracy {
    private Accuracy() {}

    /**
     * Number of rows whose true label is the highest score, and among the five highest.
     *
     * <p>Top-5 becomes top-C when there are fewer than five classes. Ties are broken as {@code
     * torch.topk} does, which is what the reference evaluation scripts count.
     *
     * @param scores class scores, [M, C]
     * @param truth true labels, [M], int64
     * @param positiveOnly count a hit only where the score is {@code > 0}: kNN classes without a
     *     single neighbour vote have score 0 and are tied, so whether one of them is "in the top 5"
     *     would depend on tie-breaking
     * @return {hits@1, hits@5} as counts
     */
    static long[] hits(NDArray scores, NDArray truth, boolean positiveOnly) {
        int classes = (int) scores.getShape().get(1);
        try (NDManager scope = scores.getManager().newSubManager()) {
            scope.tempAttachAll(scores, truth);
            NDList top = scores.topK(Math.min(5, classes), 1, true, true); // [M, 5] values, indices
            NDArray match = top.get(1).eq(truth.toType(DataType.INT64, false).expandDims(1));
            if (positiveOnly) {
                match = match.logicalAnd(top.get(0).gt(0));
            }
            long top1 = match.get(":, 0").toType(DataType.INT64, false).sum().getLong();
            // each class appears once among the top indices, so a row matches at most once
            long top5 = match.toType(DataType.INT64, false).sum().getLong();
            return new long[] {top1, top5};
        }
    }

    /**
     * Top-1 and top-5 accuracy in percent.
     *
     * @param scores class scores, [M, C]
     * @param truth true labels, [M]
     * @param positiveOnly count a hit only where the score is {@code > 0} (kNN votes)
     * @return {top-1 %, top-5 %}
     */
    static double[] topOneAndFive(NDArray scores, NDArray truth, boolean positiveOnly) {
        long m = scores.getShape().get(0);
        long[] hits = hits(scores, truth, positiveOnly);
        return new double[] {100.0 * hits[0] / m, 100.0 * hits[1] / m};
    }
}
