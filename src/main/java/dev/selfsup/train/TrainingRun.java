package dev.selfsup.train;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.Loader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Trainer} does behind its public face: wires the loop to its observers, and resumes
 * and runs it; kept apart so that the trainer's file holds its API and builder.
 */
final class TrainingRun {
    // logs under the trainer's name, as before the split
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final NDManager run;
    private final RunClock clock = new RunClock();
    private final CheckpointLayout layout;
    private final CheckpointWriter checkpoints;
    private final List<Path> runFiles;
    private final TrainingLoop loop;

    /** Set by {@link #resume}: only then may {@link #fit} continue files that hold a run. */
    private boolean resumed;

    TrainingRun(Trainer.Builder b) {
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
     * The checks of {@link Trainer.Builder#build()}, in their order.
     *
     * @param b the builder
     * @throws IllegalArgumentException if a required setting is missing or a value is out of range
     */
    static void checkBuilder(Trainer.Builder b) {
        checkArgument(b.method != null, "setMethod is required");
        checkArgument(b.loader != null, "setLoader is required");
        checkArgument(b.optimizer != null, "setOptimizer is required");
        checkArgument(b.manager != null, "setManager is required");
        checkArgument(b.checkpoint != null, "setCheckpoint is required");
        checkArgument(b.epochs >= 1, "epochs must be >= 1, got %s", b.epochs);
        checkArgument(
                b.accumulateSteps >= 1, "accumulate steps must be >= 1, got %s", b.accumulateSteps);
        checkArgument(b.logEverySteps >= 1, "log interval must be >= 1, got %s", b.logEverySteps);
        checkArgument(
                b.epochCheckpoint == null || b.epochCheckpointEvery >= 1,
                "epoch checkpoints every %s epochs: must be >= 1",
                b.epochCheckpointEvery);
        checkArgument(
                b.chartFile == null || b.metrics != null,
                "optPlots needs optMetrics: plots are drawn from the metrics file");
    }

    /**
     * The loader's batches in one epoch, at most {@code stepsPerEpoch} of them.
     *
     * @param loader the data loader
     * @param stepsPerEpoch caps batches per epoch; 0 = the whole dataset
     * @return batches per epoch
     */
    static int batchesPerEpoch(Loader loader, int stepsPerEpoch) {
        int full = loader.batchesPerEpoch();
        return stepsPerEpoch > 0 ? Math.min(stepsPerEpoch, full) : full;
    }

    /** See {@link Trainer#requestStop()}. */
    void requestStop() {
        loop.requestStop();
    }

    /**
     * See {@link Trainer#requestStopAtIteration(long)}.
     *
     * @param iterations the iteration count to stop at
     */
    void requestStopAtIteration(long iterations) {
        loop.requestStopAtIteration(iterations);
    }

    /**
     * See {@link Trainer#resume(Path)}.
     *
     * @param file a checkpoint written by a trainer of the same model
     * @throws IOException if it cannot be read or does not match the model
     */
    void resume(Path file) throws IOException {
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
     * See {@link Trainer#fit()}.
     *
     * @return what was done
     * @throws IOException if a checkpoint, metrics or the exported backbone cannot be written
     */
    Trainer.Result fit() throws IOException {
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
        return new Trainer.Result(
                o.iterations(),
                o.epochsCompleted(),
                o.interrupted(),
                o.lastLoss(),
                checkpoints.latest());
    }
}
