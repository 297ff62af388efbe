package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.List;
import java.util.Map;

/**
 * A per-epoch learning-rate schedule of a linear probe or fine-tuning run: constant, step decay
 * (MoCo) or cosine (SwAV). It names the shape; the values come from the {@link Schedule} family
 * that pretraining uses, stepped once per epoch.
 *
 * <p>Epochs are 0-based: {@code at(base, 0, epochs)} is the rate of the first epoch, as in MoCo's
 * {@code adjust_learning_rate} and SwAV's per-epoch {@code CosineAnnealingLR}.
 */
public sealed interface LrSchedule {
    /**
     * The learning rate used during one epoch.
     *
     * @param base the initial learning rate
     * @param epoch the 0-based epoch, in [0, epochs]
     * @param epochs the total number of epochs
     * @return the rate
     */
    double at(double base, int epoch, int epochs);

    /**
     * The schedule's own settings, for the protocol record.
     *
     * @return name → value, in a fixed order
     */
    Map<String, Object> describe();

    /**
     * The same rate every epoch.
     *
     * @return the constant schedule
     */
    static LrSchedule constant() {
        return new Constant();
    }

    /**
     * Multiplies the rate by {@code gamma} at each milestone: MoCo's {@code --schedule 60 80} with
     * gamma 0.1.
     *
     * @param milestoneEpochs 0-based epochs from which one more factor applies, ascending, {@code
     *     >= 1}
     * @param gamma the factor, in (0, 1]
     * @return the step schedule
     */
    static LrSchedule step(List<Integer> milestoneEpochs, double gamma) {
        return new Step(milestoneEpochs, gamma);
    }

    /**
     * Half a cosine from the base rate to {@code finalLearningRate} over all epochs: {@code final +
     * (base − final)(1 + cos(π e / E)) / 2}, as PyTorch's {@code CosineAnnealingLR(T_max = E,
     * eta_min = final)} stepped once per epoch (SwAV {@code eval_linear.py}, final 0).
     *
     * @param finalLearningRate the rate reached after the last epoch, {@code >= 0}
     * @return the cosine schedule
     */
    static LrSchedule cosine(double finalLearningRate) {
        return new Cosine(finalLearningRate);
    }

    /** The same rate every epoch. */
    record Constant() implements LrSchedule {
        @Override
        public double at(double base, int epoch, int epochs) {
            checkEpoch(epoch, epochs);
            return Schedule.constant(base).value(epoch);
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("schedule", "constant");
        }
    }

    /**
     * Step decay.
     *
     * @param milestoneEpochs ascending 0-based epochs, each {@code >= 1}
     * @param gamma the factor per milestone, in (0, 1]
     */
    record Step(List<Integer> milestoneEpochs, double gamma) implements LrSchedule {
        /**
         * Validates and copies the milestones.
         *
         * @param milestoneEpochs ascending 0-based epochs, each {@code >= 1}
         * @param gamma the factor per milestone, in (0, 1]
         */
        public Step {
            checkArgument(!milestoneEpochs.isEmpty(), "step schedule needs milestones, got none");
            for (int i = 0; i < milestoneEpochs.size(); i++) {
                checkArgument(
                        milestoneEpochs.get(i) >= 1
                                && (i == 0 || milestoneEpochs.get(i) > milestoneEpochs.get(i - 1)),
                        "milestones must be ascending epochs >= 1, got %s",
                        milestoneEpochs);
            }
            checkArgument(gamma > 0 && gamma <= 1, "gamma must be in (0, 1], got %s", gamma);
            milestoneEpochs = List.copyOf(milestoneEpochs);
        }

        @Override
        public double at(double base, int epoch, int epochs) {
            checkEpoch(epoch, epochs);
            return Schedule.multiStep(
                            base, milestoneEpochs.stream().map(Integer::longValue).toList(), gamma)
                    .value(epoch);
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("schedule", "step", "milestone_epochs", milestoneEpochs, "gamma", gamma);
        }
    }

    /**
     * Cosine decay.
     *
     * @param finalLearningRate the rate after the last epoch, {@code >= 0}
     */
    record Cosine(double finalLearningRate) implements LrSchedule {
        /**
         * Validates the final rate.
         *
         * @param finalLearningRate the rate after the last epoch, {@code >= 0}
         */
        public Cosine {
            checkArgument(
                    finalLearningRate >= 0,
                    "finalLearningRate must be >= 0, got %s",
                    finalLearningRate);
        }

        @Override
        public double at(double base, int epoch, int epochs) {
            checkEpoch(epoch, epochs);
            // the closed end (epoch == epochs) is the final rate, as CosineAnnealingLR reports it
            return epoch == epochs
                    ? finalLearningRate
                    : Schedule.warmupCosine(base, finalLearningRate, 0, epochs, base).value(epoch);
        }

        @Override
        public Map<String, Object> describe() {
            return Map.of("schedule", "cosine", "final_lr", finalLearningRate);
        }
    }

    private static void checkEpoch(int epoch, int epochs) {
        checkArgument(
                epoch >= 0 && epoch <= epochs, "epoch must be in [0, %s], got %s", epochs, epoch);
    }
}
