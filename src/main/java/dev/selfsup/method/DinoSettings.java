package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkSetting;

/**
 * The {@code dino:} section (METHODS.md §11; defaults are the official {@code main_dino.py}'s).
 *
 * @param outputDim K, the head's output width ({@code out_dim}, 65536)
 * @param hiddenDim the head MLP's hidden width (2048)
 * @param bottleneckDim the width before the weight-normalised last layer (256)
 * @param headLayers Linear layers of the head MLP (3)
 * @param headBatchNorm BatchNorm after each hidden Linear of the head ({@code use_bn_in_head}, off)
 * @param normLastLayer the last layer's norm g fixed at 1 ({@code norm_last_layer}, on)
 * @param studentTemperature T_s (0.1)
 * @param teacherTemperature T_t after its warm-up ({@code teacher_temp}, 0.04)
 * @param warmupTeacherTemperature T_t at epoch 0 ({@code warmup_teacher_temp}, 0.04)
 * @param warmupTeacherTemperatureEpochs epochs of the linear T_t warm-up (0)
 * @param centerMomentum the centre's EMA momentum (0.9; 1 keeps the centre at 0)
 * @param emaMomentum the teacher's EMA momentum at iteration 0, rising to 1 along a half cosine
 *     ({@code momentum_teacher}, 0.996)
 * @param freezeLastLayerIters iterations in which the last layer takes no update (official: one
 *     epoch, {@code freeze_last_layer} 1)
 * @param globalCrops G: the first G crops are the global ones, embedded by the teacher too (2)
 */
public record DinoSettings(
        int outputDim,
        int hiddenDim,
        int bottleneckDim,
        int headLayers,
        boolean headBatchNorm,
        boolean normLastLayer,
        double studentTemperature,
        double teacherTemperature,
        double warmupTeacherTemperature,
        int warmupTeacherTemperatureEpochs,
        double centerMomentum,
        double emaMomentum,
        long freezeLastLayerIters,
        int globalCrops)
        implements MethodSettings {
    /** Validates ranges, naming the key. */
    public DinoSettings {
        checkSetting(outputDim >= 1, "output_dim", outputDim, ">= 1");
        checkSetting(hiddenDim >= 1, "hidden_dim", hiddenDim, ">= 1");
        checkSetting(bottleneckDim >= 1, "bottleneck_dim", bottleneckDim, ">= 1");
        checkSetting(headLayers >= 1, "head_layers", headLayers, ">= 1");
        checkSetting(studentTemperature > 0, "student_temperature", studentTemperature, "> 0");
        checkSetting(teacherTemperature > 0, "teacher_temperature", teacherTemperature, "> 0");
        checkSetting(
                warmupTeacherTemperature > 0,
                "warmup_teacher_temperature",
                warmupTeacherTemperature,
                "> 0");
        checkSetting(
                warmupTeacherTemperatureEpochs >= 0,
                "warmup_teacher_temperature_epochs",
                warmupTeacherTemperatureEpochs,
                ">= 0");
        checkSetting(
                centerMomentum >= 0 && centerMomentum <= 1,
                "center_momentum",
                centerMomentum,
                "in [0, 1]");
        checkSetting(
                emaMomentum >= 0 && emaMomentum <= 1, "ema_momentum", emaMomentum, "in [0, 1]");
        checkSetting(
                freezeLastLayerIters >= 0, "freeze_last_layer_iters", freezeLastLayerIters, ">= 0");
        checkSetting(globalCrops >= 1, "global_crops", globalCrops, ">= 1");
    }

    /**
     * The official defaults ({@code main_dino.py}); the freeze is 0 iterations until a recipe
     * states one epoch's worth, which depends on its batch and dataset.
     *
     * @return the defaults
     */
    public static DinoSettings defaults() {
        return new DinoSettings(
                65536, 2048, 256, 3, false, true, 0.1, 0.04, 0.04, 0, 0.9, 0.996, 0, 2);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The teacher embeds the first {@code global_crops} crops, the student all of them, and
     * every student crop is compared with a teacher crop of another view, so the batch needs at
     * least G crops and at least 2.
     */
    @Override
    public void checkBatches(Batches batches) {
        checkSetting(
                batches.cropCount() >= Math.max(2, globalCrops),
                "global_crops",
                globalCrops,
                "at most the "
                        + batches.cropCount()
                        + " crops per image of augment.crops, which must"
                        + " be >= 2 (global crops first)");
    }

    /**
     * A copy with another {@code freeze_last_layer_iters}.
     *
     * @param value iterations in which the last layer takes no update
     * @return the copy, validated
     */
    public DinoSettings withFreezeLastLayerIters(long value) {
        return new DinoSettings(
                outputDim,
                hiddenDim,
                bottleneckDim,
                headLayers,
                headBatchNorm,
                normLastLayer,
                studentTemperature,
                teacherTemperature,
                warmupTeacherTemperature,
                warmupTeacherTemperatureEpochs,
                centerMomentum,
                emaMomentum,
                value,
                globalCrops);
    }

    /**
     * A copy with another {@code global_crops}.
     *
     * @param value G, the crops the teacher embeds
     * @return the copy, validated
     */
    public DinoSettings withGlobalCrops(int value) {
        return new DinoSettings(
                outputDim,
                hiddenDim,
                bottleneckDim,
                headLayers,
                headBatchNorm,
                normLastLayer,
                studentTemperature,
                teacherTemperature,
                warmupTeacherTemperature,
                warmupTeacherTemperatureEpochs,
                centerMomentum,
                emaMomentum,
                freezeLastLayerIters,
                value);
    }

    /**
     * A copy with other teacher and centre momenta.
     *
     * @param ema the teacher's EMA momentum at iteration 0 (1 freezes the teacher)
     * @param center the centre's momentum (1 keeps it at 0)
     * @return the copy, validated
     */
    public DinoSettings withMomenta(double ema, double center) {
        return new DinoSettings(
                outputDim,
                hiddenDim,
                bottleneckDim,
                headLayers,
                headBatchNorm,
                normLastLayer,
                studentTemperature,
                teacherTemperature,
                warmupTeacherTemperature,
                warmupTeacherTemperatureEpochs,
                center,
                ema,
                freezeLastLayerIters,
                globalCrops);
    }

    /**
     * A copy with another head size.
     *
     * @param output K
     * @param hidden the MLP's hidden width
     * @param bottleneck the width before the last layer
     * @return the copy, validated
     */
    public DinoSettings withHead(int output, int hidden, int bottleneck) {
        return new DinoSettings(
                output,
                hidden,
                bottleneck,
                headLayers,
                headBatchNorm,
                normLastLayer,
                studentTemperature,
                teacherTemperature,
                warmupTeacherTemperature,
                warmupTeacherTemperatureEpochs,
                centerMomentum,
                emaMomentum,
                freezeLastLayerIters,
                globalCrops);
    }
}
