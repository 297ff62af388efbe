package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.selfsup.internal.Scalars;
import dev.selfsup.loss.FeatureTransform;
import dev.selfsup.loss.HardNegativeMixing;
import dev.selfsup.loss.InfoNce;
import dev.selfsup.loss.NtXent;
import dev.selfsup.loss.Sampling;

/**
 * Harder negatives for the contrastive methods, in a declared order: feature transformation first
 * (METHODS.md §6: q̂, k̂ from q and k; Q̂ from the negatives), then MoCHi (§5) ranks the hardest
 * negatives by q̂·Q̂, mixes its synthetic negatives from Q̂ and q̂ and appends q̂·H to the logits
 * [q̂·k̂, q̂·Q̂ᵀ, q̂·H] / T. Each is active from its own start epoch; feature transformation draws
 * from the step's "ft" generator and MoCHi from its "mochi" generator, so enabling one does not
 * change the other's draws. With both off the loss is plain InfoNCE or NT-Xent.
 */
public final class Negatives {
    private final FeatureTransformSettings transform;
    private final MochiSettings mochi;

    /**
     * Composes the two options.
     *
     * @param transform feature transformation, applied first
     * @param mochi hard negative mixing, applied to what feature transformation gives
     */
    public Negatives(FeatureTransformSettings transform, MochiSettings mochi) {
        this.transform = java.util.Objects.requireNonNull(transform, "transform");
        this.mochi = java.util.Objects.requireNonNull(mochi, "mochi");
    }

    /**
     * MoCo's loss: InfoNCE of queries against their keys and a queue of negatives, with feature
     * transformation and then MoCHi when active at this epoch.
     *
     * @param q normalised queries [B, D]
     * @param k normalised keys [B, D], no gradient
     * @param negatives the queue [K, D], no gradient
     * @param temperature T
     * @param step where training is (epoch gates, random draws)
     * @return the scalar loss
     * @throws IllegalArgumentException if MoCHi asks for more hardest negatives than the queue
     *     holds
     */
    public NDArray infoNce(NDArray q, NDArray k, NDArray negatives, double temperature, Step step) {
        boolean ft = transform.enabled() && step.epoch() >= transform.startEpoch();
        boolean mix = mochi.enabled() && step.epoch() >= mochi.startEpoch();
        int hardest = mochi.hardest();
        checkArgument(
                !mix || hardest <= negatives.getShape().get(0),
                "MoCHi ranks the %s hardest negatives but the queue holds %s",
                hardest,
                negatives.getShape().get(0));
        if (!ft) {
            return mix
                    ? HardNegativeMixing.loss(
                            q,
                            k,
                            negatives,
                            hardest,
                            mochi.mixed(),
                            mochi.mixedWithQuery(),
                            temperature,
                            step.random("mochi"))
                    : InfoNce.loss(q, k, negatives, temperature);
        }
        FeatureTransform.Target target =
                !transform.negativeInterpolation()
                        ? FeatureTransform.Target.POSITIVE
                        : !transform.positiveExtrapolation()
                                ? FeatureTransform.Target.NEGATIVE
                                : FeatureTransform.Target.BOTH;
        FeatureTransform.Settings fts =
                new FeatureTransform.Settings(
                        target,
                        transform.positiveAlpha(),
                        transform.negativeAlpha(),
                        FeatureTransform.Granularity.PER_BATCH,
                        FeatureTransform.Granularity.PER_BATCH);
        FeatureTransform.Transformed t =
                FeatureTransform.transform(q, k, negatives, fts, step.random("ft"));
        if (!mix) {
            return FeatureTransform.loss(t, temperature);
        }
        HardNegativeMixing.Mixed h =
                HardNegativeMixing.mix(
                        t.qHat(),
                        t.negatives(),
                        hardest,
                        mochi.mixed(),
                        mochi.mixedWithQuery(),
                        step.random("mochi"));
        return FeatureTransform.loss(t, h.negatives(), temperature);
    }

    /**
     * SimCLR's loss: NT-Xent of two views, with positive extrapolation of the pair and then MoCHi
     * on each anchor's in-batch negatives when active at this epoch (negative interpolation needs a
     * queue and is refused by {@link SimClrSettings}).
     *
     * @param z1 embeddings of view 1 [B, D]
     * @param z2 embeddings of view 2 [B, D]
     * @param temperature T
     * @param step where training is (epoch gates, random draws)
     * @return the scalar loss, mean over the 2B anchors
     */
    public NDArray ntXent(NDArray z1, NDArray z2, double temperature, Step step) {
        if (transform.enabled()
                && step.epoch() >= transform.startEpoch()
                && transform.positiveExtrapolation()) {
            float lambda =
                    (float)
                            (1
                                    + Sampling.beta(
                                            step.random("ft"),
                                            transform.positiveAlpha(),
                                            transform.positiveAlpha()));
            NDArray a = Scalars.mul(z1, lambda).add(Scalars.mul(z2, 1 - lambda));
            NDArray b = Scalars.mul(z2, lambda).add(Scalars.mul(z1, 1 - lambda));
            z1 = a;
            z2 = b;
        }
        if (mochi.enabled() && step.epoch() >= mochi.startEpoch()) {
            NDArray negatives = NtXent.inBatchNegatives(z1, z2);
            NDArray anchors = NDArrays.concat(new NDList(z1, z2), 0).normalize(2, 1);
            // SimClrSettings bounds N by the 2B − 2 negatives of a full batch; a last partial batch
            // (data.drop_last false) has fewer, and ranks all of them
            int available = (int) negatives.getShape().get(1);
            HardNegativeMixing.Mixed mixed =
                    HardNegativeMixing.mixPerQuery(
                            anchors,
                            negatives,
                            Math.min(mochi.hardest(), available),
                            mochi.mixed(),
                            mochi.mixedWithQuery(),
                            step.random("mochi"));
            return NtXent.loss(z1, z2, mixed.negatives(), temperature);
        }
        return NtXent.loss(z1, z2, temperature);
    }
}
