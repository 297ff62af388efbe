package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.Loader;
import dev.selfsup.method.Method;
import dev.selfsup.optim.GradientClipping;
import dev.selfsup.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The hand-written training loop ({@link TrainingLoop}: one sub-{@link NDManager} per step on the
 * training device, forward and backward inside one gradient collector, then the optimiser and the
 * method's state updates in place) and its duties, each a {@link LoopObserver} called in this
 * order: the metrics file ({@link MetricsWriter}), checkpoints ({@link CheckpointWriter}), progress
 * ({@link ProgressReporter}), the user's {@link StepObserver}s and {@link EpochObserver}s ({@link
 * ObserverRunner}), plots ({@link PlotWriter}), the backbone's export ({@link BackboneExport}) and
 * the shutdown hook ({@link StopOnShutdown}). Every file is the caller's to name.
 *
 * <p>Checkpoints hold every block's parameters and buffers, the optimiser state, the method's
 * queues and the position in the data ({@link CheckpointLayout}); all randomness derives from
 * (seed, purpose, position), so a resumed run repeats an uninterrupted one exactly on the CPU. A
 * NaN/Inf loss stops the run before the update, keeping the last checkpoint; SIGTERM / Ctrl-C
 * writes a checkpoint at the next step boundary.
 *
 * <p>Observers' time is measured and left out of {@code wall_seconds} (training time since the run
 * started, carried across resumes), which step, epoch and observer lines all record.
 */
public final class Trainer {
    /** The wiring, state and loop behind this API; see {@link TrainingRun}. */
    private final TrainingRun impl;

    private Trainer(Builder b) {
        this.impl = new TrainingRun(b);
    }

    /**
     * A builder; method, loader, optimiser, manager and checkpoint file are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Optimiser iterations in one epoch: the loader's batches, at most {@code stepsPerEpoch} of
     * them, over the accumulation steps (what a schedule built before the trainer needs).
     *
     * @param loader the data loader
     * @param stepsPerEpoch caps batches per epoch; 0 = the whole dataset
     * @param accumulateSteps micro-batches per optimiser step
     * @return iterations per epoch
     */
    public static long itersPerEpoch(Loader loader, int stepsPerEpoch, int accumulateSteps) {
        return TrainingRun.batchesPerEpoch(loader, stepsPerEpoch) / accumulateSteps;
    }

    /**
     * Asks the loop to stop at the next optimiser-step boundary, writing a checkpoint first (what
     * SIGTERM and Ctrl-C do); safe to call from any thread.
     */
    public void requestStop() {
        impl.requestStop();
    }

    /**
     * Stops (with a checkpoint) once {@code iterations} optimiser steps are done, as if {@link
     * #requestStop()} were called then; for time-boxed jobs and tests.
     *
     * @param iterations the iteration count to stop at
     */
    public void requestStopAtIteration(long iterations) {
        impl.requestStopAtIteration(iterations);
    }

    /**
     * Restores a checkpoint into the method, the optimiser and the loop position.
     *
     * @param file a checkpoint written by a trainer of the same model
     * @throws IOException if it cannot be read or does not match the model
     */
    public void resume(Path file) throws IOException {
        impl.resume(file);
    }

    /**
     * What a finished (or interrupted) run reports.
     *
     * @param iterations optimiser iterations done
     * @param epochsCompleted epochs finished
     * @param interrupted whether the run stopped early
     * @param lastLoss the last batch's loss
     * @param checkpoint the latest checkpoint's file
     */
    public record Result(
            long iterations,
            int epochsCompleted,
            boolean interrupted,
            double lastLoss,
            Path checkpoint) {}

    /**
     * Trains from the current position to the last epoch.
     *
     * @return what was done
     * @throws IOException if a checkpoint, metrics or the exported backbone cannot be written
     * @throws IllegalStateException if the checkpoint or metrics file already exists and {@link
     *     #resume} was not called
     */
    public Result fit() throws IOException {
        return impl.fit();
    }

    /** Builder of a {@link Trainer}. */
    public static final class Builder {
        Method method;
        Loader loader;
        Optimizer optimizer;
        NDManager manager;
        Path checkpoint;
        int epochCheckpointEvery;
        IntFunction<Path> epochCheckpoint;
        Path metrics;
        Function<String, Path> chartFile;
        Path backbone;
        int epochs = 1;
        int stepsPerEpoch;
        int logEverySteps = 1;
        long seed;
        int accumulateSteps = 1;
        GradientClipping clipping = GradientClipping.off();
        String recipeYaml = "";
        Progress progress;
        final List<EpochObserver> epochObservers = new ArrayList<>();
        final List<StepObserver> stepObservers = new ArrayList<>();

        private Builder() {}

        /**
         * Sets the method (required).
         *
         * @param m the method
         * @return this
         */
        public Builder setMethod(Method m) {
            method = m;
            return this;
        }

        /**
         * Sets the data loader (required).
         *
         * @param l the loader
         * @return this
         */
        public Builder setLoader(Loader l) {
            loader = l;
            return this;
        }

        /**
         * Sets the optimiser over the method's groups (required).
         *
         * @param o the optimiser
         * @return this
         */
        public Builder setOptimizer(Optimizer o) {
            optimizer = o;
            return this;
        }

