package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkState;

import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The prefetch window behind a {@link Loader.Epoch}: batches submitted ahead, returned in order.
 */
final class BatchWindow {
    private final ExecutorService pool;
    private final int prefetch;
    private final BatchAssembler assembler;
    private final int epoch;
    private final int[] perm;
    private final int end;
    private final ArrayDeque<Future<HostBatch>> window = new ArrayDeque<>();
    private final Set<Integer> failed = ConcurrentHashMap.newKeySet();
    private int nextToSubmit;
    private int nextToReturn;

    BatchWindow(
            ExecutorService pool,
            int prefetch,
            BatchAssembler assembler,
            int epoch,
            int[] perm,
            int end,
            int start) {
        this.pool = pool;
        this.prefetch = prefetch;
        this.assembler = assembler;
        this.epoch = epoch;
        this.perm = perm;
        this.end = end;
        this.nextToSubmit = start;
        this.nextToReturn = start;
        fill();
    }

    private void fill() {
        while (window.size() < prefetch && nextToSubmit < end && !pool.isShutdown()) {
            int b = nextToSubmit++;
            window.add(pool.submit(() -> assembler.build(epoch, b, perm, failed)));
        }
    }

    boolean hasNext() {
        return nextToReturn < end;
    }

    /** The next batch, waiting for the workers if needed (see {@link Loader.Epoch#next}). */
    HostBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has " + end + " batches");
        }
        checkState(!pool.isShutdown(), "loader is closed");
        fill();
        Future<HostBatch> f = window.poll();
        try {
            HostBatch batch = f.get();
            nextToReturn++;
            fill();
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while waiting for batch " + nextToReturn, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UncheckedIOException u) {
                throw u;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("loader thread failed on batch " + nextToReturn, c);
        }
    }

    /** Distinct images of this epoch found unreadable so far. */
    int skippedImages() {
        return failed.size();
    }

    /** Cancels the prefetched batches not yet returned. */
    void close() {
        for (Future<HostBatch> f : window) {
            f.cancel(true);
        }
        window.clear();
        nextToSubmit = end;
    }
}
