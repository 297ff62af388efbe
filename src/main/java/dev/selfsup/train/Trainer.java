package dev.selfsup.train;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.Loader;
import dev.selfsup.method.Method;
import dev.selfsup.optim.GradientClipping;
import dev.selfsup.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final NDManager run;
    private final RunClock clock = new RunClock();
    private final CheckpointLayout layout;
    private final CheckpointWriter checkpoints;
    private final List<Path> runFiles;
    private final TrainingLoop loop;

    /** Set by {@link #resume}: only then may {@link #fit} continue files that hold a run. */
    private boolean resumed;

    private Trainer(Builder b) {
        int batches = batchesPerEpoch(b.loader, b.stepsPerEpoch);
        checkArgument(
                batches >= b.accumulateSteps,
                "an epoch has %s batches, fewer than optimizer.accumulate_steps %s; use a smaller batch or more data",
                batches,
                b.accumulateSteps);
        this.run = b.manager;
        this.layout = new CheckpointLayout(b.method, b.optimizer, b.seed, b.recipeYaml);
        this.checkpoints =
                new CheckpointWriter(
                        layout,
                        clock,
                        b.checkpoint,
                        b.epochCheckpointEvery,
                        b.epochCheckpoint,
                        b.epochs);
        this.runFiles =
                b.metrics == null ? List.of(b.checkpoint) : List.of(b.checkpoint, b.metrics);
        // progress by default, about ten lines an epoch when the output is not a terminal
        Progress progress =
                b.progress != null ? b.progress : Progress.forConsole(Math.max(1, batches / 10));
        LoopObservers observers = new LoopObservers();
        if (b.metrics != null) {
            observers.add(new MetricsWriter(b.metrics, b.logEverySteps));
        }
        observers
                .add(checkpoints)
                .add(new ProgressReporter(progress, b.epochs, batches, b.accumulateSteps))
                .add(
                        new ObserverRunner(
                                b.epochObservers,
                                b.stepObservers,
                                b.method,
                                b.manager,
                                b.epochs,
                                clock,
                                observers::observed));
        if (b.chartFile != null) {
            observers.add(
                    new PlotWriter(b.metrics, b.chartFile, b.epochObservers, b.stepObservers));
        }
        if (b.backbone != null) {
            observers.add(new BackboneExport(b.method, b.backbone));
        }
        observers.add(new StopOnShutdown(this::requestStop));
        this.loop = new TrainingLoop(b, batches, clock, observers, checkpoints::lastGood);
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
        return batchesPerEpoch(loader, stepsPerEpoch) / accumulateSteps;
    }

    private static int batchesPerEpoch(Loader loader, int stepsPerEpoch) {
        int full = loader.batchesPerEpoch();
        return stepsPerEpoch > 0 ? Math.min(stepsPerEpoch, full) : full;
    }

    /**
     * Asks the loop to stop at the next optimiser-step boundary, writing a checkpoint first (what
     * SIGTERM and Ctrl-C do); safe to call from any thread.
     */
    public void requestStop() {
        loop.requestStop();
    }

    /**
     * Stops (with a checkpoint) once {@code iterations} optimiser steps are done, as if {@link
     * #requestStop()} were called then; for time-boxed jobs and tests.
     *
     * @param iterations the iteration count to stop at
     */
    public void requestStopAtIteration(long iterations) {
        loop.requestStopAtIteration(iterations);
    }

    /**
     * Restores a checkpoint into the method, the optimiser and the loop position.
     *
     * @param file a checkpoint written by a trainer of the same model
     * @throws IOException if it cannot be read or does not match the model
     */
    public void resume(Path file) throws IOException {
        CheckpointLayout.Restored r = layout.restore(file, run);
        clock.restore(r.wallSeconds(), r.observerSeconds());
        loop.moveTo(r.position());
        resumed = true;
        LoopObserver.Position at = r.position();
        LOG.info(
                "resumed from {} at iteration {} (epoch {}, batch {})",
                file,
                at.iteration(),
                at.epoch() + 1,
                at.nextBatch());
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
        for (Path f : runFiles) {
            if (!resumed && Files.exists(f)) {
                throw new IllegalStateException(
                        f
                                + " already holds a run; continue it with trainer.resume("
                                + checkpoints.latest()
                                + ") before fit(), or choose other files");
            }
        }
        resumed = true; // a second fit() of this trainer continues its own run
        TrainingLoop.Outcome o = loop.run();
        return new Result(
                o.iterations(),
                o.epochsCompleted(),
                o.interrupted(),
                o.lastLoss(),
                checkpoints.latest());
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
            checkArgument(method != null, "setMethod is required");
            checkArgument(loader != null, "setLoader is required");
            checkArgument(optimizer != null, "setOptimizer is required");
            checkArgument(manager != null, "setManager is required");
            checkArgument(checkpoint != null, "setCheckpoint is required");
            checkArgument(epochs >= 1, "epochs must be >= 1, got %s", epochs);
            checkArgument(
                    accumulateSteps >= 1, "accumulate steps must be >= 1, got %s", accumulateSteps);
            checkArgument(logEverySteps >= 1, "log interval must be >= 1, got %s", logEverySteps);
            checkArgument(
                    epochCheckpoint == null || epochCheckpointEvery >= 1,
                    "epoch checkpoints every %s epochs: must be >= 1",
                    epochCheckpointEvery);
            checkArgument(
                    chartFile == null || metrics != null,
                    "optPlots needs optMetrics: plots are drawn from the metrics file");
            return new Trainer(this);
        }
    }
}
