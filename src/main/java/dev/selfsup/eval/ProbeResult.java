package dev.selfsup.eval;

import java.util.List;

/**
 * What a linear probe run produced: test accuracy at the best and at the last evaluated epoch, the
 * full evaluation history and the protocol.
 *
 * <p>Epoch numbers here count completed epochs (1 … epochs); {@link
 * ProbeProtocol#learningRateAt(int)} takes the 0-based index of the epoch being trained.
 *
 * @param protocol the hyper-parameters used
 * @param seed the seed of initialisation and shuffling
 * @param bestEpoch the evaluated epoch with the highest top-1 (the earliest on ties)
 * @param bestTop1 top-1 at {@code bestEpoch}, percent
 * @param bestTop5 top-5 at {@code bestEpoch}, percent
 * @param lastEpoch the last epoch, {@code protocol.epochs()}
 * @param lastTop1 top-1 after the last epoch, percent
 * @param lastTop5 top-5 after the last epoch, percent
 * @param history one entry per evaluated epoch
 * @param seconds wall-clock training and evaluation time
 */
public record ProbeResult(
        ProbeProtocol protocol,
        long seed,
        int bestEpoch,
        double bestTop1,
        double bestTop5,
        int lastEpoch,
        double lastTop1,
        double lastTop5,
        List<EpochScore> history,
        double seconds) {

    /**
     * Copies the history.
     *
     * @param protocol the hyper-parameters used
     * @param seed the seed of initialisation and shuffling
     * @param bestEpoch the evaluated epoch with the highest top-1 (the earliest on ties)
     * @param bestTop1 top-1 at {@code bestEpoch}, percent
     * @param bestTop5 top-5 at {@code bestEpoch}, percent
     * @param lastEpoch the last epoch, {@code protocol.epochs()}
     * @param lastTop1 top-1 after the last epoch, percent
     * @param lastTop5 top-5 after the last epoch, percent
     * @param history one entry per evaluated epoch
     * @param seconds wall-clock training and evaluation time
     */
    public ProbeResult {
        history = List.copyOf(history);
    }

    /**
     * One evaluation.
     *
     * @param epoch completed epochs, 1-based
     * @param learningRate the rate used during that epoch
     * @param trainLoss mean cross-entropy over that epoch's training batches
     * @param top1 test top-1, percent
     * @param top5 test top-5, percent
     */
    public record EpochScore(
            int epoch, double learningRate, double trainLoss, double top1, double top5) {}
}
