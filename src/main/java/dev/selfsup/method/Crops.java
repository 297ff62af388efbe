package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.Arrays;

/**
 * The crops one branch of a method embeds, by index in the batch's crop order (all crops of the
 * first group, then the next group's; multi-crop puts the large, global crops first). SimCLR and
 * SwAV embed every crop with one network; MoCo's query branch embeds crop 0 and its key branch crop
 * 1; a DINO teacher embeds only the global crops while its student embeds all of them.
 */
public final class Crops {
    private static final Crops ALL = new Crops(null);

    /** The chosen indices, ascending and distinct; null for all. */
    private final int[] indices;

    private Crops(int[] indices) {
        this.indices = indices;
    }

    /**
     * Every crop of the batch.
     *
     * @return the selection
     */
    public static Crops all() {
        return ALL;
    }

    /**
     * Chosen crops.
     *
     * @param indices crop indices, ascending and distinct, each {@code >= 0}
     * @return the selection
     * @throws IllegalArgumentException if the list is empty, unsorted, repeats or is negative
     */
    public static Crops of(int... indices) {
        checkArgument(indices.length > 0, "a branch embeds at least one crop");
        for (int i = 0; i < indices.length; i++) {
            checkArgument(
                    indices[i] >= 0 && (i == 0 || indices[i] > indices[i - 1]),
                    "crop indices must be ascending, distinct and >= 0, got %s",
                    Arrays.toString(indices));
        }
        return new Crops(indices.clone());
    }

    /**
     * The indices chosen from a batch of {@code cropCount} crops per image.
     *
     * @param cropCount crops per image in the batch
     * @return the indices, ascending
     * @throws IllegalArgumentException if an index is not below {@code cropCount}
     */
    public int[] indices(int cropCount) {
        if (indices == null) {
            return java.util.stream.IntStream.range(0, cropCount).toArray();
        }
        checkArgument(
                indices[indices.length - 1] < cropCount,
                "the branch embeds crops %s but the batch has %s" + " crops per image",
                Arrays.toString(indices),
                cropCount);
        return indices.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Crops c && Arrays.equals(indices, c.indices);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return indices == null ? "all" : Arrays.toString(indices);
    }
}
