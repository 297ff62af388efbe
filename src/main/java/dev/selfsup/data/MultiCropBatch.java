package dev.selfsup.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.List;

/**
 * One training batch on the device: the crops of B images grouped by crop size, plus labels and
 * dataset indices. All arrays belong to the manager passed to {@link HostBatch#toDevice} and are
 * freed with it.
 *
 * @param groups crop groups in crop order, one per run of equal-size crops
 * @param labels [B] int64, −1 for unlabelled data
 * @param indices dataset index of each of the B images
 */
public record MultiCropBatch(List<Group> groups, NDArray labels, int[] indices) {
    /**
     * Copies the group list.
     *
     * @param groups crop groups in crop order, one per run of equal-size crops
     * @param labels [B] int64, −1 for unlabelled data
     * @param indices dataset index of each of the B images
     */
    public MultiCropBatch {
        groups = List.copyOf(groups);
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
     * Crops per image over all groups.
     *
     * @return the total crop count
     */
    public int cropCount() {
        return groups.stream().mapToInt(Group::count).sum();
    }

    /**
     * Every array of the batch, e.g. for {@code NDManager.attachAll}.
     *
     * @return images of each group, then labels
     */
    public NDList arrays() {
        NDList list = new NDList();
        for (Group g : groups) {
            list.add(g.images());
        }
        list.add(labels);
        return list;
    }

    /**
     * Crops of one size.
     *
     * @param size crop side S in pixels
     * @param count crops of this size per image
     * @param images [count·B, 3, S, S] float32, normalised, crop-major: all B images' crop 0, then
     *     crop 1, …
     */
    public record Group(int size, int count, NDArray images) {
        /**
         * The images of crop c (a view).
         *
         * @param c crop index within the group, in [0, count)
         * @return [B, 3, S, S]
         */
        public NDArray crop(int c) {
            long b = images.getShape().get(0) / count;
            return images.get("{}:{}", c * b, (c + 1) * b);
        }
    }
}
