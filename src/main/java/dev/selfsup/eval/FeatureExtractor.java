package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;

/** Runs a frozen backbone over a {@link FeatureSource} to get one feature row per image. */
public final class FeatureExtractor {
    private FeatureExtractor() {}

    /**
     * Extracts features batch by batch with the backbone in eval mode ({@code training = false}:
     * BatchNorm on running statistics, no dropout) and autograd off, so no graph is recorded even
     * inside an open {@code GradientCollector}; the thread's grad mode is restored afterwards.
     *
     * @param backbone an initialised block mapping [B, C, H, W] to [B, F]
     * @param source the images, in order
     * @param batchSize images per forward pass, {@code >= 1}
     * @param manager where the result is created (and its device)
     * @return features [N, F] float32 and labels [N] int64, on {@code manager}
     * @throws IllegalArgumentException if the backbone is not initialised, the batch size is below
     *     1, or the source's labels do not match its size
     * @throws IllegalStateException if the backbone does not return one [B, F] array
     */
    public static Features extract(
            Block backbone, FeatureSource source, int batchSize, NDManager manager) {
        checkArgument(batchSize >= 1, "batchSize must be >= 1, got %s", batchSize);
        checkArgument(
                backbone.isInitialized(),
                "backbone %s is not initialised: call block.initialize(manager, FLOAT32, inputShape)",
                backbone.getClass().getSimpleName());
        int n = source.size();
        int[] labels = source.labels();
        checkArgument(n >= 1, "source %s is empty", source.cacheKey());
        checkArgument(labels.length == n, "source has %s images but %s labels", n, labels.length);
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        NDArray features = null;
        try {
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                try (NDManager batch = manager.newSubManager()) {
                    NDArray images = source.images(batch, from, to);
                    checkState(
                            images.getShape().dimension() >= 2
                                    && images.getShape().get(0) == to - from,
                            "source returned %s for images [%s, %s)",
                            images.getShape(),
                            from,
                            to);
                    NDList out =
                            backbone.forward(
                                    new ParameterStore(batch, false), new NDList(images), false);
                    checkState(
                            out.size() == 1,
                            "backbone returned %s arrays, expected one [B, F]",
                            out.size());
                    NDArray f = out.get(0);
                    checkState(
                            f.getShape().dimension() == 2 && f.getShape().get(0) == to - from,
                            "backbone returned %s for a batch of %s, expected [B, F]",
                            f.getShape(),
                            to - from);
                    if (features == null) {
                        features =
                                manager.zeros(new Shape(n, f.getShape().get(1)), DataType.FLOAT32);
                    }
                    checkState(
                            f.getShape().get(1) == features.getShape().get(1),
                            "feature width changed from %s to %s",
                            features.getShape().get(1),
                            f.getShape().get(1));
                    features.set(new NDIndex("{}:{}", from, to), f.toType(DataType.FLOAT32, false));
                }
            }
        } catch (RuntimeException e) {
            if (features != null) {
                features.close();
            }
            throw e;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = labels[i];
        }
        return new Features(features, manager.create(l));
    }
}
