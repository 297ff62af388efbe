package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Precision;
import dev.selfsup.loss.Sinkhorn;
import dev.selfsup.loss.SwavLoss;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.model.Prototypes;
import dev.selfsup.optim.ParamGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SwAV: swapped prediction between multi-crop views (Caron et al. 2020; METHODS.md §2).
 *
 * <p>Before every forward pass the prototype rows are L2-normalised in place; the prototypes take
 * no update (and no weight decay) for the first {@code freezePrototypesIters} iterations; from
 * {@code queueStartEpoch} each assigned crop keeps a queue of its recent embeddings, used in
 * Sinkhorn once full, as in the official code.
 */
public final class Swav implements Method {
    private static final Crops VIEWS = Crops.all();
    private final Backbone backbone;
    private final ProjectionHead head;
    private final Prototypes prototypes;
    private final SwavSettings settings;
    private final int[] assign;
    private final NDManager run;
    private FeatureQueue[] queues = new FeatureQueue[0];
    private NDArray[] pending;
    private double lastEntropy = Double.NaN;
    private boolean queueUsed;

    /**
     * Creates the method from initialised blocks.
     *
     * <p>K is set once, on the {@link Prototypes} block; {@code settings.prototypes()} must agree
     * (a recipe builds the block from it). The queue holds {@code settings.queueLength()} rows per
     * assigned crop, as given: the official code rounds it down to a multiple of the global batch,
     * which the recipe runner does before it builds the settings.
     *
     * @param backbone the backbone, [N, 3, H, W] → [N, F]
     * @param head the projection head, [N, F] → [N, D]
     * @param prototypes the prototypes, D → K
     * @param settings SwAV settings
     * @param run the run manager (queues live there)
     * @throws IllegalArgumentException if the prototypes block and the settings disagree on K, or
     *     the queue is shorter than one batch would need
     */
    public Swav(
            Backbone backbone,
            ProjectionHead head,
            Prototypes prototypes,
            SwavSettings settings,
            NDManager run) {
        this.backbone = java.util.Objects.requireNonNull(backbone, "backbone");
        this.head = java.util.Objects.requireNonNull(head, "head");
        this.prototypes = java.util.Objects.requireNonNull(prototypes, "prototypes");
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        dev.selfsup.internal.Checks.checkArgument(
                prototypes.prototypes() == settings.prototypes(),
                "the Prototypes block has K = %s but SwavSettings.prototypes is %s; build the block with"
                        + " setPrototypes(settings.prototypes()) or use settings.withPrototypes(%s)",
                prototypes.prototypes(),
                settings.prototypes(),
                prototypes.prototypes());
        this.assign = settings.cropsForAssign().stream().mapToInt(Integer::intValue).toArray();
        this.run = run;
    }

    /**
     * The queues' fill counts, for checkpoints.
     *
     * @param queueFilled rows written so far in each assigned crop's queue, capped at the queue
     *     length; empty before the queues start
     */
    public record State(List<Long> queueFilled) implements MethodState {
        /**
         * Copies the list.
         *
         * @param queueFilled rows written so far in each queue
         */
        public State {
            queueFilled = List.copyOf(queueFilled);
        }
    }

    /**
     * The registry's factory: backbone, head and K prototypes; the queue rounded down to a multiple
     * of the batch, as the official code does.
     *
     * @param settings the settings
     * @param parts the run's parts
     * @return the method
     */
    static Swav create(SwavSettings settings, Parts parts) {
        Backbone backbone = parts.backbone(1);
        ProjectionHead head = parts.head(backbone.featureDim(), 1);
        Prototypes prototypes =
                Prototypes.builder()
                        .setPrototypes(settings.prototypes())
                        .optInputDim(head.outputDim())
                        .build();
        prototypes.initialize(
                parts.manager(), Precision.DEFAULT.parameterType(), new Shape(1, head.outputDim()));
        int queue = settings.queueLength() - settings.queueLength() % parts.batchSize();
        return new Swav(
                backbone, head, prototypes, settings.withQueueLength(queue), parts.manager());
    }

