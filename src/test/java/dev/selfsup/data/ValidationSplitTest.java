package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seeded hold-out behind {@code --val-fraction}: deterministic, disjoint, complete. */
class ValidationSplitTest {

    /**
     * Image i holds the single byte i % 256 and label i % 7, so each part's images can be traced.
     */
    private record Numbered(int size) implements ImageDataset {
        @Override
        public int numClasses() {
            return 7;
        }

        @Override
        public int label(int i) {
            return i % 7;
        }

        @Override
        public String name() {
            return "numbered";
        }

        @Override
        public DecodedImage decode(int i) {
            return new DecodedImage(1, 1, 1, new byte[] {(byte) i});
        }
    }

    private static int[] indices(ImageDataset part) throws IOException {
        int[] out = new int[part.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Byte.toUnsignedInt(part.decode(i).pixels()[0]);
            assertEquals(out[i] % 7, part.label(i), "label travels with its image");
        }
        return out;
    }

    @Test
    void partsAreDisjointCoverEveryImageAndKeepDatasetOrder() throws IOException {
        ValidationSplit s = ValidationSplit.of(new Numbered(250), 0.2, 3);
        int[] val = indices(s.validation());
        int[] train = indices(s.train());
        assertEquals(50, val.length);
        assertEquals(200, train.length);
        int[] expectedVal = Arrays.copyOf(ValidationSplit.permutation(250, 3), 50);
        Arrays.sort(expectedVal);
        assertArrayEquals(
                expectedVal, val, "validation = the first 50 of the seeded permutation, in order");
        BitSet seen = new BitSet();
        for (int[] part : new int[][] {val, train}) {
            for (int k = 0; k < part.length; k++) {
                assertFalse(seen.get(part[k]), "image " + part[k] + " in both parts");
                seen.set(part[k]);
                assertTrue(k == 0 || part[k - 1] < part[k], "dataset order kept");
            }
        }
        assertEquals(250, seen.cardinality());
    }

    @Test
    void permutationIsAPermutationFixedBySeed() {
        int[] a = ValidationSplit.permutation(500, 11);
        assertArrayEquals(a, ValidationSplit.permutation(500, 11), "same seed, same split");
        assertNotEquals(Arrays.toString(a), Arrays.toString(ValidationSplit.permutation(500, 12)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 500; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void namesSayWhichPartAndWhichSplit() {
        ValidationSplit s = ValidationSplit.of(new Numbered(10), 0.3, 5);
        assertEquals("numbered val fraction=0.3 seed=5", s.validation().name());
        assertEquals("numbered train-minus-val fraction=0.3 seed=5", s.train().name());
        assertEquals(3, s.validation().size());
    }

    @Test
    void fractionsThatEmptyAPartAreRefused() {
        for (double f : new double[] {0, 1, -0.1, 0.01}) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ValidationSplit.of(new Numbered(10), f, 0));
            assertTrue(e.getMessage().contains("of 10 images"), e.getMessage());
        }
    }

    /** Image i of the synthetic set is identified by its pixels; labels come along. */
    private static List<String> identities(ImageDataset d) throws IOException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(Arrays.hashCode(d.decode(i).pixels()) + ":" + d.label(i));
        }
        return out;
    }

    @Test
    void sameSeedSameSplitDisjointAndCoveringEveryImage() throws IOException {
        SyntheticShapes all = new SyntheticShapes(40, 4, 8, 8, 9);
        ValidationSplit a = ValidationSplit.of(all, 0.2, 7);
        ValidationSplit b = ValidationSplit.of(all, 0.2, 7);
        assertEquals(8, a.validation().size(), "round(0.2 * 40)");
        assertEquals(32, a.train().size());
        assertEquals(identities(a.validation()), identities(b.validation()));
        assertEquals(identities(a.train()), identities(b.train()));

        Set<String> val = new HashSet<>(identities(a.validation()));
        Set<String> train = new HashSet<>(identities(a.train()));
        assertEquals(8, val.size(), "distinct images");
        assertTrue(val.stream().noneMatch(train::contains), "disjoint");
        Set<String> union = new HashSet<>(val);
        union.addAll(train);
        assertEquals(new HashSet<>(identities(all)), union, "every image is in exactly one part");
        assertEquals(all.numClasses(), a.validation().numClasses());

        assertNotEquals(
                identities(a.validation()),
                identities(ValidationSplit.of(all, 0.2, 8).validation()),
                "another seed, another split");
        assertTrue(a.validation().name().contains("seed=7"), a.validation().name());
    }

    @Test
    void permutationOfTenIsFixedBySeed() {
        int[] p = ValidationSplit.permutation(10, 3);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertEquals("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", Arrays.toString(sorted));
        assertEquals(Arrays.toString(p), Arrays.toString(ValidationSplit.permutation(10, 3)));
    }

    @Test
    void fractionsThatEmptyAPartOfSyntheticShapesAreRefused() {
        SyntheticShapes all = new SyntheticShapes(10, 2, 8, 8, 1);
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(all, 0.01, 0));
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(all, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(all, 0.99, 0));
    }
}
