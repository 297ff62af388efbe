package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import dev.selfsup.optim.LrSchedule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The hyper-parameters of a linear probe, recorded with every result so a number always says which
 * protocol produced it (METHODS.md §10).
 *
 * <p>Presets: {@link #moco()} (facebookresearch/moco {@code main_lincls.py}) and {@link #swav()}
 * (facebookresearch/swav {@code eval_linear.py}); anything else is {@link #custom}. The probe
 * trains on cached features, so the presets' training augmentation (RandomResizedCrop + flip) is
 * not applied: numbers are comparable to each other, and typically a little below the papers'.
 *
 * @param name the protocol's name, e.g. {@code moco}, {@code swav}, {@code custom}
 * @param learningRate the initial learning rate, {@code > 0}
 * @param epochs passes over the training features, {@code >= 1}
 * @param schedule how the rate changes per epoch
 * @param momentum SGD momentum (PyTorch form, no dampening), in [0, 1)
 * @param weightDecay L2 penalty added to the gradient of weight and bias, {@code >= 0}
 * @param batchSize training batch size, {@code >= 1}
 * @param batchNorm put a BatchNorm without affine parameters (eps 1e-6) before the linear layer, as
 *     MAE's linear probe does
 * @param evalEveryEpochs evaluate on the test features every this many epochs (and always after the
 *     last), {@code >= 1}
 */
public record ProbeProtocol(
        String name,
        double learningRate,
        int epochs,
        LrSchedule schedule,
        double momentum,
        double weightDecay,
        int batchSize,
        boolean batchNorm,
        int evalEveryEpochs) {

    /** The named presets. */
    public enum Preset {
        /** MoCo: lr 30, 100 epochs, ×0.1 at epochs 60 and 80, wd 0, momentum 0.9, batch 256. */
        MOCO,
        /** SwAV: lr 0.3, 100 epochs, cosine to 0, wd 1e-6, momentum 0.9, batch 256. */
        SWAV;

        /**
         * The preset's protocol.
         *
         * @return the protocol
         */
        public ProbeProtocol protocol() {
            return this == MOCO ? moco() : swav();
        }
    }

    /**
     * Validates every field.
     *
     * @param name the protocol's name, e.g. {@code moco}, {@code swav}, {@code custom}
     * @param learningRate the initial learning rate, {@code > 0}
     * @param epochs passes over the training features, {@code >= 1}
     * @param schedule how the rate changes per epoch
     * @param momentum SGD momentum (PyTorch form, no dampening), in [0, 1)
     * @param weightDecay L2 penalty added to the gradient of weight and bias, {@code >= 0}
     * @param batchSize training batch size, {@code >= 1}
     * @param batchNorm put a BatchNorm without affine parameters (eps 1e-6) before the linear
     *     layer, as MAE's linear probe does
     * @param evalEveryEpochs evaluate on the test features every this many epochs (and always after
     *     the last), {@code >= 1}
     */
    public ProbeProtocol {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schedule, "schedule");
        checkArgument(
                learningRate > 0 && Double.isFinite(learningRate),
                "learningRate must be > 0, got %s",
                learningRate);
        checkArgument(epochs >= 1, "epochs must be >= 1, got %s", epochs);
        checkArgument(
                momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
        checkArgument(weightDecay >= 0, "weightDecay must be >= 0, got %s", weightDecay);
        checkArgument(batchSize >= 1, "batchSize must be >= 1, got %s", batchSize);
        checkArgument(
                evalEveryEpochs >= 1, "evalEveryEpochs must be >= 1, got %s", evalEveryEpochs);
    }

    /**
     * MoCo's linear classification protocol: lr 30, 100 epochs, ×0.1 at epochs 60 and 80, weight
     * decay 0, momentum 0.9, batch 256, no BatchNorm, evaluated every epoch.
     *
     * @return the protocol
     */
    public static ProbeProtocol moco() {
        return new ProbeProtocol(
                "moco", 30, 100, LrSchedule.step(List.of(60, 80), 0.1), 0.9, 0, 256, false, 1);
    }

    /**
     * SwAV's linear evaluation protocol: lr 0.3, 100 epochs, cosine to 0, weight decay 1e-6,
     * momentum 0.9, batch 256, no BatchNorm (official SwAV uses an affine BatchNorm by default;
     * enable {@link #withBatchNorm} for the closest match), evaluated every epoch.
     *
     * @return the protocol
     */
    public static ProbeProtocol swav() {
        return new ProbeProtocol("swav", 0.3, 100, LrSchedule.cosine(0), 0.9, 1e-6, 256, false, 1);
    }

    /**
     * A protocol of your own, with momentum 0.9, no BatchNorm, evaluated every epoch.
     *
     * @param learningRate initial rate
     * @param epochs epochs
     * @param weightDecay L2 penalty
     * @param schedule per-epoch schedule
     * @param batchSize batch size
     * @return the protocol, named {@code custom}
     */
    public static ProbeProtocol custom(
            double learningRate,
            int epochs,
            double weightDecay,
            LrSchedule schedule,
            int batchSize) {
        return new ProbeProtocol(
                "custom", learningRate, epochs, schedule, 0.9, weightDecay, batchSize, false, 1);
    }

    /**
     * The learning rate of one epoch.
     *
     * @param epoch 0-based epoch in [0, epochs]
     * @return the rate
     */
    public double learningRateAt(int epoch) {
        return schedule.at(learningRate, epoch, epochs);
    }

    /**
     * This protocol with another epoch count (the schedule's milestones stay where they are).
     *
     * @param value epochs
     * @return a copy
     */
    public ProbeProtocol withEpochs(int value) {
        return new ProbeProtocol(
                name,
                learningRate,
                value,
                schedule,
                momentum,
                weightDecay,
                batchSize,
                batchNorm,
                evalEveryEpochs);
    }

    /**
     * This protocol with BatchNorm (no affine) before the linear layer switched on or off.
     *
     * @param value true for BatchNorm
     * @return a copy
     */
    public ProbeProtocol withBatchNorm(boolean value) {
        return new ProbeProtocol(
                name,
                learningRate,
                epochs,
                schedule,
                momentum,
                weightDecay,
                batchSize,
                value,
                evalEveryEpochs);
    }

    /**
     * This protocol evaluated every {@code value} epochs.
     *
     * @param value epochs between evaluations
     * @return a copy
     */
    public ProbeProtocol withEvalEveryEpochs(int value) {
        return new ProbeProtocol(
                name,
                learningRate,
                epochs,
                schedule,
                momentum,
                weightDecay,
                batchSize,
                batchNorm,
                value);
    }

    /**
     * Every hyper-parameter by its snake_case name, for {@code results.json}.
     *
     * @return an ordered map of numbers, booleans, strings and lists
     */
    public Map<String, Object> hyperParameters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lr", learningRate);
        out.put("epochs", epochs);
        out.putAll(new java.util.TreeMap<>(schedule.describe()));
        out.put("momentum", momentum);
        out.put("weight_decay", weightDecay);
        out.put("batch_size", batchSize);
        out.put("batch_norm", batchNorm);
        out.put("eval_every_epochs", evalEveryEpochs);
        out.put("init", "normal(0, 0.01), bias 0");
        out.put("optimizer", "sgd (pytorch form)");
        return out;
    }
}
