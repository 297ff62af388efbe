package dev.selfsup.train;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;

/**
 * One duty of the training loop (metrics, progress, checkpoints, the user's {@link EpochObserver}s
 * and {@link StepObserver}s, plots, backbone export, stopping on a signal), told what the loop did.
 * {@link Trainer} chooses the observers and their order; {@link TrainingLoop} sees only this
 * interface and calls every event on each observer in that order. The loop calls {@link #close()}
 * however a run ends, and may start again ({@link #onStart}) for a second {@code fit()}.
 */
interface LoopObserver extends Closeable {
    /**
     * A run (or a resumed session of it) begins.
     *
     * @param iteration the first optimiser iteration to run, 0 for a fresh run
     * @throws IOException if the observer's files cannot be opened
     */
    default void onStart(long iteration) throws IOException {}

    /**
     * A micro-batch was trained (and, when {@link BatchDone#stepped()}, the optimiser stepped).
     *
     * @param batch what was done
     * @throws IOException if writing fails
     */
    default void afterBatch(BatchDone batch) throws IOException {}

    /**
     * An epoch ended.
     *
     * @param epoch what was done
     * @throws IOException if writing fails
     */
    default void afterEpoch(EpochDone epoch) throws IOException {}

    /**
     * A user observer reported a non-empty {@link Observation}.
     *
     * @param line the observation with where and when it was made
     * @throws IOException if writing fails
     */
    default void observed(Observed line) throws IOException {}

    /**
     * The run stops early (a signal or {@link Trainer#requestStop()}) at an optimiser-step
     * boundary.
     *
     * @param at where a resumed run continues
     * @throws IOException if writing fails
     */
    default void onStop(Position at) throws IOException {}

    /**
     * The last epoch ended.
     *
     * @throws IOException if writing fails
     */
    default void onFinish() throws IOException {}

    @Override
    default void close() throws IOException {}

    /**
     * Where a run is: what a checkpoint records and a resumed run starts from.
     *
     * @param iteration optimiser iterations done
     * @param epoch the epoch to continue, from 0
     * @param nextBatch the batch of that epoch to continue with
     */
    record Position(long iteration, int epoch, int nextBatch) {}

    /**
     * One trained micro-batch.
     *
     * @param epoch the epoch, from 0
     * @param batch the batch within the epoch, from 0
     * @param iteration the optimiser iteration the batch belongs to
     * @param stepped whether the batch ended an accumulation round (the optimiser stepped)
     * @param loss the batch's loss
     * @param learningRate the base learning rate of {@code iteration}
     * @param images source images in the batch
     * @param dataWaitSeconds time spent waiting for the batch
     * @param stepSeconds time of the training step
     * @param wallSeconds training time since the run began, observers excluded
     * @param methodMetrics the method's own per-step numbers
     */
    record BatchDone(
            int epoch,
            int batch,
            long iteration,
            boolean stepped,
            float loss,
            double learningRate,
            int images,
            double dataWaitSeconds,
            double stepSeconds,
            double wallSeconds,
            Map<String, Double> methodMetrics) {
        /**
         * Source images per second of this batch, waiting included.
         *
         * @return the rate
         */
        double imagesPerSecond() {
            return images / (dataWaitSeconds + stepSeconds);
        }
    }

    /**
     * One finished epoch.
     *
     * @param epoch the epoch, from 0
     * @param iterations optimiser iterations done
     * @param meanLoss mean loss of the epoch's batches in this session
     * @param skippedImages unreadable images skipped in the epoch
     * @param wallSeconds training time since the run began, observers excluded
     * @param observerSeconds observer time since the run began
     */
    record EpochDone(
            int epoch,
            long iterations,
            double meanLoss,
            long skippedImages,
            double wallSeconds,
            double observerSeconds) {}

    /**
     * A non-empty observation of a user observer.
     *
     * @param kind the observer's {@code kind}
     * @param epoch the epoch, from 0
     * @param step the optimiser iteration observed
     * @param wallSeconds training time when the observer started
     * @param seconds the observer's own time
     * @param observation what it reported
     */
    record Observed(
            String kind,
            int epoch,
            long step,
            double wallSeconds,
            double seconds,
            Observation observation) {}
}
