package dev.selfsup.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A labelled image set, already transformed for a backbone, that {@link FeatureExtractor} reads in
 * order. Evaluation transforms are deterministic, so the same range always gives the same pixels;
 * that is what makes features cacheable ({@link FeatureCache}).
 */
public interface FeatureSource {
    /**
     * Number of images.
     *
     * @return N, {@code >= 0}
     */
    int size();

    /**
     * Images {@code [from, to)}, ready for the backbone.
     *
     * @param manager where to create the array
     * @param from first index, in [0, size]
     * @param to one past the last, in [from, size]
     * @return {@code [to − from, C, H, W]} float32
     */
    NDArray images(NDManager manager, int from, int to);

    /**
     * All labels, in image order.
     *
     * @return N labels, each {@code >= 0}
     */
    int[] labels();

    /**
     * Identifies the images and labels: dataset, split and content (a name alone is not enough when
     * files can change). Part of the feature cache key.
     *
     * @return a stable string
     */
    String cacheKey();

    /**
     * Describes the evaluation transform (resize, crop, padding, normalisation, channels). Part of
     * the feature cache key.
     *
     * @return a stable string; {@code "none"} by default
     */
    default String transformDescription() {
        return "none";
    }
}
