package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.selfsup.method.Method;
import java.io.IOException;
import java.util.List;

/**
 * Calls the user's {@link StepObserver}s after every optimiser step and {@link EpochObserver}s
 * after every epoch: each call timed (the time goes to the run's observer time, not its training
 * time) and in its own scope on the training device, and each non-empty {@link Observation} passed
 * on as an {@link Observed} line to every loop observer (metrics, progress).
 */
final class ObserverRunner implements LoopObserver {
    private final List<EpochObserver> epochObservers;
    private final List<StepObserver> stepObservers;
    private final Method method;
    private final NDManager run;
    private final int epochs;
    private final RunClock clock;
    private final Sink sink;
    private NDArray[] parameters; // taken at the first call, when every block is initialised

    /** Where observations go. */
    @FunctionalInterface
    interface Sink {
        /**
         * Passes an observation on.
         *
         * @param line the observation
         * @throws IOException if writing it fails
         */
        void observed(Observed line) throws IOException;
    }

    /**
     * Creates the runner.
     *
     * @param epochObservers called after every epoch, in order
     * @param stepObservers called after every optimiser step, in order
     * @param method the method being trained
     * @param run the run manager; each call gets a sub-manager on its device
     * @param epochs the run's epochs
     * @param clock the run's clocks
     * @param sink where non-empty observations go
     */
    ObserverRunner(
            List<EpochObserver> epochObservers,
            List<StepObserver> stepObservers,
            Method method,
            NDManager run,
            int epochs,
            RunClock clock,
            Sink sink) {
        this.epochObservers = List.copyOf(epochObservers);
        this.stepObservers = List.copyOf(stepObservers);
        this.method = method;
        this.run = run;
        this.epochs = epochs;
        this.clock = clock;
        this.sink = sink;
    }

    @Override
    public void afterBatch(BatchDone b) throws IOException {
        if (!b.stepped()) {
            return;
        }
        for (StepObserver o : stepObservers) {
            observe(
                    o.kind(),
                    b.epoch(),
                    b.iteration(),
                    scope ->
                            o.afterStep(
                                    new StepObserver.StepEnd(
                                            b.iteration(),
                                            b.epoch(),
                                            clock.wallSeconds(),
                                            method,
                                            scope)));
        }
    }

    @Override
    public void afterEpoch(EpochDone e) throws IOException {
        long step = e.iterations() - 1;
        for (EpochObserver o : epochObservers) {
            observe(
                    o.kind(),
                    e.epoch(),
                    step,
                    scope ->
                            o.afterEpoch(
                                    new EpochObserver.EpochEnd(
                                            e.epoch(),
                                            epochs,
                                            step,
                                            clock.wallSeconds(),
                                            method.backbone(),
                                            scope)));
        }
    }

    /**
     * One observer call: timed, in its own scope on the training device, passed on when non-empty.
     */
    private void observe(String kind, int epoch, long step, Call call) throws IOException {
        long t0 = System.nanoTime();
        double wall = clock.wallSeconds();
        if (parameters == null) {
            parameters = TrainStep.parameterArrays(method).toArray(new NDArray[0]);
        }
        Observation o;
        try (NDManager scope = run.newSubManager(run.getDevice())) {
            // borrowed as in a training step: ops whose first input is a parameter land in the
            // scope
            scope.tempAttachAll(parameters);
            o = call.run(scope);
        }
        long spent = System.nanoTime() - t0;
        clock.addObserverTime(spent);
        if (!o.isEmpty()) {
            sink.observed(new Observed(kind, epoch, step, wall, spent / 1e9, o));
        }
    }

    /** An observer call in a scope. */
    @FunctionalInterface
    private interface Call {
        Observation run(NDManager scope) throws IOException;
    }
}
