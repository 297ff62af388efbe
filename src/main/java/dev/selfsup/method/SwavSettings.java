package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkSetting;

import java.util.List;

/**
 * The {@code swav:} section; defaults are the paper's (METHODS.md §2).
 *
 * @param prototypes K prototypes (3000)
 * @param temperature softmax temperature T (0.1)
 * @param epsilon Sinkhorn entropy weight ε (0.05)
 * @param sinkhornIterations Sinkhorn rounds (3)
 * @param cropsForAssign crops whose codes are predicted ([0, 1])
 * @param queueLength queue length per assigned crop; 0 = no queue (batch-256 recipe: 3840)
 * @param queueStartEpoch epoch from which the queue fills (15)
 * @param freezePrototypesIters iterations during which prototypes get no update (5005 at bs 256)
 */
public record SwavSettings(
        int prototypes,
        double temperature,
        double epsilon,
        int sinkhornIterations,
        List<Integer> cropsForAssign,
        int queueLength,
        int queueStartEpoch,
        int freezePrototypesIters)
        implements MethodSettings {

    /**
     * Validates ranges.
     *
     * @param prototypes K prototypes (3000)
     * @param temperature softmax temperature T (0.1)
     * @param epsilon Sinkhorn entropy weight ε (0.05)
     * @param sinkhornIterations Sinkhorn rounds (3)
     * @param cropsForAssign crops whose codes are predicted ([0, 1])
     * @param queueLength queue length per assigned crop; 0 = no queue (batch-256 recipe: 3840)
     * @param queueStartEpoch epoch from which the queue fills (15)
     * @param freezePrototypesIters iterations during which prototypes get no update (5005 at bs
     *     256)
     */
    public SwavSettings {
        cropsForAssign = List.copyOf(cropsForAssign);
        checkSetting(prototypes > 0, "prototypes", prototypes, "> 0");
        checkSetting(temperature > 0, "temperature", temperature, "> 0");
        checkSetting(epsilon > 0, "epsilon", epsilon, "> 0");
        checkSetting(sinkhornIterations >= 1, "sinkhorn_iterations", sinkhornIterations, ">= 1");
        checkSetting(
                !cropsForAssign.isEmpty() && cropsForAssign.stream().allMatch(c -> c >= 0),
                "crops_for_assign",
                cropsForAssign,
                "a non-empty list of crop indices");
        checkSetting(queueLength >= 0, "queue_length", queueLength, ">= 0 (0 = no queue)");
        checkSetting(queueStartEpoch >= 0, "queue_start_epoch", queueStartEpoch, ">= 0");
        checkSetting(
                freezePrototypesIters >= 0,
                "freeze_prototypes_iters",
                freezePrototypesIters,
                ">= 0");
    }

    /**
     * SwAV's defaults without a queue.
     *
     * @return the defaults
     */
    public static SwavSettings defaults() {
        return new SwavSettings(3000, 0.1, 0.05, 3, List.of(0, 1), 0, 15, 0);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Codes are computed for crops that exist.
     */
    @Override
    public void checkBatches(Batches batches) {
        for (int a : cropsForAssign) {
            checkSetting(
                    a < batches.cropCount(),
                    "crops_for_assign",
                    cropsForAssign,
                    "indices below the crop count " + batches.cropCount());
        }
    }

    // Withers: start from defaults() and change what you need, e.g. {@code
    // SwavSettings.defaults().withPrototypes(100).withQueueLength(0)}.

    /**
     * A copy with another {@code prototypes}: K prototypes (3000).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withPrototypes(int value) {
        return new SwavSettings(
                value,
                temperature,
                epsilon,
                sinkhornIterations,
                cropsForAssign,
                queueLength,
                queueStartEpoch,
                freezePrototypesIters);
    }

    /**
     * A copy with another {@code temperature}: softmax temperature T (0.1).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withTemperature(double value) {
        return new SwavSettings(
                prototypes,
                value,
                epsilon,
                sinkhornIterations,
                cropsForAssign,
                queueLength,
                queueStartEpoch,
                freezePrototypesIters);
    }

    /**
     * A copy with another {@code epsilon}: Sinkhorn entropy weight ε (0.05).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withEpsilon(double value) {
        return new SwavSettings(
                prototypes,
                temperature,
                value,
                sinkhornIterations,
                cropsForAssign,
                queueLength,
                queueStartEpoch,
                freezePrototypesIters);
    }

    /**
     * A copy with another {@code sinkhornIterations}: Sinkhorn rounds (3).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withSinkhornIterations(int value) {
        return new SwavSettings(
                prototypes,
                temperature,
                epsilon,
                value,
                cropsForAssign,
                queueLength,
                queueStartEpoch,
                freezePrototypesIters);
    }

    /**
     * A copy with another {@code cropsForAssign}: crops whose codes are predicted ([0, 1]).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withCropsForAssign(List<Integer> value) {
        return new SwavSettings(
                prototypes,
                temperature,
                epsilon,
                sinkhornIterations,
                value,
                queueLength,
                queueStartEpoch,
                freezePrototypesIters);
    }

    /**
     * A copy with another {@code queueLength}: queue length per assigned crop, 0 = no queue.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withQueueLength(int value) {
        return new SwavSettings(
                prototypes,
                temperature,
                epsilon,
                sinkhornIterations,
                cropsForAssign,
                value,
                queueStartEpoch,
                freezePrototypesIters);
    }

    /**
     * A copy with another {@code queueStartEpoch}: epoch from which the queue fills (15).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withQueueStartEpoch(int value) {
        return new SwavSettings(
                prototypes,
                temperature,
                epsilon,
                sinkhornIterations,
                cropsForAssign,
                queueLength,
                value,
                freezePrototypesIters);
    }

    /**
     * A copy with another {@code freezePrototypesIters}: iterations during which the prototypes get
     * no update.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public SwavSettings withFreezePrototypesIters(int value) {
        return new SwavSettings(
                prototypes,
                temperature,
                epsilon,
                sinkhornIterations,
                cropsForAssign,
                queueLength,
                queueStartEpoch,
                value);
    }
}