        /**
         * Sets the run manager that owns parameters and state; fixes the device (required).
         *
         * @param m the manager
         * @return this
         */
        public Builder setManager(NDManager m) {
            manager = m;
            return this;
        }

        /**
         * Sets the latest checkpoint's file (required): written after every epoch and when the run
         * stops early, through a temporary file and a rename; {@link #resume} reads it.
         *
         * @param file e.g. a run folder's {@code checkpoints/latest.ckpt}
         * @return this
         */
        public Builder setCheckpoint(Path file) {
            checkpoint = file;
            return this;
        }

        /**
         * Keeps a copy of the latest checkpoint every N epochs and after the last; default none.
         *
         * @param everyEpochs N, {@code >= 1}
         * @param file the copy's file for the number of epochs done (run folders number them {@code
         *     checkpoints/epoch_NNNN.ckpt})
         * @return this
         */
        public Builder optEpochCheckpoints(int everyEpochs, IntFunction<Path> file) {
            epochCheckpointEvery = everyEpochs;
            epochCheckpoint = Objects.requireNonNull(file, "epoch checkpoint file");
            return this;
        }

        /**
         * Appends the run's metrics to a JSON-lines file ({@link MetricsLog}); default none.
         *
         * @param file e.g. a run folder's {@code metrics.jsonl}
         * @return this
         */
        public Builder optMetrics(Path file) {
            metrics = Objects.requireNonNull(file, "metrics file");
            return this;
        }

        /**
         * Redraws PNG plots from the metrics file after every epoch (loss, learning rate, images
         * per second, and each observer's {@code plot}); needs {@link #optMetrics}. Default none.
         *
         * @param file a chart's PNG file from its name ({@code loss}, {@code lr}, {@code
         *     images_per_second}; observers add theirs)
         * @return this
         */
        public Builder optPlots(Function<String, Path> file) {
            chartFile = Objects.requireNonNull(file, "chart file");
            return this;
        }

        /**
         * Saves the trained backbone as safetensors after the last epoch ({@code Weights.save});
         * default none.
         *
         * @param file e.g. a run folder's {@code backbone.safetensors}
         * @return this
         */
        public Builder optExportBackbone(Path file) {
            backbone = Objects.requireNonNull(file, "backbone file");
            return this;
        }

        /**
         * Sets the number of epochs; default 1.
         *
         * @param n epochs
         * @return this
         */
        public Builder optEpochs(int n) {
            epochs = n;
            return this;
        }

        /**
         * Caps batches per epoch; default 0 = the whole dataset.
         *
         * @param n batches
         * @return this
         */
        public Builder optStepsPerEpoch(int n) {
            stepsPerEpoch = n;
            return this;
        }

        /**
         * Writes a metrics line every N iterations; default 1.
         *
         * @param n iterations
         * @return this
         */
        public Builder optLogEverySteps(int n) {
            logEverySteps = n;
            return this;
        }

        /**
         * Sets the run seed; default 0.
         *
         * @param s the seed
         * @return this
         */
        public Builder optSeed(long s) {
            seed = s;
            return this;
        }

        /**
         * Micro-batches per optimiser step; default 1.
         *
         * @param n micro-batches
         * @return this
         */
        public Builder optAccumulateSteps(int n) {
            accumulateSteps = n;
            return this;
        }

        /**
         * Clips the global gradient norm; default 0 = off.
         *
         * @param max the norm
         * @return this
         */
        public Builder optClipGradNorm(double max) {
            clipping = GradientClipping.globalNorm(max);
            return this;
        }

        /**
         * Sets the gradient clipping rule (global or per-parameter norm); default off. Replaces
         * {@link #optClipGradNorm(double)}.
         *
         * @param rule the rule
         * @return this
         */
        public Builder optGradientClipping(GradientClipping rule) {
            clipping = java.util.Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * The resolved recipe kept in every checkpoint.
         *
         * @param yaml the recipe
         * @return this
         */
        public Builder optRecipeYaml(String yaml) {
            recipeYaml = yaml;
            return this;
        }

        /**
         * Progress reporting; default {@link Progress#forConsole} on {@code System.err} (a bar
         * redrawn in place on a terminal, else about ten lines per epoch), {@link Progress#none()}
         * for quiet.
         *
         * @param p the reporter
         * @return this
         */
        public Builder optProgress(Progress p) {
            progress = Objects.requireNonNull(p, "progress (Progress.none() for quiet)");
            return this;
        }

        /**
         * Adds an observer called after every epoch (a kNN monitor); default none. Observers run in
         * the order added.
         *
         * @param o the observer
         * @return this
         */
        public Builder addEpochObserver(EpochObserver o) {
            epochObservers.add(Objects.requireNonNull(o, "epoch observer"));
            return this;
        }

        /**
         * Adds an observer called after every optimiser step (embedding diagnostics); default none.
         * Observers run in the order added.
         *
         * @param o the observer
         * @return this
         */
        public Builder addStepObserver(StepObserver o) {
            stepObservers.add(Objects.requireNonNull(o, "step observer"));
            return this;
        }

        /**
         * Builds the trainer.
         *
         * @return the trainer
         */
        public Trainer build() {
            TrainingRun.checkBuilder(this);
            return new Trainer(this);
        }
    }
}
