package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Extracted features and their labels; closing it frees both arrays.
 *
 * <p>Holds NDArrays, so keep it in try-with-resources or on a manager you close: it is an
 * evaluation input, not something to store in a record or a metric.
 */
public final class Features implements AutoCloseable {
    private final NDArray features;
    private final NDArray labels;

    /**
     * Pairs features with labels.
     *
     * @param features [N, F] float32
     * @param labels [N] int64
     * @throws IllegalArgumentException if the shapes or types do not match
     */
    public Features(NDArray features, NDArray labels) {
        checkArgument(
                features.getShape().dimension() == 2,
                "features must be [N, F], got %s",
                features.getShape());
        checkArgument(
                labels.getShape().dimension() == 1
                        && labels.getShape().get(0) == features.getShape().get(0),
                "labels must be [%s], got %s",
                features.getShape().get(0),
                labels.getShape());
        checkArgument(
                labels.getDataType() == DataType.INT64,
                "labels must be int64, got %s",
                labels.getDataType());
        this.features = features;
        this.labels = labels;
    }

    /**
     * The features.
     *
     * @return [N, F] float32
     */
    public NDArray features() {
        return features;
    }

    /**
     * The labels.
     *
     * @return [N] int64
     */
    public NDArray labels() {
        return labels;
    }

    /**
     * Number of rows.
     *
     * @return N
     */
    public int size() {
        return (int) features.getShape().get(0);
    }

    /**
     * Feature width.
     *
     * @return F
     */
    public int dim() {
        return (int) features.getShape().get(1);
    }

    /** Frees both arrays. */
    @Override
    public void close() {
        features.close();
        labels.close();
    }
}
