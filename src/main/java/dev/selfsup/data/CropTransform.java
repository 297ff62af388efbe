package dev.selfsup.data;

import ai.djl.ndarray.NDArray;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How the {@link Loader} cuts the views of an image; {@code augment.MultiCrop} implements it. The
 * loader sees only this interface, so {@code data} uses no augmentation type and the arrow runs one
 * way, {@code augment → data} (STYLE.md §3): it asks for the crop layout, for the drawn crops of
 * one image, and for each group's photometric stage, run on the loader threads or batched on the
 * device.
 */
public interface CropTransform {
    /**
     * The crop groups in crop order (crop 0 is the first crop of the first group).
     *
     * @return the groups, at least one
     */
    List<? extends Group> groups();

    /**
     * Draws every random choice for the crops of one image, in crop order.
     *
     * @param width source width
     * @param height source height
     * @param rng the image's generator ({@code Seeds.derive(seed, "crop", epoch, index)})
     * @return one crop per crop of {@link #groups()}
     */
    Crop[] sample(int width, int height, RandomGenerator rng);

    /**
     * Crops per image over all groups.
     *
     * @return the total count
     */
    default int cropCount() {
        return groups().stream().mapToInt(Group::count).sum();
    }

    /** {@code count} crops of one side that share their photometric stage. */
    interface Group {
        /**
         * Crops per image in this group.
         *
         * @return the count, {@code >= 1}
         */
        int count();

        /**
         * Output side of the crops.
         *
         * @return S in pixels
         */
        int size();

        /**
         * What runs on the cut crops' pixels.
         *
         * @return the stage
         */
        PhotometricStage photometric();
    }

    /**
     * One drawn crop of one image: where it is cut, and the parameters its photometric stage reads.
     */
    interface Crop {
        /**
         * Cuts this crop from the image as uint8, CHW RGB, {@code size × size}.
         *
         * @param image the decoded source
         * @param size output side S
         * @param dst destination
         * @param offset index of the first byte written; {@code 3·S·S} bytes are written
         */
        void cut(DecodedImage image, int size, byte[] dst, int offset);
    }

    /**
     * The per-pixel ops after cutting (jitter, grayscale, blur, solarise, normalise), in two
     * equivalent forms: one crop in plain Java on a loader thread, or a batch of crops as tensor
     * ops on the training device. Both receive crops drawn by the same transform.
     */
    interface PhotometricStage {
        /**
         * Applies the stage to one uint8 crop on the calling thread.
         *
         * @param crop the crop's draw (from {@link CropTransform#sample})
         * @param pixels uint8 crop, CHW RGB, {@code 3·size·size} bytes from {@code offset}
         * @param offset index of the crop's first byte
         * @param size crop side S
         * @param out destination of the normalised float32 CHW crop; its position is ignored
         * @param outIndex index of the first float written; {@code 3·S·S} floats are written
         */
        void applyOnHost(
                Crop crop, byte[] pixels, int offset, int size, FloatBuffer out, int outIndex);

        /**
         * Applies the stage to a batch of crops on their device.
         *
         * @param x crops [N, 3, S, S] float32 in [0, 1]
         * @param crops the crops' draws, length N
         * @return normalised crops [N, 3, S, S] float32 on x's manager
         */
        NDArray apply(NDArray x, Crop[] crops);
    }
}
