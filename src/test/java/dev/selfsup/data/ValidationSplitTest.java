package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    /** Image i holds the single byte i % 256 and label i % 7, so each part's images can be traced. */
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
        assertArrayEquals(expectedVal, val, "validation = the first 50 of the seeded permutation, in order");
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
                    assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(new Numbered(10), f, 0));
            assertTrue(e.getMessage().contains("of 10 images"), e.getMessage());
        }
    }
}
