package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A fixed validation split carved from a training set, so hyper-parameters are chosen without
 * touching the test images. The split is a seeded permutation ({@code java.util.Random(seed)},
 * Fisher–Yates): the first {@code round(fraction·N)} indices are validation, the rest training;
 * both keep dataset order. Same dataset, fraction and seed → same split on every machine.
 *
 * @param train the training part
 * @param validation the validation part
 */
public record ValidationSplit(ImageDataset train, ImageDataset validation) {

    /**
     * Splits a labelled dataset.
     *
     * @param dataset the training set
     * @param fraction share of it held out, in (0, 1)
     * @param seed the permutation seed
     * @return both parts, named after the dataset, fraction and seed
     * @throws IllegalArgumentException if the fraction leaves either part empty
     */
    public static ValidationSplit of(ImageDataset dataset, double fraction, long seed) {
        int n = dataset.size();
        int held = (int) Math.round(fraction * n);
        checkArgument(
                fraction > 0 && fraction < 1 && held >= 1 && held < n,
                "validation fraction must leave both parts non-empty: %s of %s images",
                fraction,
                n);
        int[] order = permutation(n, seed);
        int[] val = Arrays.copyOfRange(order, 0, held);
        int[] rest = Arrays.copyOfRange(order, held, n);
        Arrays.sort(val);
        Arrays.sort(rest);
        String tag = String.format(Locale.ROOT, "fraction=%s seed=%d", fraction, seed);
        return new ValidationSplit(
                new Part(dataset, rest, dataset.name() + " train-minus-val " + tag),
                new Part(dataset, val, dataset.name() + " val " + tag));
    }

    /**
     * A seeded random subset of a dataset in dataset order: the first {@code size} indices of
     * {@link #permutation}{@code (N, seed)}, sorted (e.g. a smaller kNN memory bank that is the
     * same at every evaluation).
     *
     * @param dataset the dataset
     * @param size images to keep, in [1, N]
     * @param seed the permutation seed
     * @return the subset, named after the dataset, size and seed
     * @throws IllegalArgumentException if size is out of range
     */
    public static ImageDataset subset(ImageDataset dataset, int size, long seed) {
        int n = dataset.size();
        checkArgument(size >= 1 && size <= n, "subset size must be in [1, %s], got %s", n, size);
        int[] keep = Arrays.copyOfRange(permutation(n, seed), 0, size);
        Arrays.sort(keep);
        return new Part(
                dataset,
                keep,
                String.format(Locale.ROOT, "%s subset %d seed=%d", dataset.name(), size, seed));
    }

    /**
     * The seeded permutation of {@code 0 … n-1} behind {@link #of}.
     *
     * @param n size
     * @param seed seed
     * @return the permutation
     */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The images of a dataset at given indices. */
    private record Part(ImageDataset parent, int[] indices, String name) implements ImageDataset {
        @Override
        public int size() {
            return indices.length;
        }

        @Override
        public int numClasses() {
            return parent.numClasses();
        }

        @Override
        public int label(int i) {
            return parent.label(indices[i]);
        }

        @Override
        public DecodedImage decode(int i) throws IOException {
            return parent.decode(indices[i]);
        }
    }
}
