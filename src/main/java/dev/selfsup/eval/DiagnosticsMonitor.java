package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.method.Method;
import java.io.IOException;
import java.util.LinkedHashMap;
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

    private final FixedViews views;
    private final int batch;
    private final int everySteps;
    private final boolean pairScores;
    private final RankWatch backboneRank;
    private final RankWatch projectorRank;

    private DiagnosticsMonitor(Builder b, FixedViews views) {
        this.views = views;
        this.batch = b.batch;
        this.everySteps = b.everySteps;
        this.pairScores = b.pairScores;
        this.backboneRank = new RankWatch("backbone", b.rankWarnFraction, b.rankWarnDrop);
        this.projectorRank = new RankWatch("projector", b.rankWarnFraction, b.rankWarnDrop);
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
        return views.labelled();
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
            NDArray images = views.images(scope); // [2B, 3, S, S]
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
            values.put("rankme_backbone", rank(backboneRank, h1, step));
            values.put("rankme_projector", rank(projectorRank, z1, step));
            if (pairScores) {
                EmbeddingDiagnostics.PairScores s = EmbeddingDiagnostics.pairScores(z1, z2);
                values.put("pos_score_mean", s.positiveMean());
                values.put("pos_score_var", s.positiveVariance());
                values.put("neg_score_mean", s.negativeMean());
                values.put("neg_score_var", s.negativeVariance());
            }
            if (labelled()) {
                NDArray l = views.labels(scope);
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

    /** RankMe of one embedding; logs the watch's warning when the rank collapses. */
    private static double rank(RankWatch watch, NDArray x, long step) {
        double rank = EmbeddingDiagnostics.effectiveRank(x);
        long ceiling = Math.min(x.getShape().get(0), x.getShape().get(1));
        watch.record(rank, ceiling, step).ifPresent(LOG::warn);
        return rank;
    }

    /**
     * Whether the last measurement found the backbone's and the projector's rank collapsed.
     *
     * @return {backbone, projector}
     */
    boolean[] collapsed() {
        return new boolean[] {backboneRank.collapsed(), projectorRank.collapsed()};
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
            FixedViews views = FixedViews.draw(dataset, transform, batch, seed);
            if (!views.labelled()) {
                LOG.info(
                        "diagnostics: {} has no labels, so tolerance is not logged",
                        dataset.name());
            }
            return new DiagnosticsMonitor(this, views);
        }
    }
}
