package dev.selfsup.train;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.JsonObject;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.Loader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Seeds;
import dev.selfsup.internal.InPlace;
import dev.selfsup.method.Method;
import dev.selfsup.method.Step;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.selfsup.optim.Optimizer;

/**
 * The hand-written training loop: one sub-{@link NDManager} per step on the training device,
 * forward and backward inside one gradient collector, then the optimiser and the method's state
 * updates in place.
 *
 * <p>Checkpoints ({@code checkpoints/latest.ckpt}, plus {@code epoch_NNNN.ckpt} every N epochs)
 * hold every block's parameters and buffers, the optimiser state, the method's queues and the
 * position in the data; all randomness derives from (seed, purpose, position), so a resumed run
 * repeats an uninterrupted one exactly on the CPU. A NaN/Inf loss stops the run before the update,
 * keeping the last checkpoint; SIGTERM / Ctrl-C writes a checkpoint at the next step boundary.
 *
 * <p>{@link StepObserver}s run after every optimiser step and {@link EpochObserver}s after every
 * epoch's checkpoint (a kNN monitor, embedding diagnostics). Their time is measured and left out
 * of {@code wall_seconds} (training time since the run started, carried across resumes), which
 * step, epoch and observer lines all record.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Method method;
    private final Loader loader;
    private final Optimizer optimizer;
    private final NDManager run;
    private final Device device;
    private final Path runDir;
    private final int epochs;
    private final int stepsPerEpoch;
    private final int checkpointEveryEpochs;
    private final int logEverySteps;
    private final long seed;
    private final int accumulateSteps;
    private final double clipGradNorm;
    private final String recipeYaml;
    private final Progress progress;
    private final List<EpochObserver> epochObservers;
    private final List<StepObserver> stepObservers;
    private volatile boolean stopRequested;
    private long stopAtIteration = Long.MAX_VALUE;

    private long iteration;
    private int startEpoch;
    private int startBatch;
    /** Training and observer seconds of earlier sessions of this run (from the checkpoint). */
    private double wallBefore;
    private double observerBefore;
    /** This session's start and its observers' time so far, in nanoseconds. */
    private long started;
    private long observerNanos;
    private List<NDArray> parameterArrays;
    /** Set by {@link #resume}: only then may {@link #fit} continue a folder that holds a run. */
    private boolean resumed;

    private Trainer(Builder b) {
        this.method = b.method;
        this.loader = b.loader;
        this.optimizer = b.optimizer;
        this.run = b.manager;
        this.device = b.manager.getDevice();
        this.runDir = b.runDir;
        this.epochs = b.epochs;
        int full = b.loader.batchesPerEpoch();
        this.stepsPerEpoch = b.stepsPerEpoch > 0 ? Math.min(b.stepsPerEpoch, full) : full;
        this.checkpointEveryEpochs = b.checkpointEveryEpochs;
        this.logEverySteps = b.logEverySteps;
        this.seed = b.seed;
        this.accumulateSteps = b.accumulateSteps;
        this.clipGradNorm = b.clipGradNorm;
        this.recipeYaml = b.recipeYaml;
        // progress by default, about ten lines an epoch when the output is not a terminal
        this.progress = b.progress != null ? b.progress : Progress.forConsole(Math.max(1, stepsPerEpoch / 10));
        this.epochObservers = List.copyOf(b.epochObservers);
        this.stepObservers = List.copyOf(b.stepObservers);
        checkArgument(stepsPerEpoch >= accumulateSteps,
                "an epoch has %s batches, fewer than optimizer.accumulate_steps %s; use a smaller batch or more data",
                stepsPerEpoch, accumulateSteps);
    }

    /**
     * A builder; method, loader, optimiser, manager and run folder are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Asks the loop to stop at the next optimiser-step boundary, writing a checkpoint first (what
     * SIGTERM and Ctrl-C do); safe to call from any thread.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Stops (with a checkpoint) once {@code iterations} optimiser steps are done, as if
     * {@link #requestStop()} were called then; for time-boxed jobs and tests.
     *
     * @param iterations the iteration count to stop at
     */
    public void requestStopAtIteration(long iterations) {
        stopAtIteration = iterations;
    }

    /**
     * Optimiser iterations in one epoch (batches / accumulation steps).
     *
     * @return iterations per epoch
     */
    public long itersPerEpoch() {
        return stepsPerEpoch / accumulateSteps;
    }

    /**
     * The latest checkpoint file of a run folder.
     *
     * @param runDir the run folder
     * @return {@code runDir/checkpoints/latest.ckpt}
     */
    public static Path latestCheckpoint(Path runDir) {
        return runDir.resolve("checkpoints").resolve("latest.ckpt");
    }

    /**
     * Restores a checkpoint into the method, the optimiser and the loop position.
     *
     * @param file a checkpoint written by this trainer
     * @throws IOException if it cannot be read or does not match the model
     */
    public void resume(Path file) throws IOException {
        try (NDManager scope = run.newSubManager()) {
            Checkpoint c = Checkpoint.read(file, scope);
            Map<String, NDArray> t = c.tensors();
            JsonObject meta = c.metadata();
            // state created at an epoch's start (SwAV's queues) must exist before it is restored
            method.beforeEpoch(meta.get("epoch").getAsInt());
            java.util.List<String> missing = new java.util.ArrayList<>();
            for (Map.Entry<String, NDArray> e : modelTensors().entrySet()) {
                NDArray saved = t.get(e.getKey());
                if (saved == null || !saved.getShape().equals(e.getValue().getShape())) {
                    missing.add(e.getKey());
                    continue;
                }
                copyInto(e.getValue(), saved);
            }
            if (!missing.isEmpty()) {
                throw new IOException(file + ": checkpoint does not match this model; " + missing.size()
                        + " tensors missing or reshaped: " + dev.selfsup.internal.Checks.firstFew(missing, 5));
            }
            for (Map.Entry<String, NDArray> e : method.stateTensors().entrySet()) {
                NDArray saved = t.get("method/" + e.getKey());
                if (saved == null) {
                    throw new IOException(file + ": checkpoint lacks method state " + e.getKey());
                }
                copyInto(e.getValue(), saved);
            }
            Map<String, NDArray> optim = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : t.entrySet()) {
                if (e.getKey().startsWith("optim/")) {
                    optim.put(e.getKey().substring(6), e.getValue());
                }
            }
            optimizer.loadState(optim);
            MethodStates.restore(method, meta, file);
            iteration = meta.get("iteration").getAsLong();
            startEpoch = meta.get("epoch").getAsInt();
            startBatch = meta.get("next_batch").getAsInt();
            if (meta.has("wall_seconds")) {
                wallBefore = meta.get("wall_seconds").getAsDouble();
                observerBefore = meta.get("observer_seconds").getAsDouble();
            } else {
                LOG.warn("{} predates wall_seconds in checkpoints; this run's wall clock restarts at 0", file);
            }
            if (startBatch >= stepsPerEpoch) {
                startEpoch++;
                startBatch = 0;
            }
        }
        resumed = true;
        LOG.info("resumed from {} at iteration {} (epoch {}, batch {})", file, iteration, startEpoch + 1, startBatch);
    }

    private static void copyInto(NDArray live, NDArray saved) {
        InPlace.copy(live, saved); // not set(Buffer), which makes libtorch print a deprecation warning
    }

    /** What a finished (or interrupted) run reports. */
    public record Result(long iterations, int epochsCompleted, boolean interrupted, double lastLoss, Path checkpoint) {}

    /**
     * Trains from the current position to the last epoch.
     *
     * @return what was done
     * @throws IOException if a checkpoint, metrics or the exported backbone cannot be written
     * @throws IllegalStateException if the run folder already holds a run ({@code
     *     checkpoints/latest.ckpt} or {@code metrics.jsonl}) and {@link #resume} was not called
     */
    public Result fit() throws IOException {
        if (!resumed && (Files.exists(latestCheckpoint(runDir)) || Files.exists(runDir.resolve("metrics.jsonl")))) {
            throw new IllegalStateException("run folder " + runDir + " already holds a run; continue it with"
                    + " trainer.resume(Trainer.latestCheckpoint(runDir)) before fit(), or choose another folder");
        }
        resumed = true; // a second fit() of this trainer continues its own run
        Files.createDirectories(runDir);
        long totalIters = itersPerEpoch() * epochs;
        TrainStep stepper = new TrainStep(method, optimizer, new ParameterStore(run, false), accumulateSteps, clipGradNorm);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            try {
                finished.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "selfsup-checkpoint-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        double lastLoss = Double.NaN;
        int epoch = startEpoch;
        Path latest = latestCheckpoint(runDir);
        // named in the NaN message; checked once here, not on every step
        String lastCheckpoint = Files.exists(latest) ? latest.toString() : "none yet";
        try (MetricsLog metrics = new MetricsLog(runDir.resolve("metrics.jsonl"), iteration - 1)) {
            double smoothedRate = 0;
            started = System.nanoTime();
            observerNanos = 0;
            long doneImages = 0;
            for (; epoch < epochs; epoch++) {
                method.beforeEpoch(epoch);
                double epochLoss = 0;
                int epochSteps = 0;
                long skippedBefore = loader.skippedImages();
                try (Loader.Epoch batches = loader.epoch(epoch, startBatch)) {
                    for (int b = startBatch; b < stepsPerEpoch; b++) {
                        long t0 = System.nanoTime();
                        HostBatch host = batches.next();
                        long t1 = System.nanoTime();
                        boolean stepNow = (b + 1) % accumulateSteps == 0;
                        float value;
                        Map<String, Double> extra;
                        try (NDManager step = run.newSubManager(device)) {
                            Engine.getInstance().setRandomSeed((int) Seeds.mix(seed, "engine", iteration, b % accumulateSteps));
                            MultiCropBatch batch = host.toDevice(step);
                            Step s = new Step(iteration, epoch, totalIters, seed);
                            value = stepper.run(step, batch, s, stepNow, lastCheckpoint);
                            extra = method.stepMetrics();
                        }
                        long t2 = System.nanoTime();
                        lastLoss = value;
                        epochLoss += value;
                        epochSteps++;
                        int images = host.batchSize();
                        doneImages += images;
                        double rate = images / ((t2 - t0) / 1e9);
                        smoothedRate = smoothedRate == 0 ? rate : 0.9 * smoothedRate + 0.1 * rate;
                        if (stepNow) {
                            if (iteration % logEverySteps == 0) {
                                Map<String, Object> line = new LinkedHashMap<>();
                                line.put("step", iteration);
                                line.put("epoch", epoch);
                                line.put("loss", value);
                                line.put("lr", optimizer.learningRate(iteration));
                                line.put("images_per_second", rate);
                                line.put("step_seconds", (t2 - t1) / 1e9);
                                line.put("data_wait_seconds", (t1 - t0) / 1e9);
                                line.put("wall_seconds", wallSeconds());
                                line.putAll(extra);
                                metrics.write("step", line);
                            }
                            iteration++;
                            for (StepObserver o : stepObservers) {
                                long done = iteration - 1;
                                int e = epoch;
                                observe(metrics, o.kind(), epoch, done,
                                        scope -> o.afterStep(new StepObserver.StepEnd(done, e, wallSeconds(), method, scope)));
                            }
                        }
                        double elapsed = (System.nanoTime() - started) / 1e9;
                        long remainingImages = (long) (totalIters - iteration) * accumulateSteps * images;
                        double eta = doneImages == 0 ? Double.NaN : remainingImages * elapsed / doneImages;
                        if (progress != null) {
                            progress.step(epoch, epochs, b, stepsPerEpoch, value, smoothedRate, eta);
                        }
                        if ((stopRequested || iteration >= stopAtIteration) && stepNow) {
                            writeCheckpoint(latest, epoch, b + 1);
                            LOG.warn("stopped by signal at iteration {}; checkpoint {} written; resume with --resume", iteration, latest);
                            return new Result(iteration, epoch, true, lastLoss, latest);
                        }
                    }
                }
                startBatch = 0;
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("epoch", epoch);
                summary.put("step", iteration - 1);
                summary.put("loss", epochSteps == 0 ? Double.NaN : epochLoss / epochSteps);
                summary.put("skipped_images", loader.skippedImages() - skippedBefore);
                summary.put("wall_seconds", wallSeconds());
                summary.put("observer_seconds", observerSeconds());
                metrics.write("epoch", summary);
                writeCheckpoint(latest, epoch + 1, 0);
                lastCheckpoint = latest.toString();
                if ((epoch + 1) % checkpointEveryEpochs == 0 || epoch + 1 == epochs) {
                    Files.copy(latest, latest.resolveSibling(String.format(Locale.ROOT, "epoch_%04d.ckpt", epoch + 1)),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                if (progress != null) {
                    progress.message(String.format(Locale.ROOT, "epoch %d/%d: mean loss %.4f, %d skipped images",
                            epoch + 1, epochs, epochSteps == 0 ? Double.NaN : epochLoss / epochSteps,
                            loader.skippedImages() - skippedBefore));
                }
                // after the checkpoint: a monitor that fails does not cost the epoch's training
                for (EpochObserver o : epochObservers) {
                    int e = epoch;
                    long done = iteration - 1;
                    observe(metrics, o.kind(), epoch, done, scope -> o.afterEpoch(
                            new EpochObserver.EpochEnd(e, epochs, done, wallSeconds(), method.backbone(), scope)));
                }
                Plots.write(metrics.file(), runDir);
                if (!epochObservers.isEmpty() || !stepObservers.isEmpty()) {
                    List<JsonObject> rows = MetricsLog.read(metrics.file());
                    for (EpochObserver o : epochObservers) {
                        o.plot(rows, runDir);
                    }
                    for (StepObserver o : stepObservers) {
                        o.plot(rows, runDir);
                    }
                }
            }
            Weights.save(method.backbone(), runDir.resolve("backbone.safetensors"));
            return new Result(iteration, epochs, false, lastLoss, latest);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook is already running and has been released above
            }
        }
    }

    /** One observer call: timed, in its own scope on the training device, logged when non-empty. */
    private void observe(MetricsLog metrics, String kind, int epoch, long step, ObserverCall call) throws IOException {
        long t0 = System.nanoTime();
        double wall = wallSeconds();
        Observation o;
        try (NDManager scope = run.newSubManager(device)) {
            // borrowed as in a training step: ops whose first input is a parameter land in the scope
            scope.tempAttachAll(parameterArrays().toArray(new NDArray[0]));
            o = call.run(scope);
        }
        long spent = System.nanoTime() - t0;
        observerNanos += spent;
        if (o.isEmpty()) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", epoch);
        line.put("step", step);
        line.put("wall_seconds", wall);
        line.put("seconds", spent / 1e9);
        line.putAll(o.values());
        metrics.write(kind, line);
        if (progress != null && !o.message().isBlank()) {
            progress.message(o.message());
        }
    }

    /** An observer call in a scope. */
    @FunctionalInterface
    private interface ObserverCall {
        Observation run(NDManager scope) throws IOException;
    }

    /** Training seconds since the run began, earlier sessions included, observers excluded. */
    private double wallSeconds() {
        return wallBefore + (System.nanoTime() - started - observerNanos) / 1e9;
    }

    /** Observer seconds since the run began, earlier sessions included. */
    private double observerSeconds() {
        return observerBefore + observerNanos / 1e9;
    }

    /** Every block's parameter and buffer arrays (what a step or an observer borrows). */
    private List<NDArray> parameterArrays() {
        if (parameterArrays == null) {
            parameterArrays = new ArrayList<>(modelTensors().values());
        }
        return parameterArrays;
    }

    /** Every block's parameters and buffers, by stable name. */
    private Map<String, NDArray> modelTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Block> e : method.blocks().entrySet()) {
            for (Pair<String, Parameter> p : e.getValue().getParameters()) {
                out.put("model/" + e.getKey() + "/" + p.getKey(), p.getValue().getArray());
            }
        }
        return out;
    }

    private void writeCheckpoint(Path file, int epoch, int nextBatch) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>(modelTensors());
        for (Map.Entry<String, NDArray> e : optimizer.state().entrySet()) {
            tensors.put("optim/" + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, NDArray> e : method.stateTensors().entrySet()) {
            tensors.put("method/" + e.getKey(), e.getValue());
        }
        JsonObject meta = new JsonObject();
        meta.addProperty("iteration", iteration);
        meta.addProperty("epoch", epoch);
        meta.addProperty("next_batch", nextBatch);
        meta.addProperty("seed", seed);
        meta.addProperty("wall_seconds", wallSeconds());
        meta.addProperty("observer_seconds", observerSeconds());
        meta.addProperty("selfsup_version", dev.selfsup.Version.selfsup());
        meta.addProperty("recipe", recipeYaml);
        meta.add("method", MethodStates.toJson(method.state()));
        new Checkpoint(meta, tensors).write(file);
    }

    /** Builder of a {@link Trainer}. */
    public static final class Builder {
        private Method method;
        private Loader loader;
        private Optimizer optimizer;
        private NDManager manager;
        private Path runDir;
        private int epochs = 1;
        private int stepsPerEpoch;
        private int checkpointEveryEpochs = 1;
        private int logEverySteps = 1;
        private long seed;
        private int accumulateSteps = 1;
        private double clipGradNorm;
        private String recipeYaml = "";
        private Progress progress;
        private final List<EpochObserver> epochObservers = new ArrayList<>();
        private final List<StepObserver> stepObservers = new ArrayList<>();

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
         * Sets the run folder (required).
         *
         * @param dir the folder
         * @return this
         */
        public Builder setRunDir(Path dir) {
            runDir = dir;
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
         * Keeps a numbered checkpoint every N epochs; default 1.
         *
         * @param n epochs
         * @return this
         */
        public Builder optCheckpointEveryEpochs(int n) {
            checkpointEveryEpochs = n;
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
            clipGradNorm = max;
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
            progress = java.util.Objects.requireNonNull(p, "progress (Progress.none() for quiet)");
            return this;
        }

        /**
         * Adds an observer called after every epoch (a kNN monitor); default none. Observers run
         * in the order added.
         *
         * @param o the observer
         * @return this
         */
        public Builder addEpochObserver(EpochObserver o) {
            epochObservers.add(java.util.Objects.requireNonNull(o, "epoch observer"));
            return this;
        }

        /**
         * Adds an observer called after every optimiser step (embedding diagnostics); default
         * none. Observers run in the order added.
         *
         * @param o the observer
         * @return this
         */
        public Builder addStepObserver(StepObserver o) {
            stepObservers.add(java.util.Objects.requireNonNull(o, "step observer"));
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
            checkArgument(runDir != null, "setRunDir is required");
            checkArgument(epochs >= 1, "epochs must be >= 1, got %s", epochs);
            checkArgument(accumulateSteps >= 1, "accumulate steps must be >= 1, got %s", accumulateSteps);
            checkArgument(checkpointEveryEpochs >= 1 && logEverySteps >= 1, "checkpoint/log intervals must be >= 1");
            return new Trainer(this);
        }
    }
}
