package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.selfsup.model.Weights;
import dev.selfsup.optim.Schedule;
import java.util.ArrayList;
import java.util.List;

/**
 * A momentum (EMA) copy of an online network: MoCo's key encoder, DINO's teacher. Every step θ_t ←
 * m θ_t + (1 − m) θ_o, in place and without gradient, with m from an {@link EmaSchedule} (constant,
 * or the cosine from m to 1 of {@link dev.selfsup.optim.EmaMomentumCosine}).
 *
 * <p>The target starts as a copy of the online network (weights and BatchNorm statistics) and is
 * frozen. Only trainable parameters are averaged afterwards; BatchNorm running statistics stay the
 * target's own, as in MoCo and DINO.
 */
public final class EmaEncoder {
    private final List<NDArray> online = new ArrayList<>();
    private final List<NDArray> target = new ArrayList<>();
    private final double baseEmaMomentum;
    private final EmaSchedule schedule;
    private Schedule perIteration;
    private long scheduleIters = -1;

    /**
     * Pairs each online block with the target block at the same position, copies the online weights
     * into the targets and freezes the targets.
     *
     * @param onlineBlocks the trained networks (initialised), e.g. backbone and head
     * @param targetBlocks initialised networks of the same architectures, in the same order
     * @param baseEmaMomentum m at iteration 0, in [0, 1] (MoCo v2: 0.999, DINO: 0.996)
     * @param schedule how m moves over training
     * @throws IllegalArgumentException if the lists or any parameter shapes differ, or m is out of
     *     range
     */
    public EmaEncoder(
            List<? extends Block> onlineBlocks,
            List<? extends Block> targetBlocks,
            double baseEmaMomentum,
            EmaSchedule schedule) {
        checkArgument(
                onlineBlocks.size() == targetBlocks.size(),
                "%s online blocks but %s target blocks",
                onlineBlocks.size(),
                targetBlocks.size());
        checkArgument(
                baseEmaMomentum >= 0 && baseEmaMomentum <= 1,
                "EMA momentum must be in [0, 1], got %s",
                baseEmaMomentum);
        this.baseEmaMomentum = baseEmaMomentum;
        this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
        for (int b = 0; b < onlineBlocks.size(); b++) {
            pair(onlineBlocks.get(b), targetBlocks.get(b));
            Weights.copy(onlineBlocks.get(b), targetBlocks.get(b));
            targetBlocks.get(b).freezeParameters(true);
        }
    }

    private void pair(Block onlineBlock, Block targetBlock) {
        PairList<String, Parameter> a = onlineBlock.getParameters();
        PairList<String, Parameter> b = targetBlock.getParameters();
        checkArgument(
                a.size() == b.size(), "online has %s parameters, target %s", a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            Pair<String, Parameter> p = a.get(i);
            Pair<String, Parameter> q = b.get(i);
            checkArgument(
                    p.getValue().getArray().getShape().equals(q.getValue().getArray().getShape()),
                    "parameter %s: online %s vs target %s",
                    p.getKey(),
                    p.getValue().getArray().getShape(),
                    q.getValue().getArray().getShape());
            if (p.getValue().requiresGradient()) {
                online.add(p.getValue().getArray());
                target.add(q.getValue().getArray());
            }
        }
    }

    /**
     * The momentum the schedule gives at a step.
     *
     * @param step where training is ({@code totalIters >= 1})
     * @return m in [0, 1]
     */
    public double emaMomentum(Step step) {
        if (step.totalIters() != scheduleIters) {
            perIteration = schedule.of(baseEmaMomentum, step.totalIters());
            scheduleIters = step.totalIters();
        }
        return perIteration.value(step.iteration());
    }

    /**
     * Applies the EMA step of an optimiser iteration, with the scheduled momentum.
     *
     * @param step the iteration just taken
     * @param scratch a temporary manager (the step's); nothing stays attached to it
     * @return the momentum applied
     */
    public double update(Step step, NDManager scratch) {
        double m = emaMomentum(step);
        update(m, scratch);
        return m;
    }

    /**
     * Applies one EMA step in place with a given momentum.
     *
     * @param emaMomentum m in [0, 1]; 0 copies the online weights
     * @param scratch a temporary manager (the step's); nothing stays attached to it
     */
    public void update(double emaMomentum, NDManager scratch) {
        checkArgument(
                emaMomentum >= 0 && emaMomentum <= 1,
                "EMA momentum must be in [0, 1], got %s",
                emaMomentum);
        try (NDManager scope = scratch.newSubManager()) {
            // the float32 0-dim operands muli(float) / mul(float) would wrap, made once per update
            NDArray keep = scope.create((float) emaMomentum);
            NDArray take = scope.create((float) (1 - emaMomentum));
            for (int i = 0; i < target.size(); i++) {
                NDArray t = target.get(i);
                NDArray o = online.get(i);
                scope.tempAttachAll(t, o);
                t.muli(keep).addi(o.stopGradient().mul(take));
            }
        }
    }
}
