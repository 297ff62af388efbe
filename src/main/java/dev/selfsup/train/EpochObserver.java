package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.selfsup.model.Backbone;
import java.io.IOException;
import java.util.List;

/**
 * Called by the {@link Trainer} after every epoch (once the epoch's checkpoint is written), e.g. a
 * kNN monitor ({@code run.KnnObserver}). The trainer times each call and leaves that time out of
 * the run's {@code wall_seconds}, so time-to-accuracy curves do not pay for their own measurement;
 * a non-empty {@link Observation} becomes one line of the metrics file, of kind {@link #kind()},
 * with {@code epoch}, {@code step}, {@code wall_seconds} and {@code seconds} (this call's own time)
 * before the observer's values.
 *
 * <p>An observer must not change training: no gradient collector, parameters only read (forward
 * passes with {@code training = false} leave BatchNorm statistics alone), and every array in {@link
 * EpochEnd#scope()}, which the trainer closes after the call. Training randomness is derived per
 * step from the run seed, so an observer's own random draws cannot move it.
 */
public interface EpochObserver {
    /**
     * The {@code kind} of the metrics lines this observer writes, e.g. {@code "knn"}.
     *
     * @return a short lower-case name
     */
    String kind();

    /**
     * Observes the model after an epoch; return {@link Observation#none()} on epochs the observer
     * skips.
     *
     * @param end where training is, the backbone, and a scope for temporaries
     * @return what to log
     * @throws IOException if the observer's data cannot be read
     */
    Observation afterEpoch(EpochEnd end) throws IOException;

    /**
     * Draws this observer's plots from every metrics line so far, to files it was given when built;
     * called after each epoch when the trainer draws plots ({@link Trainer.Builder#optPlots}).
     * Default: none.
     *
     * @param metrics the lines of the metrics file, in order
     * @throws IOException if a plot cannot be written
     */
    default void plot(List<JsonObject> metrics) throws IOException {}

    /**
     * The state an epoch observer sees.
     *
     * @param epoch the epoch just finished, from 0
     * @param epochs the run's epoch count (so {@code epoch + 1 == epochs} is the last)
     * @param step the last optimiser iteration of the epoch, as in the step lines
     * @param wallSeconds training time since the run started, observers' own time excluded
     * @param backbone the backbone being trained (read it, do not train it)
     * @param scope a sub-manager on the training device for temporaries, closed after the call
     */
    record EpochEnd(
            int epoch,
            int epochs,
            long step,
            double wallSeconds,
            Backbone backbone,
            NDManager scope) {}
}
