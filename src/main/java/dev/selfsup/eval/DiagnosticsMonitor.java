package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.Loader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.data.ValidationSplit;
import dev.selfsup.method.Method;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EmbeddingDiagnostics} during pretraining, every N optimiser steps, on one fixed batch: B
 * training images with two augmented views each, cut once from a seed and kept on the host, so
 * successive measurements differ only by the model. The views go through the backbone and the
 * projection head in eval mode with autograd off, and the monitor measures (the trainer's hook
 * around it, {@code run.DiagnosticsObserver}, logs them with kind {@code diagnostics}):
 *
 * <ul>
 *   <li>{@code alignment_*}, {@code uniformity_*}: Wang &amp; Isola's alignment of the two views
 *       and uniformity (the mean over both views, as their reference code does), of the
 *       L2-normalised backbone features ({@code _backbone}) and projector outputs ({@code
 *       _projector});
 *   <li>{@code rankme_*}: RankMe of the first views' [B, F] features and [B, D] projector outputs,
 *       at most min(B, width); a WARNING is logged when it falls below {@code rankWarnFraction} of
 *       that ceiling or by more than {@code rankWarnDrop} from its maximum so far in this session
 *       (dimensional collapse). The untrained network's rank (step 0) does not count towards that
 *       maximum: training commonly lowers it at first;
 *   <li>{@code pos_score_*}, {@code neg_score_*}: mean and variance of the cosine scores of the
 *       positive pairs and of the in-batch negatives of the projector outputs, for contrastive
 *       methods ({@link Builder#optPairScores});
 *   <li>{@code tolerance_*}: Wang &amp; Liu's tolerance, the mean cosine of first views of the same
 *       class — only when the images have labels, so it is not a label-free number.
 * </ul>
 *
 * <p>Memory: the views are kept as float32 on the host, B × 2 × 3 × S² × 4 bytes (4.8 MB for 256
 * Fashion-MNIST images at 28 px, 154 MB per 256 images at 224 px: use a smaller batch there).
 */
public final class DiagnosticsMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(DiagnosticsMonitor.class);

    private final float[] views; // [2B, 3, S, S]: all first views, then all second views
    private final Shape shape;
    private final long[] labels; // empty when unlabelled
    private final int batch;
    private final int everySteps;
    private final boolean pairScores;
    private final double rankWarnFraction;
    private final double rankWarnDrop;
    private final double[] maxRank = new double[2]; // backbone, projector
    private final boolean[] collapsed = new boolean[2];

    private DiagnosticsMonitor(Builder b, float[] views, Shape shape, long[] labels) {
        this.views = views;
        this.shape = shape;
        this.labels = labels;
        this.batch = b.batch;
        this.everySteps = b.everySteps;
        this.pairScores = b.pairScores;
        this.rankWarnFraction = b.rankWarnFraction;
        this.rankWarnDrop = b.rankWarnDrop;
    }

    /**
     * A builder; dataset, transform and interval are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Images in the fixed batch.
     *
     * @return B
     */
    public int batchSize() {
        return batch;
    }

    /**
     * Whether the fixed batch has class labels (and tolerance is logged).
     *
     * @return true when every image is labelled
     */
    public boolean labelled() {
        return labels.length > 0;
    }

    /**
     * Whether a step is measured: every {@code everySteps}-th, starting with step 0.
     *
     * @param step the optimiser iteration just done
     * @return true on measured steps
     */
    public boolean measures(long step) {
        return step % everySteps == 0;
    }

    /**
     * Whether pair scores are measured ({@link Builder#optPairScores}).
     *
     * @return true for contrastive methods
     */
    public boolean pairScores() {
        return pairScores;
    }

    /**
     * Measures the fixed batch with the method's backbone and head (eval mode, autograd off); also
     * warns when the rank collapses (see the class comment).
     *
     * @param method the method being trained (read, not trained)
     * @param step the optimiser iteration just done, named in the warning
     * @param scope a manager for temporaries, e.g. a sub-manager on the training device; the caller
     *     closes it
     * @return metric name → value, in a fixed order
     */
    public Map<String, Double> measure(Method method, long step, NDManager scope) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        Map<String, Double> values = new LinkedHashMap<>();
        try {
            ParameterStore ps = new ParameterStore(scope, false);
            NDArray images = scope.create(views, shape); // [2B, 3, S, S]
            // one view at a time: half the activation memory of a [2B] pass, the same numbers
            NDArray h1 = features(method, ps, images.get("0:{}", batch)); // [B, F]
            NDArray h2 = features(method, ps, images.get("{}:", batch));
            NDArray z1 =
                    method.head().forward(ps, new NDList(h1), false).singletonOrThrow(); // [B, D]
            NDArray z2 = method.head().forward(ps, new NDList(h2), false).singletonOrThrow();
            values.put("alignment_backbone", EmbeddingDiagnostics.alignment(h1, h2));
            values.put(
                    "uniformity_backbone",
                    (EmbeddingDiagnostics.uniformity(h1) + EmbeddingDiagnostics.uniformity(h2))
                            / 2);
            values.put("alignment_projector", EmbeddingDiagnostics.alignment(z1, z2));
            values.put(
                    "uniformity_projector",
                    (EmbeddingDiagnostics.uniformity(z1) + EmbeddingDiagnostics.uniformity(z2))
                            / 2);
            values.put("rankme_backbone", rank(0, "backbone", h1, step));
            values.put("rankme_projector", rank(1, "projector", z1, step));
            if (pairScores) {
                EmbeddingDiagnostics.PairScores s = EmbeddingDiagnostics.pairScores(z1, z2);
                values.put("pos_score_mean", s.positiveMean());
                values.put("pos_score_var", s.positiveVariance());
                values.put("neg_score_mean", s.negativeMean());
                values.put("neg_score_var", s.negativeVariance());
            }
            if (labelled()) {
                NDArray l = scope.create(labels);
                values.put("tolerance_backbone", EmbeddingDiagnostics.tolerance(h1, l));
                values.put("tolerance_projector", EmbeddingDiagnostics.tolerance(z1, l));
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        return values;
    }

    private NDArray features(Method method, ParameterStore ps, NDArray images) {
        NDArray h = method.backbone().forward(ps, new NDList(images), false).singletonOrThrow();
        checkState(
                h.getShape().dimension() == 2 && h.getShape().get(0) == batch,
                "backbone returned %s for %s images, expected [B, F]",
                h.getShape(),
                batch);
        return h;
    }

    /**
     * RankMe of one embedding; logs a WARNING on entering the collapsed state (not again until it
     * recovers).
     */
    private double rank(int which, String name, NDArray x, long step) {
        double rank = EmbeddingDiagnostics.effectiveRank(x);
        long ceiling = Math.min(x.getShape().get(0), x.getShape().get(1));
        if (step > 0) { // a random network's rank is no baseline: early training lowers it
            maxRank[which] = Math.max(maxRank[which], rank);
        }
        boolean low = rank < rankWarnFraction * ceiling;
        boolean dropped = rank < (1 - rankWarnDrop) * maxRank[which];
        if ((low || dropped) && !collapsed[which]) {
            String w =
                    String.format(
                            Locale.ROOT,
                            "step %d: %s effective rank (RankMe) %.1f is %s — the embedding may be collapsing"
                                    + " (check the learning rate, temperature, augmentations and head)",
                            step,
                            name,
                            rank,
                            low
                                    ? String.format(
                                            Locale.ROOT,
                                            "below %.0f %% of its ceiling %d",
                                            100 * rankWarnFraction,
                                            ceiling)
                                    : String.format(
                                            Locale.ROOT,
                                            "%.0f %% below its maximum %.1f",
                                            100 * (1 - rank / maxRank[which]),
                                            maxRank[which]));
            LOG.warn(w);
        }
        collapsed[which] = low || dropped;
        return rank;
    }

    /**
     * Whether the last measurement found the backbone's and the projector's rank collapsed.
     *
     * @return {backbone, projector}
     */
    boolean[] collapsed() {
        return collapsed.clone();
    }

    /** Builder of a {@link DiagnosticsMonitor}. */
    public static final class Builder {
        private ImageDataset dataset;
        private MultiCrop transform;
        private int everySteps;
        private int batch = 256;
        private long seed;
        private boolean pairScores = true;
        private double rankWarnFraction = 0.01;
        private double rankWarnDrop = 0.5;

        private Builder() {}

        /**
         * Sets the training images the fixed batch is drawn from (required).
         *
         * @param value the dataset
         * @return this
         */
        public Builder setDataset(ImageDataset value) {
            dataset = value;
            return this;
        }

        /**
         * Sets the training augmentation whose first crop group cuts the two views (required): the
         * views are what the loss compares.
         *
         * @param value the training multi-crop
         * @return this
         */
        public Builder setTransform(MultiCrop value) {
            transform = value;
            return this;
        }

        /**
         * Measures every N optimiser steps, starting with step 0 (required).
         *
         * @param n steps, {@code >= 1}
         * @return this
         */
        public Builder setEverySteps(int n) {
            everySteps = n;
            return this;
        }

        /**
         * Images in the fixed batch; default 256.
         *
         * @param value B, in [2, dataset size]
         * @return this
         */
        public Builder optBatch(int value) {
            batch = value;
            return this;
        }

        /**
         * Seed of the image choice and of the views' crops and colours; default 0.
         *
         * @param value the seed
         * @return this
         */
        public Builder optSeed(long value) {
            seed = value;
            return this;
        }

        /**
         * Logs positive / negative cosine score statistics; default true. Meaningful for
         * contrastive methods (SimCLR, MoCo); SwAV compares codes, not pairs.
         *
         * @param value flag
         * @return this
         */
        public Builder optPairScores(boolean value) {
            pairScores = value;
            return this;
        }

        /**
         * Warns when RankMe falls below this share of min(B, width); default 0.01.
         *
         * @param value in (0, 1)
         * @return this
         */
        public Builder optRankWarnFraction(double value) {
            rankWarnFraction = value;
            return this;
        }

        /**
         * Warns when RankMe falls by more than this share below its maximum so far (measurements
         * after step 0); default 0.5.
         *
         * @param value in (0, 1)
         * @return this
         */
        public Builder optRankWarnDrop(double value) {
            rankWarnDrop = value;
            return this;
        }

        /**
         * Draws the fixed batch (B images by a seeded choice, two views each through the loader)
         * and keeps it on the host.
         *
         * @return the monitor
         * @throws IllegalArgumentException if a setting is missing or out of range
         * @throws IOException if an image of the batch is unreadable
         */
        public DiagnosticsMonitor build() throws IOException {
            checkArgument(dataset != null, "setDataset is required");
            checkArgument(transform != null, "setTransform is required (the training multi-crop)");
            checkArgument(
                    everySteps >= 1,
                    "setEverySteps is required and must be >= 1, got %s",
                    everySteps);
            checkArgument(
                    batch >= 2 && batch <= dataset.size(),
                    "diagnostics batch must be in [2, %s] (the dataset's size), got %s",
                    dataset.size(),
                    batch);
            checkArgument(
                    rankWarnFraction > 0 && rankWarnFraction < 1,
                    "rank warn fraction must be in (0, 1), got %s",
                    rankWarnFraction);
            checkArgument(
                    rankWarnDrop > 0 && rankWarnDrop < 1,
                    "rank warn drop must be in (0, 1), got %s",
                    rankWarnDrop);
            ImageDataset chosen = ValidationSplit.subset(dataset, batch, seed);
            MultiCrop twoViews = MultiCrop.of(transform.groups().get(0).withCount(2));
            float[] pixels;
            Shape shape;
            int[] l;
            try (Loader loader =
                            Loader.builder()
                                    .setDataset(chosen)
                                    .setTransform(twoViews)
                                    .setBatchSize(batch)
                                    .optThreads(2)
                                    .optShuffle(false)
                                    .optDropLast(false)
                                    .optSeed(seed)
                                    .optDevice(Device.cpu())
                                    .build();
                    Loader.Epoch epoch = loader.epoch(0);
                    NDManager host = NDManager.newBaseManager(Device.cpu())) {
                HostBatch b = epoch.next();
                if (epoch.skippedImages() > 0) {
                    throw new IOException(
                            chosen.name()
                                    + ": an image of the diagnostics batch is unreadable"
                                    + " (see the warning above); choose another seed or fix the file");
                }
                MultiCropBatch onHost = b.toDevice(host);
                NDArray images = onHost.groups().get(0).images(); // [2B, 3, S, S], crop-major
                pixels = images.toFloatArray();
                shape = images.getShape();
                l = b.labels();
            }
            boolean labelled = dataset.numClasses() > 0;
            for (int v : l) {
                labelled &= v >= 0;
            }
            long[] labels =
                    labelled ? java.util.Arrays.stream(l).asLongStream().toArray() : new long[0];
            if (!labelled) {
                LOG.info(
                        "diagnostics: {} has no labels, so tolerance is not logged",
                        dataset.name());
            }
            return new DiagnosticsMonitor(this, pixels, shape, labels);
        }
    }
}
