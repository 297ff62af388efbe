package dev.selfsup.data;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts and stops the daemon worker threads of a {@link Loader}. */
final class LoaderThreads {
    // Warnings keep the Loader's logger name, as before the split.
    private static final Logger LOG = LoggerFactory.getLogger(Loader.class);

    private LoaderThreads() {}

    /** A fixed pool of daemon threads named after the loader's identity hash. */
    static ExecutorService start(Loader owner, int threads) {
        String id = Integer.toHexString(System.identityHashCode(owner));
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory =
                r -> {
                    Thread t = new Thread(r, "selfsup-loader-" + id + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
        return Executors.newFixedThreadPool(threads, factory);
    }

    /** Interrupts the threads and waits up to 30 s for them to end. */
    static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("loader threads did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