    /** The queue length per assigned crop. */
    int queueLength() {
        return settings.queueLength();
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
        return Map.of("online", VIEWS);
    }

    @Override
    public Map<String, Block> blocks() {
        Map<String, Block> out = new LinkedHashMap<>();
        out.put("backbone", backbone);
        out.put("head", head);
        out.put("prototypes", prototypes);
        return out;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return List.of(
                ParamGroup.of("backbone", backbone),
                ParamGroup.of("head", head),
                ParamGroup.of("prototypes", prototypes)
                        .frozenUntilIters(settings.freezePrototypesIters()));
    }

    @Override
    public void beforeEpoch(int epoch) {
        if (queueLength() > 0 && epoch >= settings.queueStartEpoch() && queues.length == 0) {
            queues = new FeatureQueue[assign.length];
            for (int i = 0; i < assign.length; i++) {
                queues[i] =
                        new FeatureQueue(
                                run, queueLength(), head.outputDim(), FeatureQueue.Order.SHIFT);
            }
        }
        queueUsed = false;
    }

    @Override
    public NDArray loss(ParameterStore ps, MultiCropBatch batch, Step step) {
        prototypes.normaliseRows();
        List<NDArray> z = Views.embed(ps, backbone, head, batch, VIEWS, true);
        NDArray all = NDArrays.concat(new NDList(z), 0);
        NDArray[] scores =
                prototypes.scores(ps, all, true).split(z.size(), 0).toArray(new NDArray[0]);
        NDArray[] queueScores = new NDArray[0];
        if (queues.length > 0 && (queueUsed || queues[0].isFull())) {
            queueUsed = true;
            queueScores = new NDArray[assign.length];
            for (int i = 0; i < assign.length; i++) {
                queueScores[i] = prototypes.scores(ps, queues[i].rows(), false).stopGradient();
            }
        }
        pending = new NDArray[queues.length];
        for (int i = 0; i < queues.length; i++) {
            pending[i] = z.get(assign[i]).stopGradient();
        }
        SwavLoss.Result r =
                SwavLoss.lossWithCodes(
                        scores,
                        queueScores,
                        assign,
                        settings.temperature(),
                        settings.epsilon(),
                        settings.sinkhornIterations(),
                        Sinkhorn.Reducer.LOCAL);
        lastEntropy = Sinkhorn.entropy(r.codes().get(0)).getFloat();
        return r.loss();
    }

    @Override
    public void afterBackward(Step step) {
        if (pending != null) {
            for (int i = 0; i < pending.length; i++) {
                queues[i].push(pending[i]);
            }
            pending = null;
        }
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < queues.length; i++) {
            out.put("queue_" + i, queues[i].rows());
        }
        return out;
    }

    @Override
    public State state() {
        List<Long> filled = new ArrayList<>();
        for (FeatureQueue q : queues) {
            filled.add(q.filled());
        }
        return new State(filled);
    }

    @Override
    public void restore(MethodState state) {
        checkArgument(state instanceof State, "SwAV restores a Swav.State, got %s", state);
        List<Long> filled = ((State) state).queueFilled();
        // queues exist once their epoch has begun; the trainer calls beforeEpoch before restoring
        checkArgument(
                filled.size() == queues.length,
                "the saved state has %s queue fill counts but this run has"
                        + " %s queues at this epoch (swav.queue_length %s, queue_start_epoch %s)",
                filled.size(),
                queues.length,
                settings.queueLength(),
                settings.queueStartEpoch());
        for (int i = 0; i < queues.length; i++) {
            queues[i].restore(0, filled.get(i));
        }
    }

    @Override
    public Map<String, Double> stepMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("code_entropy", lastEntropy);
        out.put(
                "queue_fill",
                queues.length == 0 ? 0.0 : (double) queues[0].filled() / queueLength());
        return out;
    }
}
