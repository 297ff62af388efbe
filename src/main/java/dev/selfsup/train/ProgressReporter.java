package dev.selfsup.train;

import java.util.Locale;

/**
 * Feeds a {@link Progress}: per batch the loss, the smoothed images per second and the ETA (from
 * the images done in this session), per epoch a summary line, and observers' messages.
 */
final class ProgressReporter implements LoopObserver {
    private final Progress progress;
    private final int epochs;
    private final int batchesPerEpoch;
    private final long totalIterations;
    private final int accumulateSteps;
    private long started;
    private double smoothedRate;
    private long doneImages;

    /**
     * Creates the reporter.
     *
     * @param progress where to report
     * @param epochs the run's epochs
     * @param batchesPerEpoch batches per epoch
     * @param accumulateSteps micro-batches per optimiser step
     */
    ProgressReporter(Progress progress, int epochs, int batchesPerEpoch, int accumulateSteps) {
        this.progress = progress;
        this.epochs = epochs;
        this.batchesPerEpoch = batchesPerEpoch;
        this.accumulateSteps = accumulateSteps;
        this.totalIterations = (long) (batchesPerEpoch / accumulateSteps) * epochs;
    }

    @Override
    public void onStart(long iteration) {
        started = System.nanoTime();
        smoothedRate = 0;
        doneImages = 0;
    }

    @Override
    public void afterBatch(BatchDone b) {
        double rate = b.imagesPerSecond();
        smoothedRate = smoothedRate == 0 ? rate : 0.9 * smoothedRate + 0.1 * rate;
        doneImages += b.images();
        long iterationsDone = b.stepped() ? b.iteration() + 1 : b.iteration();
        double elapsed = (System.nanoTime() - started) / 1e9;
        long remainingImages = (totalIterations - iterationsDone) * accumulateSteps * b.images();
        double eta = doneImages == 0 ? Double.NaN : remainingImages * elapsed / doneImages;
        progress.step(b.epoch(), epochs, b.batch(), batchesPerEpoch, b.loss(), smoothedRate, eta);
    }

    @Override
    public void afterEpoch(EpochDone e) {
        progress.message(
                String.format(
                        Locale.ROOT,
                        "epoch %d/%d: mean loss %.4f, %d skipped images",
                        e.epoch() + 1,
                        epochs,
                        e.meanLoss(),
                        e.skippedImages()));
    }

    @Override
    public void observed(Observed o) {
        if (!o.observation().message().isBlank()) {
            progress.message(o.observation().message());
        }
    }
}
