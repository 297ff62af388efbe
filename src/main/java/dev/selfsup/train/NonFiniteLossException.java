package dev.selfsup.train;

/** A NaN or infinite loss: the run stops before the optimiser step, keeping the last checkpoint. */
public final class NonFiniteLossException extends IllegalStateException {
    /** The optimiser iteration whose loss was not finite. */
    private final long iteration;

    /**
     * Creates the error.
     *
     * @param iteration the optimiser iteration whose loss was not finite
     * @param epoch the epoch
     * @param value the loss value
     * @param lastCheckpoint the checkpoint to resume from, or a note that none exists
     */
    public NonFiniteLossException(long iteration, int epoch, float value, String lastCheckpoint) {
        super(
                String.format(
                        "loss is %s at iteration %d (epoch %d); parameters were not updated. Last good checkpoint: %s."
                                + " Lower optimizer.base_lr, add optimizer.warmup_epochs or optimizer.clip_grad_norm,"
                                + " then resume with --resume.",
                        value, iteration, epoch + 1, lastCheckpoint));
        this.iteration = iteration;
    }

    /**
     * The iteration at fault.
     *
     * @return the 0-based iteration
     */
    public long iteration() {
        return iteration;
    }
}
