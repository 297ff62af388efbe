package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.selfsup.method.Method;
import java.io.IOException;
import java.util.List;

/**
 * Called by the {@link Trainer} after every optimiser step, e.g. embedding diagnostics on a fixed
 * batch ({@code run.DiagnosticsObserver}); the step-level twin of {@link EpochObserver}, with the
 * same rules: timed and left out of {@code wall_seconds}, no gradients, parameters only read,
 * arrays only in {@link StepEnd#scope()}. A non-empty {@link Observation} becomes one line of the
 * metrics file, of kind {@link #kind()}. The call happens on every step, so an observer that works
 * every N steps should return {@link Observation#none()} quickly in between.
 */
public interface StepObserver {
    /**
     * The {@code kind} of the metrics lines this observer writes, e.g. {@code "diagnostics"}.
     *
     * @return a short lower-case name
     */
    String kind();

    /**
     * Observes the model after an optimiser step.
     *
     * @param end where training is, the method, and a scope for temporaries
     * @return what to log, or {@link Observation#none()}
     * @throws IOException if the observer's data cannot be read
     */
    Observation afterStep(StepEnd end) throws IOException;

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
     * The state a step observer sees.
     *
     * @param step the optimiser iteration just done, as in the step lines
     * @param epoch the current epoch, from 0
     * @param wallSeconds training time since the run started, observers' own time excluded
     * @param method the method being trained (its backbone and head; read them, do not train them)
     * @param scope a sub-manager on the training device for temporaries, closed after the call
     */
    record StepEnd(long step, int epoch, double wallSeconds, Method method, NDManager scope) {}
}
