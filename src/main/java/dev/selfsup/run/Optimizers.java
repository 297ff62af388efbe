package dev.selfsup.run;

import ai.djl.ndarray.NDManager;
import dev.selfsup.config.OptimizerSettings;
import dev.selfsup.config.Recipe;
import dev.selfsup.method.Method;
import dev.selfsup.optim.AdamW;
import dev.selfsup.optim.GradientClipping;
import dev.selfsup.optim.Lars;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.optim.ParamGroup;
import dev.selfsup.optim.Schedule;
import dev.selfsup.optim.Sgd;
import java.util.ArrayList;
import java.util.List;

/**
 * A recipe's {@code optimizer:} section as the trainer uses it: the optimiser with its
 * learning-rate and weight-decay schedules over a method's parameter groups, and the
 * gradient-clipping rule.
 */
public final class Optimizers {
    private Optimizers() {}

    /**
     * The recipe's optimiser over the method's groups, with its per-iteration schedule.
     *
     * @param recipe the recipe
     * @param method the method
     * @param run the run manager (optimiser state)
     * @param itersPerEpoch optimiser iterations per epoch
     * @return the optimiser
     */
    public static Optimizer optimizer(
            Recipe recipe, Method method, NDManager run, long itersPerEpoch) {
        return optimizer(
                recipe.optimizer(),
                recipe.data().batchSize(),
                recipe.train().epochs(),
                method,
                run,
                itersPerEpoch);
    }

    /**
     * An optimiser section's optimiser over a method's groups, with its per-iteration schedule.
     *
     * @param o the optimizer section
     * @param batchSize images per batch (before accumulation)
     * @param epochs the run's length
     * @param method the method
     * @param run the run manager (optimiser state)
     * @param itersPerEpoch optimiser iterations per epoch
     * @return the optimiser
     */
    public static Optimizer optimizer(
            OptimizerSettings o,
            int batchSize,
            int epochs,
            Method method,
            NDManager run,
            long itersPerEpoch) {
        int batch = batchSize * o.accumulateSteps();
        double base = o.lrScaling().scale(o.baseLr(), batch);
        long total = Math.max(1, itersPerEpoch * epochs);
        long warmup = Math.min(total - 1, itersPerEpoch * o.warmupEpochs());
        Schedule schedule =
                o.schedule() == OptimizerSettings.ScheduleKind.CONSTANT
                        ? Schedule.constant(base)
                        : Schedule.warmupCosine(
                                base, o.finalLr(), warmup, total, o.warmupStartLr());
        Schedule decay =
                o.weightDecaySchedule() == OptimizerSettings.ScheduleKind.CONSTANT
                        ? Schedule.constant(o.weightDecay())
                        : Schedule.warmupCosine(o.weightDecay(), o.finalWeightDecay(), 0, total, 0);
        List<ParamGroup> groups = new ArrayList<>();
        for (ParamGroup g : method.paramGroups()) {
            groups.add(
                    g.excludeBnAndBiasFromDecay(o.excludeBnAndBias())
                            .excludeFromLarsAdaptation(o.excludeBnAndBias()));
        }
        return switch (o.name()) {
            case SGD ->
                    Sgd.builder()
                            .setManager(run)
                            .setGroups(groups)
                            .setLearningRate(schedule)
                            .optWeightDecay(decay)
                            .optMomentum(o.momentum())
                            .build();
            case LARS ->
                    Lars.builder()
                            .setManager(run)
                            .setGroups(groups)
                            .setLearningRate(schedule)
                            .optWeightDecay(decay)
                            .optMomentum(o.momentum())
                            .optTrustCoefficient(o.larsEta())
                            .optClip(o.larsClip())
                            .build();
            case ADAMW ->
                    AdamW.builder()
                            .setManager(run)
                            .setGroups(groups)
                            .setLearningRate(schedule)
                            .optWeightDecay(decay)
                            .build();
        };
    }

    /**
     * The clipping rule of an {@code optimizer:} section: {@code clip_grad_norm} over all
     * gradients, or per parameter with {@code clip_grad_per_parameter} (DINO).
     *
     * @param o the section
     * @return the rule; off when {@code clip_grad_norm} is 0
     */
    public static GradientClipping gradientClipping(OptimizerSettings o) {
        return o.clipGradPerParameter()
                ? GradientClipping.perParameter(o.clipGradNorm())
                : GradientClipping.globalNorm(o.clipGradNorm());
    }
}
