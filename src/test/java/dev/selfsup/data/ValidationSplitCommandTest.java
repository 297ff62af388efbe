package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seeded hold-out behind {@code --val-fraction}: deterministic, disjoint, complete. */
class ValidationSplitCommandTest {
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

        assertNotEquals(identities(a.validation()), identities(ValidationSplit.of(all, 0.2, 8).validation()),
                "another seed, another split");
        assertTrue(a.validation().name().contains("seed=7"), a.validation().name());
    }

    @Test
    void permutationIsFisherYatesOverJavaUtilRandom() {
        int[] p = ValidationSplit.permutation(10, 3);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertEquals("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", Arrays.toString(sorted));
        assertEquals(Arrays.toString(p), Arrays.toString(ValidationSplit.permutation(10, 3)));
    }

    @Test
    void aFractionThatEmptiesAPartIsRefused() {
        SyntheticShapes all = new SyntheticShapes(10, 2, 8, 8, 1);
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(all, 0.01, 0));
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(all, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(all, 0.99, 0));
    }
}
