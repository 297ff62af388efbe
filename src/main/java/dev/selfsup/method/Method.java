package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.optim.ParamGroup;
import java.util.List;
import java.util.Map;

/**
 * A self-supervised method: composes backbone, head (and prototypes) with a loss and owns its
 * per-step state (momentum encoder, queues, prototype normalisation). The trainer owns the
 * optimiser, the loop and the files (STYLE.md R3). {@link Methods} lists the methods and builds
 * them from their settings.
 */
public interface Method {
    /**
     * The backbone being pretrained.
     *
     * @return the backbone
     */
    Backbone backbone();

    /**
     * The head whose output, L2-normalised, is the embedding the loss compares: {@code [N, F] → [N,
     * D]} (the query head for MoCo v2; a {@link ProjectionHead} for the built-in methods, a {@code
     * DinoHead} for DINO's student). Diagnostics read it; the loss owns it.
     *
     * @return the head
     */
    Block head();

    /**
     * The crops each branch of the method embeds, by branch name in forward order (SimCLR, SwAV:
     * one branch over all crops; MoCo: query crop 0, key crop 1; a DINO teacher only the global
     * crops).
     *
     * @return branch name → its crops
     */
    Map<String, Crops> branches();

    /**
     * Every block whose parameters and buffers belong in a checkpoint, by stable name (trained and
     * momentum-averaged alike).
     *
     * @return name → block
     */
    Map<String, Block> blocks();

    /**
     * The trained parameters, grouped for the optimiser.
     *
     * @return the groups
     */
    List<ParamGroup> paramGroups();

    /**
     * Called once before the first step of each epoch.
     *
     * @param epoch 0-based epoch
     */
    default void beforeEpoch(int epoch) {}

    /**
     * The loss of one batch; runs inside the caller's gradient collector.
     *
     * @param ps the parameter store
     * @param batch the batch, on the step's manager
     * @param step where training is
     * @return a scalar loss on the batch's manager
     */
    NDArray loss(ParameterStore ps, MultiCropBatch batch, Step step);

    /**
     * State updates after each backward pass, before the optimiser step (queues take this batch's
     * keys only once the loss's backward no longer needs the old rows).
     *
     * @param step where training is
     */
    default void afterBackward(Step step) {}

    /**
     * State updates after the optimiser step (momentum encoder, queues), in place, no gradient.
     *
     * @param step where training is
     */
    default void afterStep(Step step) {}

    /**
     * Tensors of the method's own state (queues), by stable name, for checkpoints; updated in place
     * on restore.
     *
     * @return name → array owned by the method
     */
    default Map<String, NDArray> stateTensors() {
        return Map.of();
    }

    /**
     * The method's scalar state (queue pointers and fill counts) for checkpoints, as the method's
     * own {@link MethodState} record.
     *
     * @return the state; {@link MethodState.None} for a method that keeps none
     */
    default MethodState state() {
        return new MethodState.None();
    }

    /**
     * Restores scalar state read back from a checkpoint, of the type {@link #state()} returns.
     *
     * @param state the saved state
     * @throws IllegalArgumentException if the state is of another type or does not fit this run
     */
    default void restore(MethodState state) {
        dev.selfsup.internal.Checks.checkArgument(
                state instanceof MethodState.None, "this method keeps no state, got %s", state);
    }

    /**
     * Metrics of the last step (queue fill, code entropy, EMA momentum), as plain numbers.
     *
     * @return name → value
     */
    default Map<String, Double> stepMetrics() {
        return Map.of();
    }
}
