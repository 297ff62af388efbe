package dev.selfsup.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.PhotometricDraw;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A batch as the loader threads produce it: cropped uint8 pixels and drawn photometric parameters
 * in plain Java arrays. NDArrays are created only by {@link #toDevice}, on the training thread, in
 * the step's manager.
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
     * Photometric parameters of output group g's crops, crop-major (a copy).
     *
     * @param g group index
     * @return count·B draws
     */
    public PhotometricDraw[] draws(int g) {
        return groups.get(g).draws.clone();
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
     * Creates the batch on the manager's device and runs the photometric ops there: uint8 → float
     * /255 (torchvision's {@code ToTensor}), then each crop group's jitter, grayscale, blur,
     * solarise and normalisation with the per-crop parameters drawn on the loader threads.
     *
     * @param step the training step's manager; every returned array belongs to it
     * @return the device batch
     */
    public MultiCropBatch toDevice(NDManager step) {
        int b = indices.length;
        List<MultiCropBatch.Group> out = new ArrayList<>();
        NDArray labelArray;
        try (NDManager tmp = step.newSubManager()) {
            for (Group g : groups) {
                int s = g.size;
                NDArray raw = tmp.create(ByteBuffer.wrap(g.pixels), new Shape((long) g.count * b, 3, s, s), DataType.UINT8);
                NDArray x = raw.toType(DataType.FLOAT32, false).divi(255f);
                raw.close();
                NDList parts = new NDList();
                for (Segment seg : g.segments) {
                    long from = (long) seg.firstCrop * b;
                    long to = (long) (seg.firstCrop + seg.count) * b;
                    NDArray slice = g.segments.size() == 1 ? x : x.get("{}:{}", from, to);
                    parts.add(seg.photometric.apply(slice, Arrays.copyOfRange(g.draws, (int) from, (int) to)));
                }
                NDArray images = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
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

    /** Crops of one size: pixels, draws and the photometric settings of each run of crops. */
    static final class Group {
        final int size;
        final int count;
        final byte[] pixels;
        final PhotometricDraw[] draws;
        final List<Segment> segments;

        Group(int size, int count, byte[] pixels, PhotometricDraw[] draws, List<Segment> segments) {
            this.size = size;
            this.count = count;
            this.pixels = pixels;
            this.draws = draws;
            this.segments = segments;
        }
    }

    /** Crops {@code [firstCrop, firstCrop + count)} of a group share photometric settings. */
    record Segment(int firstCrop, int count, Photometric photometric) {}
}
