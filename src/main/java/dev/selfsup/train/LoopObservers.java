package dev.selfsup.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Observers called in the order added: what the loop holds instead of each duty. */
final class LoopObservers implements LoopObserver {
    private final List<LoopObserver> all = new ArrayList<>();

    /**
     * Appends an observer; events reach it after those added before.
     *
     * @param o the observer
     * @return this
     */
    LoopObservers add(LoopObserver o) {
        all.add(o);
        return this;
    }

    @Override
    public void onStart(long iteration) throws IOException {
        each(o -> o.onStart(iteration));
    }

    @Override
    public void afterBatch(BatchDone batch) throws IOException {
        each(o -> o.afterBatch(batch));
    }

    @Override
    public void afterEpoch(EpochDone epoch) throws IOException {
        each(o -> o.afterEpoch(epoch));
    }

    @Override
    public void observed(Observed line) throws IOException {
        each(o -> o.observed(line));
    }

    @Override
    public void onStop(Position at) throws IOException {
        each(o -> o.onStop(at));
    }

    @Override
    public void onFinish() throws IOException {
        each(LoopObserver::onFinish);
    }

    /**
     * Closes every observer, even when one fails; the first failure is thrown, later ones
     * suppressed.
     */
    @Override
    public void close() throws IOException {
        Exception first = null;
        for (LoopObserver o : all) {
            try {
                o.close();
            } catch (IOException | RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof IOException io) {
            throw io;
        }
        if (first != null) {
            throw (RuntimeException) first;
        }
    }

    private void each(Event event) throws IOException {
        for (LoopObserver o : all) {
            event.send(o);
        }
    }

    /** One event, sent to one observer. */
    @FunctionalInterface
    private interface Event {
        void send(LoopObserver o) throws IOException;
    }
}
