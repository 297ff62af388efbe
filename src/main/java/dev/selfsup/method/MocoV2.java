package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
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
 * <p>Feature transformation and MoCHi compose in {@link Negatives}' declared order: feature
 * transformation first, then MoCHi mixes from the transformed query and queue. The key encoder is
 * an {@link EmaEncoder} of backbone and head; the query branch embeds crop 0, the key branch crop
 * 1.
 */
public final class MocoV2 implements Method {
    private static final Crops QUERY = Crops.of(0);
    private static final Crops KEY = Crops.of(1);
    private final Backbone backbone;
    private final ProjectionHead head;
    private final Backbone keyBackbone;
    private final ProjectionHead keyHead;
    private final EmaEncoder keyEncoder;
    private final FeatureQueue queue;
    private final MocoSettings settings;
    private final Negatives negatives;
    private NDArray pendingKeys;
    private double lastMomentum;

    /**
     * The queue's position, for checkpoints.
     *
     * @param queuePointer the next row the ring writes
     * @param queueFilled rows written so far, capped at K
     */
    public record State(long queuePointer, long queueFilled) implements MethodState {}

    /**
     * Creates the method; the key encoder starts as a copy of the query encoder.
     *
     * @param backbone the query backbone (initialised)
     * @param head the query head (initialised)
     * @param keyBackbone an initialised backbone of the same architecture
     * @param keyHead an initialised head of the same architecture
     * @param settings queue, momentum, temperature, MoCHi and feature transformation
     * @param run the run manager (queue home)
     */
    public MocoV2(
            Backbone backbone,
            ProjectionHead head,
            Backbone keyBackbone,
            ProjectionHead keyHead,
            MocoSettings settings,
            NDManager run) {
        this.backbone = backbone;
        this.head = head;
        this.keyBackbone = keyBackbone;
        this.keyHead = keyHead;
        this.settings = settings;
        this.negatives = new Negatives(settings.featureTransform(), settings.mochi());
        this.keyEncoder =
                new EmaEncoder(
                        List.of(backbone, head),
                        List.of(keyBackbone, keyHead),
                        settings.emaMomentum(),
                        settings.emaSchedule());
        this.queue =
                new FeatureQueue(
                        run, settings.queueLength(), head.outputDim(), FeatureQueue.Order.RING);
        queue.randomUnitInit(run);
        this.lastMomentum = settings.emaMomentum();
    }

    /**
     * The registry's factory: query and key encoders, both with {@code bn_splits} BatchNorm groups
     * as in the official CIFAR demo.
     *
     * @param settings the settings
     * @param parts the run's parts
     * @return the method
     */
    static MocoV2 create(MocoSettings settings, Parts parts) {
        int s = settings.bnSplits();
        Backbone backbone = parts.backbone(s);
        ProjectionHead head = parts.head(backbone.featureDim(), s);
        Backbone keyBackbone = parts.backbone(s);
        ProjectionHead keyHead = parts.head(keyBackbone.featureDim(), s);
        return new MocoV2(backbone, head, keyBackbone, keyHead, settings, parts.manager());
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
    public Map<String, Crops> branches() {
        Map<String, Crops> out = new LinkedHashMap<>();
        out.put("query", QUERY);
        out.put("key", KEY);
        return out;
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
        checkArgument(
                batch.cropCount() == 2,
                "MoCo v2 takes 2 views per image, the batch has %s",
                batch.cropCount());
        checkArgument(batch.groups().size() == 1, "MoCo v2 takes two views of one size");
        NDArray q = Views.embed(ps, backbone, head, batch, QUERY, true).get(0);
        NDArray k = keys(ps, Views.images(batch, KEY).get(0), step);
        pendingKeys = k;
        return negatives.infoNce(q, k, queue.rows(), settings.temperature(), step);
    }

    /** Key features, no gradient; shuffle-BN on one device (package-private for tests). */
    NDArray keys(ParameterStore ps, NDArray xk, Step step) {
        int b = (int) xk.getShape().get(0);
        if (!settings.shuffleBn()) {
            return keyHead.forward(ps, keyBackbone.forward(ps, new NDList(xk), true), true)
                    .singletonOrThrow()
                    .normalize(2, 1)
                    .stopGradient();
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
        NDArray k =
                keyHead.forward(ps, keyBackbone.forward(ps, new NDList(shuffled), true), true)
                        .singletonOrThrow()
                        .normalize(2, 1);
        return k.get(new NDIndex("{}", m.create(inverse))).stopGradient();
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
        lastMomentum = keyEncoder.update(step, queue.rows().getManager());
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return Map.of("queue", queue.rows());
    }

    @Override
    public State state() {
        return new State(queue.pointer(), queue.filled());
    }

    @Override
    public void restore(MethodState state) {
        checkArgument(state instanceof State, "MoCo v2 restores a MocoV2.State, got %s", state);
        State s = (State) state;
        queue.restore(s.queuePointer(), s.queueFilled());
    }

    @Override
    public Map<String, Double> stepMetrics() {
        return Map.of(
                "ema_momentum",
                lastMomentum,
                "queue_fill",
                (double) queue.filled() / settings.queueLength());
    }
}
