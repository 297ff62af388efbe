package dev.selfsup.train;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One step of a hand-written training loop, with the memory and autograd rules handled: a
 * sub-manager of the run manager on its device that every array of the step belongs to and that
 * frees them on {@link #close()}; the blocks' parameters borrowed by it (so results of ops that
 * start from a weight die with the step too, and the weights go home afterwards); the batch moved
 * to the device there; a {@link ParameterStore}; and the one {@link GradientCollector}.
 *
 * <pre>{@code
 * for (HostBatch host : batches) {
 *     try (StepScope step = StepScope.open(run, host, backbone, head, prototypes)) {
 *         prototypes.normaliseRows();
 *         NDArray loss = step.backward(ps -> myLoss(ps, step.batch()), 1.0 / accumulate);
 *         total += loss.getFloat();                // read what you need before the scope closes
 *         if (++micro % accumulate == 0) {
 *             sgd.step(iteration++);                // in place; zeroes the gradients
 *         }
 *     }                                             // every array of the step is freed here
 * }
 * }</pre>
 *
 * <p>Gradients add up over {@link #backward} calls until the optimiser zeroes them, which is how
 * gradient accumulation works; the scale factor is applied with {@link Scalars}, not {@code
 * NDArray.div(Number)} (see there why). Not thread-safe; one scope at a time per thread, and only
 * one gradient collector may be open per JVM.
 */
public final class StepScope implements AutoCloseable {
    private final NDManager manager;
    private final MultiCropBatch batch;
    private final ParameterStore parameterStore;
    private boolean closed;

    private StepScope(NDManager manager, MultiCropBatch batch) {
        this.manager = manager;
        this.batch = batch;
        this.parameterStore = new ParameterStore(manager, false);
    }

    /**
     * Opens a step: a sub-manager of {@code run} on its device, the parameters of {@code blocks}
     * borrowed by it, and the host batch moved to the device (where a GPU run's photometric
     * augmentation happens).
     *
     * @param run the run manager that owns the parameters (and fixes the device)
     * @param host the batch from the loader
     * @param blocks the initialised blocks the step trains or reads
     * @return the open step; close it (try-with-resources)
     */
    public static StepScope open(NDManager run, HostBatch host, Block... blocks) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(host, "host");
        NDManager manager = run.newSubManager(run.getDevice());
        try {
            manager.tempAttachAll(parameterArrays(blocks));
            return new StepScope(manager, host.toDevice(manager));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The batch on the device, owned by this step.
     *
     * @return the batch
     */
    public MultiCropBatch batch() {
        return batch;
    }

    /**
     * The step's manager: arrays created here die with the step.
     *
     * @return the manager
     */
    public NDManager manager() {
        return manager;
    }

    /**
     * The parameter store to pass to {@code block.forward(ps, inputs, true)}.
     *
     * @return the store
     */
    public ParameterStore parameterStore() {
        return parameterStore;
    }

    /**
     * Runs the forward pass inside a gradient collector and back-propagates its loss.
     *
     * @param forward computes the scalar loss from the parameter store (call the blocks with {@code
     *     training = true})
     * @return the loss (unscaled), owned by this step
     * @throws IllegalStateException if the step is closed
     */
    public NDArray backward(Function<ParameterStore, NDArray> forward) {
        return backward(forward, 1.0);
    }

    /**
     * Runs the forward pass inside a gradient collector and back-propagates {@code gradientScale}
     * times its loss, e.g. {@code 1.0 / accumulateSteps} for gradient accumulation.
     *
     * @param forward computes the scalar loss from the parameter store
     * @param gradientScale the factor on the gradient, finite and {@code != 0}
     * @return the loss (unscaled), owned by this step
     * @throws IllegalStateException if the step is closed
     */
    public NDArray backward(Function<ParameterStore, NDArray> forward, double gradientScale) {
        checkState(!closed, "this step is closed");
        checkArgument(
                Double.isFinite(gradientScale) && gradientScale != 0,
                "gradientScale must be finite and non-zero, got %s",
                gradientScale);
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            loss = forward.apply(parameterStore);
            checkArgument(
                    loss.getShape().size() == 1,
                    "the loss must be a scalar, got shape %s",
                    loss.getShape());
            gc.backward(gradientScale == 1.0 ? loss : Scalars.mul(loss, gradientScale));
        }
        return loss;
    }

    /** Frees every array of the step; the borrowed parameters go back to the run manager. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }

    private static NDArray[] parameterArrays(Block... blocks) {
        List<NDArray> out = new ArrayList<>();
        for (Block b : blocks) {
            for (Pair<String, Parameter> p : b.getParameters()) {
                checkArgument(
                        p.getValue().isInitialized(),
                        "block parameter %s is not initialised",
                        p.getKey());
                out.add(p.getValue().getArray());
            }
        }
        return out.toArray(new NDArray[0]);
    }
}
