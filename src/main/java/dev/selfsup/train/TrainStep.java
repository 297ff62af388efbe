package dev.selfsup.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.internal.Scalars;
import dev.selfsup.method.Method;
import dev.selfsup.method.Step;
import dev.selfsup.optim.GradientClipping;
import dev.selfsup.optim.Optimizer;

/**
 * One training step: forward and backward inside a gradient collector, the NaN guard, the method's
 * queue updates, then (at the end of an accumulation round) clipping, the optimiser and the
 * method's EMA updates. Shared by {@link Trainer} and the {@code bench train-step} command so the
 * benchmark times exactly what training runs.
 */
public final class TrainStep {
    private final Method method;
    private final Optimizer optimizer;
    private final ParameterStore ps;
    private final int accumulateSteps;
    private final GradientClipping clipping;
    private final java.util.List<NDArray> longLived = new java.util.ArrayList<>();
    private Phases lastPhases = new Phases(0, 0, 0, 0);

    /**
     * Wall-clock seconds of the parts of one micro-batch, for benchmarks (the CPU engine runs
     * synchronously, so each part is its own work; on a GPU they are launch times).
     *
     * @param forward the method's loss (forward pass) inside the collector
     * @param backward {@code backward}, reading the loss value and the NaN guard
     * @param optimizer clipping and the optimiser step (0 when no step ended the round)
     * @param method the method's {@code afterBackward} and {@code afterStep} (queues, EMA)
     */
    public record Phases(double forward, double backward, double optimizer, double method) {}

    /**
     * Creates a step runner.
     *
     * @param method the method
     * @param optimizer the optimiser over the method's groups
     * @param ps the parameter store
     * @param accumulateSteps micro-batches per optimiser step, {@code >= 1}
     * @param clipGradNorm global gradient-norm clip, 0 = off
     */
    public TrainStep(
            Method method,
            Optimizer optimizer,
            ParameterStore ps,
            int accumulateSteps,
            double clipGradNorm) {
        this(method, optimizer, ps, accumulateSteps, GradientClipping.globalNorm(clipGradNorm));
    }

    /**
     * Creates a step runner with a clipping rule.
     *
     * @param method the method
     * @param optimizer the optimiser over the method's groups
     * @param ps the parameter store
     * @param accumulateSteps micro-batches per optimiser step, {@code >= 1}
     * @param clipping applied to the gradients before each optimiser step
     */
    public TrainStep(
            Method method,
            Optimizer optimizer,
            ParameterStore ps,
            int accumulateSteps,
            GradientClipping clipping) {
        longLived.addAll(parameterArrays(method));
        this.method = method;
        this.optimizer = optimizer;
        this.ps = ps;
        this.accumulateSteps = accumulateSteps;
        this.clipping = java.util.Objects.requireNonNull(clipping, "clipping");
    }

    /**
     * Every block's parameter and buffer arrays: what a step (or an observer) borrows.
     *
     * @param method the method
     * @return the arrays, in the blocks' order
     */
    static java.util.List<NDArray> parameterArrays(Method method) {
        java.util.List<NDArray> out = new java.util.ArrayList<>();
        for (ai.djl.nn.Block b : method.blocks().values()) {
            for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : b.getParameters()) {
                out.add(p.getValue().getArray());
            }
        }
        return out;
    }

    /**
     * Runs one micro-batch; all temporaries belong to the step's manager, and the parameters and
     * method state are borrowed by it for the duration (they go home when it closes).
     *
     * @param stepManager the step's manager, closed by the caller after this call
     * @param batch the batch on the step's manager
     * @param step where training is
     * @param optimizerStep whether this micro-batch ends an accumulation round
     * @param lastCheckpoint named in the error if the loss is not finite
     * @return the loss value
     * @throws NonFiniteLossException if the loss is NaN or infinite (before any update)
     */
    public float run(
            NDManager stepManager,
            MultiCropBatch batch,
            Step step,
            boolean optimizerStep,
            String lastCheckpoint) {
        // borrowed: results of ops whose first input is a parameter or a queue land in the step
        stepManager.tempAttachAll(longLived.toArray(new NDArray[0]));
        stepManager.tempAttachAll(method.stateTensors().values().toArray(new NDArray[0]));
        NDArray loss;
        long t0 = System.nanoTime();
        long t1;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            loss = method.loss(ps, batch, step);
            t1 = System.nanoTime();
            gc.backward(accumulateSteps > 1 ? Scalars.div(loss, accumulateSteps) : loss);
        }
        float value = loss.getFloat();
        if (!Float.isFinite(value)) {
            throw new NonFiniteLossException(step.iteration(), step.epoch(), value, lastCheckpoint);
        }
        long t2 = System.nanoTime();
        method.afterBackward(step);
        long t3 = System.nanoTime();
        long t4 = t3;
        if (optimizerStep) {
            clipping.apply(method.paramGroups(), step.iteration());
            optimizer.step(step.iteration());
            t4 = System.nanoTime();
            method.afterStep(step);
        }
        long t5 = System.nanoTime();
        lastPhases =
                new Phases(
                        (t1 - t0) / 1e9,
                        (t2 - t1) / 1e9,
                        (t4 - t3) / 1e9,
                        ((t3 - t2) + (t5 - t4)) / 1e9);
        return value;
    }

    /**
     * The phase times of the last {@link #run} call.
     *
     * @return the times, all 0 before the first call
     */
    public Phases lastPhases() {
        return lastPhases;
    }
}
