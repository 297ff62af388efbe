package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Precision;

/**
 * A fixed-size queue of embeddings {@code [K, D]} living on the training device, updated in place.
 *
 * <p>Two update orders, matching the official code of each method:
 *
 * <ul>
 *   <li>{@link Order#RING} (MoCo): keys overwrite rows {@code [ptr, ptr + B)}, then ptr advances by
 *       B modulo K.
 *   <li>{@link Order#SHIFT} (SwAV): rows shift down by B and the newest B embeddings go to the
 *       front.
 * </ul>
 *
 * The queue never carries gradients; {@link #filled()} counts rows written so far (capped at K), so
 * SwAV can wait until the queue is full before using it.
 */
public final class FeatureQueue implements AutoCloseable {
    /** How new rows enter the queue. */
    public enum Order {
        /** MoCo's ring buffer. */
        RING,
        /** SwAV's shift: newest rows at the front. */
        SHIFT
    }

    private final NDArray rows;
    private final Order order;
    private final int length;
    private long pointer;
    private long filled;

    /**
     * Creates a queue of zeros.
     *
     * @param manager the long-lived (run) manager; fixes the device
     * @param length K rows, {@code > 0}
     * @param dim D, {@code > 0}
     * @param order the update order
     */
    public FeatureQueue(NDManager manager, int length, int dim, Order order) {
        checkArgument(
                length > 0 && dim > 0, "queue shape must be positive, got [%s, %s]", length, dim);
        this.rows = manager.zeros(new Shape(length, dim), Precision.DEFAULT.activationType());
        this.order = order;
        this.length = length;
    }

    /**
     * Fills the queue with random unit vectors (MoCo's initial queue), drawn by the engine.
     *
     * @param manager a temporary manager for the draw
     */
    public void randomUnitInit(NDManager manager) {
        try (NDManager scope = manager.newSubManager(rows.getDevice())) {
            scope.tempAttachAll(rows);
            NDArray r = scope.randomNormal(rows.getShape());
            r = r.div(r.norm(new int[] {1}, true).add(1e-12f));
            rows.set(new NDIndex(":"), r);
        }
    }

    /**
     * Adds embeddings to the queue, in place, without gradient.
     *
     * @param batch {@code [B, D]} with {@code B <= K}; B must divide K for the ring order
     */
    public void push(NDArray batch) {
        long b = batch.getShape().get(0);
        checkArgument(
                batch.getShape().dimension() == 2
                        && batch.getShape().get(1) == rows.getShape().get(1),
                "queue takes [B, %s], got %s",
                rows.getShape().get(1),
                batch.getShape());
        checkArgument(b <= length, "batch %s larger than the queue %s", b, length);
        NDManager owner = batch.getManager();
        try (NDManager scope = owner.newSubManager(rows.getDevice())) {
            scope.tempAttachAll(rows);
            NDArray fresh = batch.stopGradient().toType(rows.getDataType(), false);
            if (order == Order.RING) {
                checkArgument(
                        length % b == 0,
                        "queue length %s must be a multiple of the batch %s",
                        length,
                        b);
                rows.set(new NDIndex("{}:{}", pointer, pointer + b), fresh);
                pointer = (pointer + b) % length;
            } else {
                if (b < length) {
                    NDArray older = rows.get(new NDIndex("0:{}", length - b)).duplicate();
                    rows.set(new NDIndex("{}:", b), older);
                }
                rows.set(new NDIndex("0:{}", b), fresh);
            }
        }
        filled = Math.min(length, filled + b);
    }

    /**
     * The queue rows; a view owned by the queue (do not close).
     *
     * @return {@code [K, D]}
     */
    public NDArray rows() {
        return rows;
    }

    /**
     * Rows written so far, at most K.
     *
     * @return the fill count
     */
    public long filled() {
        return filled;
    }

    /**
     * Whether every row holds an embedding.
     *
     * @return {@code filled() == K}
     */
    public boolean isFull() {
        return filled == length;
    }

    /**
     * The ring pointer (RING order), for checkpoints.
     *
     * @return the next row to write
     */
    public long pointer() {
        return pointer;
    }

    /**
     * Restores pointer and fill count from a checkpoint (the rows are restored in place by the
     * caller through {@link #rows()}).
     *
     * @param pointer the ring pointer
     * @param filled rows written
     */
    public void restore(long pointer, long filled) {
        this.pointer = pointer;
        this.filled = filled;
    }

    /** Clears the queue to zeros (SwAV restarts an unfilled queue when it is enabled). */
    public void clear() {
        try (NDManager scope = rows.getManager().newSubManager(rows.getDevice())) {
            scope.tempAttachAll(rows);
            rows.set(new NDIndex(":"), 0f);
        }
        pointer = 0;
        filled = 0;
    }

    @Override
    public void close() {
        rows.close();
    }
}
