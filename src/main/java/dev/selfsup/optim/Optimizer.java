package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A PyTorch-form optimiser over {@link ParamGroup}s that updates parameters in place ({@link Sgd},
 * {@link Lars}, {@link AdamW}).
 *
 * <p>DJL's own optimisers are the MXNet form with one global weight decay, and their {@code update}
 * sees parameter ids only; these follow {@code torch.optim} instead, with per-group learning-rate
 * multipliers, weight decay, BN/bias exemptions and freezing.
 *
 * <p><b>Use.</b> The loop runs forward and backward inside a {@code GradientCollector}, closes it,
 * then calls {@link #step(long)} once. The step reads each parameter's gradient, updates the
 * parameter array in place, and then zeroes the gradient (DJL's collector does not zero gradients
 * on the PyTorch engine, and custom optimisers must do it themselves).
 *
 * <pre>{@code
 * Optimizer sgd = Sgd.builder().setManager(run).setGroups(method.paramGroups())
 *         .setLearningRate(Schedule.warmupCosine(0.06, 0, 0, totalIters, 0))
 *         .optWeightDecay(1e-4).build();
 * for (long it = 0; it < totalIters; it++) {
 *     try (NDManager step = run.newSubManager()) {
 *         try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *             gc.backward(method.loss(ps, batch, it));
 *         }
 *         sgd.step(it);
 *     }
 * }
 * }</pre>
 *
 * <p><b>Gradient accumulation.</b> On DJL 0.33 + PyTorch a second {@code backward} adds into the
 * existing {@code .grad} (torch semantics; {@code PtGradientCollector} does not zero on open or
 * close — pinned by {@code GradientAccumulationTest}). So accumulating k micro-batches needs
 * nothing special: run k collectors, each {@code backward(loss / k)}, and call {@link #step} once
 * after the last; the step zeroes the gradients for the next round. Do not call {@code
 * GradientCollector.zeroGradients()} in between.
 *
 * <p><b>Clipping</b> by global norm is {@link GradientClipping#clipByGlobalNorm}, called between
 * backward and {@link #step}.
 *
 * <p><b>Memory.</b> Optimiser state (momentum buffers, Adam moments, step counts) lives on the
 * manager given to the builder, on each parameter's device. Every parameter update runs in a
 * temporary sub-manager that borrows the parameter and its state, so a step leaves no array behind
 * on any long-lived manager.
 *
 * <p><b>Parameters without a gradient.</b> A parameter that took no part in the forward pass has an
 * undefined {@code .grad}; DJL reports it as zeros, so it gets a zero-gradient step (weight decay
 * and momentum still act), like torch with {@code zero_grad(set_to_none=False)}, whereas torch's
 * default {@code set_to_none=True} would skip it. Put such parameters in no group, or freeze their
 * group.
 */
public abstract class Optimizer {
    /** State name of the per-parameter step count (INT64 scalar), where an optimiser keeps one. */
    static final String STEP = "step";

    private final NDManager manager;
    private final Schedule learningRate;
    private final Schedule weightDecay;

    /** Slots and state arrays; see {@link StateStore}. */
    private final StateStore store;

    /** Scalar operands of the current {@link #step}, by device and value; empty between steps. */
    private final Map<Device, Map<Double, NDArray>> scalars = new HashMap<>();

    private NDManager scalarScope;

    Optimizer(BaseBuilder<?> builder) {
        checkArgument(builder.manager != null, "setManager is required");
        checkArgument(builder.groups != null, "setGroups is required");
        checkArgument(builder.learningRate != null, "setLearningRate is required");
        checkArgument(!builder.groups.isEmpty(), "setGroups needs at least one group, got none");
        this.manager = builder.manager;
        this.learningRate = builder.learningRate;
        this.weightDecay = builder.weightDecay;
        this.store = new StateStore(manager, List.copyOf(builder.groups));
    }

    /**
     * Updates every parameter of every unfrozen group in place from its gradient, then zeroes all
     * gradients (frozen groups' included).
     *
     * @param iteration the global iteration (0-based) that picks the learning rate and decides
     *     freezing
     * @throws IllegalArgumentException if the iteration is negative or outside the schedule
     * @throws IllegalStateException if a parameter is not initialised or has no gradient attached
     */
    public final void step(long iteration) {
        checkArgument(iteration >= 0, "iteration must be >= 0, got %s", iteration);
        double baseLr = learningRate.value(iteration);
        double baseDecay = weightDecay(iteration);
        // one scalar tensor per distinct (device, value) for the whole step instead of one per
        // parameter and use: the same float64 0-dim operand NDArray.mul(Number) would create
        try (NDManager scalarsOfStep = manager.newSubManager()) {
            scalarScope = scalarsOfStep;
            updateAll(iteration, baseLr, baseDecay);
        } finally {
            scalarScope = null;
            scalars.clear();
        }
    }

    private void updateAll(long iteration, double baseLr, double baseDecay) {
        for (Slot slot : store.slots()) {
            Parameter parameter = slot.parameter;
            checkState(
                    parameter.isInitialized(),
                    "parameter '%s' is not initialised; initialise the block first",
                    slot.key);
            NDArray array = parameter.getArray();
            checkState(
                    array.hasGradient(),
                    "parameter '%s' has no gradient attached (was it frozen after its group was"
                            + " built?)",
                    slot.key);
            checkState(
                    array instanceof PtNDArray,
                    "selfsup optimisers need the PyTorch engine, got %s",
                    array.getClass().getName());
            if (!slot.group.isFrozenAt(iteration)) {
                double lr = baseLr * slot.group.getLrMultiplier();
                double decay = slot.group.decayFor(parameter, baseDecay);
                try (NDManager scope = manager.newSubManager(array.getDevice())) {
                    array.tempAttach(scope); // results and scalar operands land in scope
                    NDArray grad = array.getGradient(); // a new handle each call: dies with scope
                    update(slot, array, grad, lr, decay, scope);
                }
            }
            // zero_() in place, like torch's zero_grad(set_to_none=False); unlike grad.subi(grad)
            // it also clears NaN and infinity
            JniUtils.zeroGrad((PtNDArray) array);
        }
    }

    /**
     * A float64 0-dim tensor holding {@code value} on {@code like}'s device, shared by every use of
     * the value in the current step. It is exactly the operand that {@code like.mul(value)} would
     * wrap (DJL wraps a {@code double} as a float64 0-dim tensor, and the engine converts it to the
     * other operand's type), so results are bit-identical; it only saves a direct buffer and two
     * JNI calls per use. Valid until {@link #step} returns; never attach or close it.
     *
     * @param value the scalar
     * @param like an array on the device where the scalar is used
     * @return the shared scalar tensor
     */
    final NDArray scalar(double value, NDArray like) {
        checkState(scalarScope != null, "scalar() is only valid inside step()");
        Device device = like.getDevice();
        return scalars.computeIfAbsent(device, d -> new HashMap<>())
                .computeIfAbsent(
                        value,
                        v -> {
                            NDManager home =
                                    device.equals(scalarScope.getDevice())
                                            ? scalarScope
                                            : scalarScope.newSubManager(device);
                            return home.create(v.doubleValue());
                        });
    }

    /**
     * Computes the update of one parameter and applies it in place.
     *
     * @param slot the parameter and its group
     * @param param the parameter array, borrowed by {@code scope}
     * @param grad the gradient (a handle in {@code scope})
     * @param lr the learning rate of the group at this iteration
     * @param decay the weight decay of this parameter (0 when exempt)
     * @param scope the temporary manager for this update
     */
    abstract void update(
            Slot slot, NDArray param, NDArray grad, double lr, double decay, NDManager scope);

    /**
     * Returns the state names this optimiser keeps per parameter.
     *
     * @return the names, e.g. {@code momentum_buffer}
     */
    abstract List<String> stateNames();

    /**
     * Returns the current base learning rate (before group multipliers).
     *
     * @param iteration the global iteration
     * @return the schedule's value at {@code iteration}
     */
    public final double learningRate(long iteration) {
        return learningRate.value(iteration);
    }

    /**
     * Returns the optimiser weight decay (groups may override it, BN/bias may be exempt).
     *
     * @return the weight decay given to the builder (at iteration 0 if it follows a schedule)
     */
    public final double getWeightDecay() {
        return weightDecay(0);
    }

    /**
     * Returns the weight decay of groups without their own at an iteration.
     *
     * @param iteration the global iteration
     * @return the constant decay, or the schedule's value at {@code iteration}
     * @throws IllegalArgumentException if a scheduled decay is negative there
     */
    public final double weightDecay(long iteration) {
        double decay = weightDecay.value(iteration);
        checkArgument(
                decay >= 0 && Double.isFinite(decay),
                "the weight-decay schedule gives %s at iteration %s; it must stay finite and >= 0",
                decay,
                iteration);
        return decay;
    }

    /**
     * Returns the optimiser state for a checkpoint, keyed {@code <group>/<parameter>/<name>} with
     * {@code name} one of {@code momentum_buffer} (SGD, LARS), {@code exp_avg}, {@code exp_avg_sq},
     * {@code step} (AdamW). Like torch, a parameter has state only after its first update.
     *
     * <p>The arrays are the optimiser's own, live: serialise them before the next {@link #step},
     * and never close, attach or modify them.
     *
     * @return an unmodifiable snapshot of the key set, in group and parameter order
     */
    public final Map<String, NDArray> state() {
        return store.snapshot();
    }

    /**
     * Replaces the optimiser state by copies of the given arrays (from {@link #state()} of the same
     * optimiser type over the same groups), placed on each parameter's device. The caller keeps
     * ownership of the given arrays. Nothing changes if validation fails.
     *
     * @param loaded arrays by state key; parameters without keys start fresh, as before their first
     *     update
     * @throws IllegalArgumentException if a key is unknown, a parameter has only part of its state,
     *     or an array has the wrong shape or data type
     */
    public final void loadState(Map<String, NDArray> loaded) {
        store.load(loaded, stateNames());
    }

    /**
     * Returns a parameter's state array borrowed by {@code scope}, or null before its first update.
     *
     * @param slot the parameter
     * @param name the state name
     * @param scope the update's manager
     * @return the live state array, now temporarily on {@code scope}, or null
     */
    final NDArray borrowState(Slot slot, String name, NDManager scope) {
        return store.borrow(slot, name, scope);
    }

    /**
     * Makes a new state array (created in {@code scope}) long-lived: moves it to the optimiser's
     * manager and borrows it back for the rest of the update.
     *
     * @param slot the parameter
     * @param name the state name
     * @param array a fresh array in {@code scope} that nothing else references
     * @param scope the update's manager
     * @return {@code array}
     */
    final NDArray keepState(Slot slot, String name, NDArray array, NDManager scope) {
        return store.keep(slot, name, array, scope);
    }

    /** One parameter with its group and state-key prefix {@code <group>/<parameter>}. */
    static final class Slot {
        final ParamGroup group;
        final String name;
        final Parameter parameter;
        final String key;

        Slot(ParamGroup group, String name, Parameter parameter, String key) {
            this.group = group;
            this.name = name;
            this.parameter = parameter;
            this.key = key;
        }

        Device device() {
            return parameter.getArray().getDevice();
        }
    }

    /**
     * The options every optimiser shares.
     *
     * @param <B> the concrete builder
     */
    public abstract static class BaseBuilder<B extends BaseBuilder<B>> {
        NDManager manager;
        List<ParamGroup> groups;
        Schedule learningRate;
        Schedule weightDecay;

        BaseBuilder(double defaultWeightDecay) {
            this.weightDecay = Schedule.constant(defaultWeightDecay);
        }

        abstract B self();

        /**
         * Sets the long-lived manager that owns the optimiser state (required); usually the run
         * manager that also holds the parameters.
         *
         * @param manager the manager, open for the optimiser's lifetime
         * @return this builder
         */
        public B setManager(NDManager manager) {
            this.manager = Objects.requireNonNull(manager, "manager");
            return self();
        }

        /**
         * Sets the parameter groups (required).
         *
         * @param groups at least one group, unique names, no parameter in two groups
         * @return this builder
         */
        public B setGroups(List<ParamGroup> groups) {
            this.groups = List.copyOf(groups);
            return self();
        }

        /**
         * Sets the base learning-rate schedule (required); each group multiplies it by its {@link
         * ParamGroup#getLrMultiplier()}.
         *
         * @param learningRate the schedule, per iteration
         * @return this builder
         */
        public B setLearningRate(Schedule learningRate) {
            this.learningRate = Objects.requireNonNull(learningRate, "learningRate");
            return self();
        }

        /**
         * Sets the weight decay of every group without its own ({@link
         * ParamGroup#weightDecay(double)}); the default depends on the optimiser.
         *
         * @param weightDecay the decay, finite and {@code >= 0}
         * @return this builder
         */
        public B optWeightDecay(double weightDecay) {
            checkArgument(
                    Double.isFinite(weightDecay) && weightDecay >= 0,
                    "weightDecay must be finite and >= 0, got %s",
                    weightDecay);
            this.weightDecay = Schedule.constant(weightDecay);
            return self();
        }

        /**
         * Lets the weight decay of every group without its own follow a schedule per iteration
         * instead of a constant (DINO: cosine from 0.04 to 0.4 over training, official {@code
         * wd_schedule}); exempt BN / bias parameters stay at 0. Replaces {@link
         * #optWeightDecay(double)}.
         *
         * @param weightDecay the decay per iteration; its values must be finite and {@code >= 0}
         * @return this builder
         */
        public B optWeightDecay(Schedule weightDecay) {
            this.weightDecay = Objects.requireNonNull(weightDecay, "weightDecay");
            return self();
        }
    }
}
