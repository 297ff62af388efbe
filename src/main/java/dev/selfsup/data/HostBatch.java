package dev.selfsup.data;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A batch as the loader threads produce it: cropped uint8 pixels and the drawn crops (with their
 * photometric parameters) in plain Java arrays and, when the loader ran the photometric ops itself
 * ({@link Loader.PhotometricSite#LOADER}), the finished normalised float32 crops in a direct
 * buffer. NDArrays are created only by {@link #toDevice}, on the training thread, in the step's
 * manager.
 *
 * <p>{@link #toDevice} therefore has two paths, chosen by how the loader built the batch and not by
 * the call: with {@link #photometricDone()} it only wraps the finished crops; otherwise it uploads
 * the uint8 crops and runs each group's {@link CropTransform.PhotometricStage#apply} on the step's
 * device. Both give the same values within float rounding (~1e-6 on [0, 1] values; {@code
 * HostPhotometricTest}).
 */
public final class HostBatch {
    private final int epoch;
    private final int batchIndex;
    private final int[] indices;
    private final int[] labels;
    private final List<Group> groups;

    HostBatch(int epoch, int batchIndex, int[] indices, int[] labels, List<Group> groups) {
        this.epoch = epoch;
        this.batchIndex = batchIndex;
        this.indices = indices;
        this.labels = labels;
        this.groups = groups;
    }

    /**
     * The epoch this batch belongs to.
     *
     * @return the epoch
     */
    public int epoch() {
        return epoch;
    }

    /**
     * Position of this batch in its epoch.
     *
     * @return the batch index, from 0
     */
    public int batchIndex() {
        return batchIndex;
    }

    /**
     * Images per batch.
     *
     * @return B
     */
    public int batchSize() {
        return indices.length;
    }

    /**
     * Dataset index of each image (a copy).
     *
     * @return B indices
     */
    public int[] indices() {
        return indices.clone();
    }

    /**
     * Label of each image, −1 when unlabelled (a copy).
     *
     * @return B labels
     */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Raw uint8 crops of output group g: {@code [count·B, 3, S, S]} CHW, crop-major (a copy).
     *
     * @param g group index
     * @return the pixels
     */
    public byte[] pixels(int g) {
        return groups.get(g).pixels.clone();
    }

    /**
     * The drawn crops of output group g (box, flip and photometric parameters), crop-major (a
     * copy).
     *
     * @param g group index
     * @return count·B crops
     */
    public CropTransform.Crop[] draws(int g) {
        return groups.get(g).draws.clone();
    }

    /**
     * Whether the loader threads already ran the photometric ops, so {@link #toDevice} only wraps
     * the finished crops.
     *
     * @return true for batches of a loader with {@link Loader.PhotometricSite#LOADER}
     */
    public boolean photometricDone() {
        return groups.get(0).images != null;
    }

    /** The finished-crop buffer of group g, or null (for tests of the recycling). */
    ByteBuffer imagesBuffer(int g) {
        return groups.get(g).images;
    }

    /**
     * Number of output groups (runs of equal-size crops).
     *
     * @return the group count
     */
    public int groupCount() {
        return groups.size();
    }

    /**
     * Creates the batch on the manager's device. If the loader ran the photometric ops ({@link
     * #photometricDone()}), the finished crops are wrapped as they are: on the CPU, the first call
     * makes arrays that view the batch's direct buffers (no copy) and gives the buffers back to the
     * loader for reuse when {@code step} closes — so the arrays must not outlive {@code step}
     * ({@code duplicate()} what you keep; an array re-attached to another manager keeps its
     * buffer); on other devices one host → device copy. Otherwise, and for every call after a CPU
     * one, the uint8 crops are uploaded and the ops run on the device: uint8 → float /255
     * (torchvision's {@code ToTensor}), then each crop group's jitter, grayscale, blur, solarise
     * and normalisation with the per-crop parameters drawn on the loader threads. The values agree
     * either way within float rounding.
     *
     * @param step the training step's manager; every returned array belongs to it
     * @return the device batch
     */
    public MultiCropBatch toDevice(NDManager step) {
        int b = indices.length;
        List<MultiCropBatch.Group> out = new ArrayList<>();
        NDArray labelArray;
        boolean cpu = Device.Type.CPU.equals(step.getDevice().getDeviceType());
        try (NDManager tmp = step.newSubManager()) {
            for (Group g : groups) {
                int s = g.size;
                Shape shape = new Shape((long) g.count * b, 3, s, s);
                NDArray images;
                if (g.images != null
                        && !cpu
                        && !g.handedOver.get()) { // a handed-over buffer may be reused
                    images =
                            step.create(
                                    g.images.duplicate().order(ByteOrder.nativeOrder()),
                                    shape,
                                    DataType.FLOAT32);
                } else if (g.images != null && g.handedOver.compareAndSet(false, true)) {
                    images = wrap(step, g, shape);
                } else {
                    NDArray raw = tmp.create(ByteBuffer.wrap(g.pixels), shape, DataType.UINT8);
                    NDArray x = raw.toType(DataType.FLOAT32, false).divi(255f);
                    raw.close();
                    NDList parts = new NDList();
                    for (Segment seg : g.segments) {
                        long from = (long) seg.firstCrop * b;
                        long to = (long) (seg.firstCrop + seg.count) * b;
                        NDArray slice = g.segments.size() == 1 ? x : x.get("{}:{}", from, to);
                        parts.add(
                                seg.photometric.apply(
                                        slice, Arrays.copyOfRange(g.draws, (int) from, (int) to)));
                    }
                    images = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
                }
                images.attach(step);
                out.add(new MultiCropBatch.Group(s, g.count, images));
            }
            long[] l = new long[b];
            for (int i = 0; i < b; i++) {
                l[i] = labels[i];
            }
            labelArray = step.create(l);
        }
        return new MultiCropBatch(out, labelArray, indices.clone());
    }

    /**
     * A CPU array viewing the group's buffer: PyTorch reads it in place and the NDArray keeps a
     * reference to it (DJL's dataRef). The buffer goes back to the pool when {@code step} closes,
     * unless the array was moved to another manager.
     */
    private static NDArray wrap(NDManager step, Group g, Shape shape) {
        ByteBuffer data = g.images.duplicate().order(ByteOrder.nativeOrder());
        NDArray images = step.create(data, shape, DataType.FLOAT32);
        ByteBuffer buffer = g.images;
        step.attachInternal(
                "selfsup-crops-" + java.util.UUID.randomUUID(),
                () -> {
                    if (images.getManager() == step && g.pool != null) {
                        g.pool.give(buffer);
                    }
                });
        return images;
    }

    /** Crops of one size: pixels, draws and the photometric settings of each run of crops. */
    static final class Group {
        final int size;
        final int count;
        final byte[] pixels;
        final CropTransform.Crop[] draws;
        final List<Segment> segments;

        /**
         * Finished normalised float32 crops (direct, native order), or null for the device path.
         */
        final ByteBuffer images;

        final AtomicBoolean handedOver = new AtomicBoolean();

        /** Where the images buffer goes back after use, or null. */
        final BufferPool pool;

        Group(
                int size,
                int count,
                byte[] pixels,
                CropTransform.Crop[] draws,
                List<Segment> segments,
                ByteBuffer images,
                BufferPool pool) {
            this.pool = pool;
            this.size = size;
            this.count = count;
            this.pixels = pixels;
            this.draws = draws;
            this.segments = segments;
            this.images = images;
        }
    }

    /** Crops {@code [firstCrop, firstCrop + count)} of a group share photometric settings. */
    record Segment(int firstCrop, int count, CropTransform.PhotometricStage photometric) {}
}
