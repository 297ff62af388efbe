package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.config.FeatureTransformSettings;
import dev.selfsup.config.MochiSettings;
import dev.selfsup.config.MocoSettings;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.loss.FeatureTransform;
import dev.selfsup.loss.HardNegativeMixing;
import dev.selfsup.loss.InfoNce;
import dev.selfsup.loss.Sampling;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MoCo v2: InfoNCE between a query encoder and its momentum (EMA) copy, with a queue of past keys
 * (He et al. 2020, Chen et al. 2020; METHODS.md §3); MoCHi and feature transformation as options.
 *
 * <p>Single-device shuffle-BN: the key encoder sees the batch in a random order (drawn from the run
 * seed and step) and its outputs are put back in order. With one BatchNorm batch (the encoders
 * built with {@code moco.bn_splits} = 1) this changes nothing, since every sample shares the same
 * statistics; with S > 1 groups (the official CIFAR demo's SplitBatchNorm, in both encoders) each
 * group of samples n mod S is normalised on its own, as on S devices, so a key is normalised with
 * other samples than its query and BN statistics cannot leak which key belongs to which query.
 *
 * <p>With both options on, the order is declared: feature transformation first (q̂, k̂ from q and k,
 * Q̂ from the queue), then MoCHi mixes hard negatives from q̂ and Q̂ and appends q̂·H to the logits
 * [q̂·k̂, q̂·Q̂ᵀ, q̂·H] / T. Each is active from its own start epoch; FT draws from the step's "ft"
 * generator and MoCHi from its "mochi" generator, so enabling one does not change the other's
 * draws.
 */
public final class MocoV2 implements Method {
    private final Backbone backbone;
    private final ProjectionHead head;
    private final Backbone keyBackbone;
    private final ProjectionHead keyHead;
    private final EmaEncoder emaBackbone;
    private final EmaEncoder emaHead;
    private final FeatureQueue queue;
    private final MocoSettings settings;
    private final MochiSettings mochi;
    private final FeatureTransformSettings transform;
    private NDArray pendingKeys;
    private double lastMomentum;

    /**
     * Creates the method; the key encoder starts as a copy of the query encoder.
     *
     * @param backbone the query backbone (initialised)
     * @param head the query head (initialised)
     * @param keyBackbone an initialised backbone of the same architecture
     * @param keyHead an initialised head of the same architecture
     * @param settings queue, momentum, temperature
     * @param mochi hard negative mixing
     * @param transform feature transformation
     * @param run the run manager (queue home)
     */
    public MocoV2(Backbone backbone, ProjectionHead head, Backbone keyBackbone, ProjectionHead keyHead,
            MocoSettings settings, MochiSettings mochi, FeatureTransformSettings transform, NDManager run) {
        this.backbone = backbone;
        this.head = head;
        this.keyBackbone = keyBackbone;
        this.keyHead = keyHead;
        this.settings = settings;
        this.mochi = mochi;
        this.transform = transform;
        this.emaBackbone = new EmaEncoder(backbone, keyBackbone);
        this.emaHead = new EmaEncoder(head, keyHead);
        dev.selfsup.model.Weights.copy(backbone, keyBackbone);
        dev.selfsup.model.Weights.copy(head, keyHead);
        keyBackbone.freezeParameters(true);
        keyHead.freezeParameters(true);
        this.queue = new FeatureQueue(run, settings.queueLength(), head.outputDim(), FeatureQueue.Order.RING);
        queue.randomUnitInit(run);
        this.lastMomentum = settings.emaMomentum();
    }

    @Override
    public Backbone backbone() {
        return backbone;
    }

    @Override
    public ProjectionHead head() {
        return head;
    }

    @Override
    public Map<String, Block> blocks() {
        Map<String, Block> out = new LinkedHashMap<>();
        out.put("backbone", backbone);
        out.put("head", head);
        out.put("key_backbone", keyBackbone);
        out.put("key_head", keyHead);
        return out;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return List.of(ParamGroup.of("backbone", backbone), ParamGroup.of("head", head));
    }

    /**
     * The queue of negative keys.
     *
     * @return the queue
     */
    public FeatureQueue queue() {
        return queue;
    }

    @Override
    public NDArray loss(ParameterStore ps, MultiCropBatch batch, Step step) {
        checkArgument(batch.cropCount() == 2, "MoCo v2 takes 2 views per image, the batch has %s", batch.cropCount());
        checkArgument(batch.groups().size() == 1, "MoCo v2 takes two views of one size");
        MultiCropBatch.Group views = batch.groups().get(0);
        NDArray xq = views.crop(0);
        NDArray xk = views.crop(1);
        NDArray q = head.forward(ps, backbone.forward(ps, new NDList(xq), true), true).singletonOrThrow().normalize(2, 1);
        NDArray k = keys(ps, xk, step);
        pendingKeys = k;
        return contrast(q, k, queue.rows(), step);
    }

    /**
     * The loss of one step on normalised queries q [B, D], keys k [B, D] and negatives [K, D]:
     * InfoNCE, with feature transformation and then MoCHi on top when they are active at this
     * epoch (see the class javadoc for the order).
     */
    NDArray contrast(NDArray q, NDArray k, NDArray negatives, Step step) {
        boolean ft = transform.enabled() && step.epoch() >= transform.startEpoch();
        boolean mix = mochi.enabled() && step.epoch() >= mochi.startEpoch();
        int hardest = Math.min(mochi.hardest(), (int) negatives.getShape().get(0));
        double temperature = settings.temperature();
        if (!ft) {
            return mix
                    ? HardNegativeMixing.loss(q, k, negatives, hardest, mochi.mixed(), mochi.mixedWithQuery(),
                            temperature, step.random("mochi"))
                    : InfoNce.loss(q, k, negatives, temperature);
        }
        FeatureTransform.Target target = !transform.negativeInterpolation() ? FeatureTransform.Target.POSITIVE
                : !transform.positiveExtrapolation() ? FeatureTransform.Target.NEGATIVE : FeatureTransform.Target.BOTH;
        FeatureTransform.Settings fts = new FeatureTransform.Settings(target, transform.positiveAlpha(),
                transform.negativeAlpha(), FeatureTransform.Granularity.PER_BATCH, FeatureTransform.Granularity.PER_BATCH);
        FeatureTransform.Transformed t = FeatureTransform.transform(q, k, negatives, fts, step.random("ft"));
        if (!mix) {
            return FeatureTransform.loss(t, temperature);
        }
        HardNegativeMixing.Mixed h = HardNegativeMixing.mix(t.qHat(), t.negatives(), hardest, mochi.mixed(),
                mochi.mixedWithQuery(), step.random("mochi"));
        return FeatureTransform.loss(t, h.negatives(), temperature);
    }

    /** Key features, no gradient; shuffle-BN on one device (package-private for tests). */
    NDArray keys(ParameterStore ps, NDArray xk, Step step) {
        int b = (int) xk.getShape().get(0);
        if (!settings.shuffleBn()) {
            return keyHead.forward(ps, keyBackbone.forward(ps, new NDList(xk), true), true)
                    .singletonOrThrow().normalize(2, 1).stopGradient();
        }
        int[] perm = Sampling.permutation(step.random("shuffle-bn"), b);
        long[] forward = new long[b];
        long[] inverse = new long[b];
        for (int i = 0; i < b; i++) {
            forward[i] = perm[i];
            inverse[perm[i]] = i;
        }
        NDManager m = xk.getManager();
        NDArray shuffled = xk.get(new NDIndex("{}", m.create(forward)));
        NDArray k = keyHead.forward(ps, keyBackbone.forward(ps, new NDList(shuffled), true), true)
                .singletonOrThrow().normalize(2, 1);
        return k.get(new NDIndex("{}", m.create(inverse))).stopGradient();
    }

    /** The key encoder's momentum at this step: constant, or cosine from m to 1. */
    double momentum(Step step) {
        double m = settings.emaMomentum();
        if (settings.emaSchedule() == MocoSettings.EmaSchedule.CONSTANT || step.totalIters() <= 0) {
            return m;
        }
        return 1 - (1 - m) * (Math.cos(Math.PI * step.iteration() / step.totalIters()) + 1) / 2;
    }

    @Override
    public void afterBackward(Step step) {
        if (pendingKeys != null) {
            queue.push(pendingKeys);
            pendingKeys = null;
        }
    }

    @Override
    public void afterStep(Step step) {
        lastMomentum = momentum(step);
        NDManager scratch = queue.rows().getManager();
        emaBackbone.update(lastMomentum, scratch);
        emaHead.update(lastMomentum, scratch);
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return Map.of("queue", queue.rows());
    }

    @Override
    public Map<String, Long> stateScalars() {
        return Map.of("queue_pointer", queue.pointer(), "queue_filled", queue.filled());
    }

    @Override
    public void restoreScalars(Map<String, Long> scalars) {
        queue.restore(scalars.getOrDefault("queue_pointer", 0L), scalars.getOrDefault("queue_filled", 0L));
    }

    @Override
    public Map<String, Double> stepMetrics() {
        return Map.of("ema_momentum", lastMomentum, "queue_fill", (double) queue.filled() / settings.queueLength());
    }
}
