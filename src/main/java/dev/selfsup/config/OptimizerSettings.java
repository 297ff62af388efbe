package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

import dev.selfsup.optim.LrScaling;

/**
 * The {@code optimizer:} section (METHODS.md §9).
 *
 * @param name sgd, lars or adamw
 * @param baseLr learning rate before scaling
 * @param lrScaling none, linear (× batch/256) or sqrt (× sqrt(batch))
 * @param finalLr learning rate at the end of the cosine (after scaling, as SwAV's final_lr)
 * @param schedule cosine (after warm-up) or constant
 * @param warmupEpochs linear warm-up length
 * @param warmupStartLr learning rate at iteration 0
 * @param momentum SGD / LARS momentum (0.9)
 * @param weightDecay weight decay (at iteration 0 with the cosine weight-decay schedule)
 * @param weightDecaySchedule constant, or cosine from weight_decay to final_weight_decay (DINO)
 * @param finalWeightDecay the value the cosine weight-decay schedule approaches at the end
 * @param excludeBnAndBias no weight decay and no LARS adaptation for BN and bias parameters
 * @param larsEta LARS trust coefficient η (0.001)
 * @param larsClip LARC clip mode
 * @param clipGradNorm clip the global gradient norm to this value; 0 = off
 * @param clipGradPerParameter clip each parameter's gradient norm to clip_grad_norm instead (DINO)
 * @param accumulateSteps micro-batches per optimiser step (gradient accumulation)
 */
public record OptimizerSettings(
        Name name,
        double baseLr,
        LrScaling lrScaling,
        double finalLr,
        ScheduleKind schedule,
        int warmupEpochs,
        double warmupStartLr,
        double momentum,
        double weightDecay,
        ScheduleKind weightDecaySchedule,
        double finalWeightDecay,
        boolean excludeBnAndBias,
        double larsEta,
        boolean larsClip,
        double clipGradNorm,
        boolean clipGradPerParameter,
        int accumulateSteps) {

    /** Optimisers. */
    public enum Name {
        /** SGD with momentum, PyTorch form. */
        SGD,
        /** LARS (SwAV's LARC, SimCLR's LARS). */
        LARS,
        /** AdamW, decoupled weight decay. */
        ADAMW
    }

    /** Learning-rate schedule after warm-up; weight-decay schedule (no warm-up). */
    public enum ScheduleKind {
        /** Cosine from the base to the final value, per iteration. */
        COSINE,
        /** Constant base value. */
        CONSTANT
    }

    /**
     * Validates ranges.
     *
     * @param name sgd, lars or adamw
     * @param baseLr learning rate before scaling
     * @param lrScaling none, linear (× batch/256) or sqrt (× sqrt(batch))
     * @param finalLr learning rate at the end of the cosine (after scaling, as SwAV's final_lr)
     * @param schedule cosine (after warm-up) or constant
     * @param warmupEpochs linear warm-up length
     * @param warmupStartLr learning rate at iteration 0
     * @param momentum SGD / LARS momentum (0.9)
     * @param weightDecay weight decay (at iteration 0 with the cosine weight-decay schedule)
     * @param weightDecaySchedule constant, or cosine from weight_decay to final_weight_decay (DINO)
     * @param finalWeightDecay the value the cosine weight-decay schedule approaches at the end
     * @param excludeBnAndBias no weight decay and no LARS adaptation for BN and bias parameters
     * @param larsEta LARS trust coefficient η (0.001)
     * @param larsClip LARC clip mode
     * @param clipGradNorm clip the global gradient norm to this value; 0 = off
     * @param clipGradPerParameter clip each parameter's gradient norm to clip_grad_norm instead
     *     (DINO)
     * @param accumulateSteps micro-batches per optimiser step (gradient accumulation)
     */
    public OptimizerSettings {
        require(baseLr > 0, "optimizer.base_lr", baseLr, "> 0");
        require(finalLr >= 0, "optimizer.final_lr", finalLr, ">= 0");
        require(warmupEpochs >= 0, "optimizer.warmup_epochs", warmupEpochs, ">= 0");
        require(warmupStartLr >= 0, "optimizer.warmup_start_lr", warmupStartLr, ">= 0");
        require(momentum >= 0 && momentum < 1, "optimizer.momentum", momentum, "in [0, 1)");
        require(weightDecay >= 0, "optimizer.weight_decay", weightDecay, ">= 0");
        require(finalWeightDecay >= 0, "optimizer.final_weight_decay", finalWeightDecay, ">= 0");
        require(larsEta > 0, "optimizer.lars_eta", larsEta, "> 0");
        require(clipGradNorm >= 0, "optimizer.clip_grad_norm", clipGradNorm, ">= 0 (0 = off)");
        require(accumulateSteps >= 1, "optimizer.accumulate_steps", accumulateSteps, ">= 1");
    }

    /**
     * SGD, lr 0.3 × batch/256, cosine to 0, wd 1e-6, no warm-up.
     *
     * @return the defaults
     */
    public static OptimizerSettings defaults() {
        return new OptimizerSettings(
                Name.SGD,
                0.3,
                LrScaling.LINEAR,
                0.0,
                ScheduleKind.COSINE,
                0,
                0.0,
                0.9,
                1e-6,
                ScheduleKind.CONSTANT,
                0.0,
                true,
                0.001,
                false,
                0.0,
                false,
                1);
    }
}
