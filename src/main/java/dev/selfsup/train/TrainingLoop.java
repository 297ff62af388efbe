package dev.selfsup.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.Loader;
import dev.selfsup.engine.Seeds;
import dev.selfsup.method.Method;
import dev.selfsup.method.Step;
import dev.selfsup.optim.GradientClipping;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.train.LoopObserver.BatchDone;
import dev.selfsup.train.LoopObserver.EpochDone;
import dev.selfsup.train.LoopObserver.Position;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The loop: epochs of batches, one {@link TrainStep} per batch in its own sub-manager on the
 * training device, the engine reseeded from (seed, position) before each, and every event told to
 * one {@link LoopObserver} (the {@link Trainer}'s duties, in order). It keeps the position, so a
 * stopped run, a resumed one and a second {@link #run()} continue where the last left off.
 */
final class TrainingLoop {
    private final Method method;
    private final Loader loader;
    private final Optimizer optimizer;
    private final NDManager run;
    private final long seed;
    private final int epochs;
    private final int batchesPerEpoch;
    private final int accumulateSteps;
    private final GradientClipping clipping;
    private final RunClock clock;
    private final LoopObserver observer;
    private final Supplier<String> lastCheckpoint;
    private volatile boolean stopRequested;
    private volatile long stopAtIteration = Long.MAX_VALUE;

    private long iteration;
    private int epoch;
    private int nextBatch;

    /**
     * What a run did.
     *
     * @param iterations optimiser iterations done
     * @param epochsCompleted epochs finished
     * @param interrupted whether it stopped early
     * @param lastLoss the last batch's loss, NaN if none ran
     */
    record Outcome(long iterations, int epochsCompleted, boolean interrupted, double lastLoss) {}

    /**
     * Creates the loop at the start of a run.
     *
     * @param b the trainer's settings (method, loader, optimiser, manager, seed, epochs,
     *     accumulation, clipping)
     * @param batchesPerEpoch batches per epoch, capped already
     * @param clock the run's clocks
     * @param observer every duty, in order
     * @param lastCheckpoint names the checkpoint to resume from when the loss is not finite
     */
    TrainingLoop(
            Trainer.Builder b,
            int batchesPerEpoch,
            RunClock clock,
            LoopObserver observer,
            Supplier<String> lastCheckpoint) {
        this.method = b.method;
        this.loader = b.loader;
        this.optimizer = b.optimizer;
        this.run = b.manager;
        this.seed = b.seed;
        this.epochs = b.epochs;
        this.batchesPerEpoch = batchesPerEpoch;
        this.accumulateSteps = b.accumulateSteps;
        this.clipping = b.clipping;
        this.clock = clock;
        this.observer = observer;
        this.lastCheckpoint = lastCheckpoint;
    }

    /** Asks the loop to stop at the next optimiser-step boundary; safe from any thread. */
    void requestStop() {
        stopRequested = true;
    }

    /**
     * Stops once this many optimiser iterations are done.
     *
     * @param iterations the count
     */
    void requestStopAtIteration(long iterations) {
        stopAtIteration = iterations;
    }

    /**
     * Moves to a position (a checkpoint's); a position at an epoch's end starts the next epoch.
     *
     * @param at the position
     */
    void moveTo(Position at) {
        iteration = at.iteration();
        epoch = at.nextBatch() >= batchesPerEpoch ? at.epoch() + 1 : at.epoch();
        nextBatch = at.nextBatch() >= batchesPerEpoch ? 0 : at.nextBatch();
    }

    /**
     * Trains from the current position to the last epoch, or until asked to stop.
     *
     * @return what was done
     * @throws IOException if an observer cannot write
     */
    Outcome run() throws IOException {
        long totalIters = (long) (batchesPerEpoch / accumulateSteps) * epochs;
        TrainStep stepper =
                new TrainStep(
                        method,
                        optimizer,
                        new ParameterStore(run, false),
                        accumulateSteps,
                        clipping);
        double lastLoss = Double.NaN;
        clock.start();
        try (LoopObserver o = observer) {
            o.onStart(iteration);
            for (; epoch < epochs; epoch++, nextBatch = 0) {
                method.beforeEpoch(epoch);
                double epochLoss = 0;
                int epochBatches = 0;
                long skippedBefore = loader.skippedImages();
                try (Loader.Epoch batches = loader.epoch(epoch, nextBatch)) {
                    for (int b = nextBatch; b < batchesPerEpoch; b++) {
                        long t0 = System.nanoTime();
                        HostBatch host = batches.next();
                        long t1 = System.nanoTime();
                        boolean stepNow = (b + 1) % accumulateSteps == 0;
                        float value;
                        Map<String, Double> extra;
                        try (NDManager step = run.newSubManager(run.getDevice())) {
                            Engine.getInstance()
                                    .setRandomSeed(
                                            (int)
                                                    Seeds.mix(
                                                            seed,
                                                            "engine",
                                                            iteration,
                                                            b % accumulateSteps));
                            Step s = new Step(iteration, epoch, totalIters, seed);
                            value =
                                    stepper.run(
                                            step,
                                            host.toDevice(step),
                                            s,
                                            stepNow,
                                            lastCheckpoint.get());
                            extra = method.stepMetrics();
                        }
                        long t2 = System.nanoTime();
                        lastLoss = value;
                        epochLoss += value;
                        epochBatches++;
                        o.afterBatch(
                                new BatchDone(
                                        epoch,
                                        b,
                                        iteration,
                                        stepNow,
                                        value,
                                        optimizer.learningRate(iteration),
                                        host.batchSize(),
                                        (t1 - t0) / 1e9,
                                        (t2 - t1) / 1e9,
                                        clock.wallSeconds(),
                                        extra));
                        if (stepNow) {
                            iteration++;
                            if (stopRequested || iteration >= stopAtIteration) {
                                stopRequested = false; // a request is used up by the stop it causes
                                stopAtIteration = Long.MAX_VALUE;
                                Position at = new Position(iteration, epoch, b + 1);
                                int completed = epoch;
                                o.onStop(at);
                                moveTo(at);
                                return new Outcome(iteration, completed, true, lastLoss);
                            }
                        }
                    }
                }
                o.afterEpoch(
                        new EpochDone(
                                epoch,
                                iteration,
                                epochBatches == 0 ? Double.NaN : epochLoss / epochBatches,
                                loader.skippedImages() - skippedBefore,
                                clock.wallSeconds(),
                                clock.observerSeconds()));
            }
            o.onFinish();
            return new Outcome(iteration, epochs, false, lastLoss);
        } finally {
            clock.stop();
        }
    }
}
