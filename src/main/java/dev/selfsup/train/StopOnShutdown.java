package dev.selfsup.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While a run trains, a JVM shutdown hook (SIGTERM, Ctrl-C) asks the loop to stop at the next
 * optimiser-step boundary and holds the JVM up to five minutes, until the loop has written its
 * checkpoint and closed.
 */
final class StopOnShutdown implements LoopObserver {
    private final Runnable requestStop;
    private CountDownLatch finished;
    private Thread hook;

    /**
     * Creates the observer.
     *
     * @param requestStop asks the loop to stop; called from the hook's thread
     */
    StopOnShutdown(Runnable requestStop) {
        this.requestStop = requestStop;
    }

    @Override
    public void onStart(long iteration) {
        CountDownLatch latch = new CountDownLatch(1);
        finished = latch;
        hook =
                new Thread(
                        () -> {
                            requestStop.run();
                            try {
                                latch.await(5, TimeUnit.MINUTES);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "selfsup-checkpoint-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        if (hook == null) {
            return;
        }
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting; the hook is already running and has been released above
        }
        hook = null;
    }
}
