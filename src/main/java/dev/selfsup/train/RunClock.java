package dev.selfsup.train;

/**
 * The run's clocks: training time ({@code wall_seconds}) and observer time ({@code
 * observer_seconds}), both carried across resumes through the checkpoint. Observer time is left out
 * of training time, so time-to-accuracy curves do not pay for their own measurement.
 */
final class RunClock {
    /** Seconds of earlier sessions (from the checkpoint, or an earlier {@code fit()}). */
    private double wallBefore;

    private double observerBefore;

    /** Whether a session runs, its start and its observers' time so far, in nanoseconds. */
    private boolean running;

    private long started;
    private long observerNanos;

    /**
     * Continues from a checkpoint's times.
     *
     * @param wallSeconds training seconds so far
     * @param observerSeconds observer seconds so far
     */
    void restore(double wallSeconds, double observerSeconds) {
        wallBefore = wallSeconds;
        observerBefore = observerSeconds;
    }

    /** Starts a session: training time runs from now. */
    void start() {
        started = System.nanoTime();
        observerNanos = 0;
        running = true;
    }

    /** Ends a session: time between sessions is not training time. */
    void stop() {
        wallBefore = wallSeconds();
        observerBefore = observerSeconds();
        running = false;
        observerNanos = 0;
    }

    /**
     * Counts time spent in an observer, which training time leaves out.
     *
     * @param nanos the observer's time
     */
    void addObserverTime(long nanos) {
        observerNanos += nanos;
    }

    /**
     * Training seconds since the run began, earlier sessions included, observers excluded.
     *
     * @return seconds
     */
    double wallSeconds() {
        return !running
                ? wallBefore
                : wallBefore + (System.nanoTime() - started - observerNanos) / 1e9;
    }

    /**
     * Observer seconds since the run began, earlier sessions included.
     *
     * @return seconds
     */
    double observerSeconds() {
        return observerBefore + observerNanos / 1e9;
    }
}
