package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled ImageNet lists and their combination with an ImageNet-style tree: ImageNet-100 ∩
 * SimCLR 1 % = 1,278 images, ∩ 10 % = 12,812 (METHODS.md §10).
 */
class SubsetListTest {
    @TempDir Path tmp;

    @Test
    void bundledListsHaveTheirPublishedSizes() {
        assertEquals(
                List.of("imagenet100", "imagenet_10percent", "imagenet_1percent"),
                SubsetList.bundledNames());
        SubsetList classes = SubsetList.bundled("imagenet100");
        assertEquals(100, classes.entries().size());
        assertEquals("n02869837", classes.entries().get(0));
        assertTrue(classes.entries().stream().allMatch(c -> c.matches("n\\d{8}")), "wnids");
        assertEquals(12_811, SubsetList.bundled("imagenet_1percent").entries().size());
        assertEquals(128_116, SubsetList.bundled("imagenet_10percent").entries().size());
        // first lines of the upstream files (google-research/simclr imagenet_subsets)
        assertEquals(
                "n04235860_14959.JPEG", SubsetList.bundled("imagenet_1percent").entries().get(0));
        assertEquals(
                "n03794056_10253.JPEG", SubsetList.bundled("imagenet_10percent").entries().get(0));
    }

    @Test
    void aFileWinsOverABundledNameAndAnythingElseIsAnErrorListingTheBundledNames()
            throws IOException {
        Path file = Files.writeString(tmp.resolve("mine.txt"), "# two classes\na\n\nb\na\n");
        SubsetList mine = SubsetList.resolve(file.toString());
        assertEquals(List.of("a", "b"), mine.entries());
        assertEquals("mine.txt", mine.shortName());
        assertEquals("imagenet100", SubsetList.resolve("imagenet100").shortName());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SubsetList.resolve("imagenet_5percent"));
        assertTrue(e.getMessage().contains("imagenet_5percent"), e.getMessage());
        assertTrue(
                e.getMessage().contains("[imagenet100, imagenet_10percent, imagenet_1percent]"),
                e.getMessage());
        assertThrows(
                IOException.class,
                () ->
                        SubsetList.resolve(
                                Files.writeString(tmp.resolve("empty.txt"), "#\n").toString()));
    }

    @Test
    void imagenet100WithTheOnePercentListSelects1278ImagesOf100Classes() throws IOException {
        assertEquals(1_278, selectFromTree("imagenet_1percent", 3).size());
    }

    @Test
    void imagenet100WithTheTenPercentListSelects12812ImagesOf100Classes() throws IOException {
        assertEquals(12_812, selectFromTree("imagenet_10percent", 0).size());
    }

    /**
     * Lays out train/<wnid>/<file> with every file of the list that belongs to an ImageNet-100
     * class (empty files: indexing does not decode), plus unlisted classes and extra files, then
     * selects with both lists.
     */
    private ImageFolder selectFromTree(String fileList, int extraPerClass) throws IOException {
        Path train = tmp.resolve("train");
        Set<String> in100 = new HashSet<>(SubsetList.bundled("imagenet100").entries());
        int expected = 0;
        for (String name : SubsetList.bundled(fileList).entries()) {
            String wnid = name.substring(0, name.indexOf('_'));
            if (in100.contains(wnid)) {
                Path f = train.resolve(wnid).resolve(name);
                Files.createDirectories(f.getParent());
                Files.createFile(f);
                expected++;
            }
        }
        for (String wnid : List.of("n01440764", "n15075141")) { // two classes outside ImageNet-100
            Files.createDirectories(train.resolve(wnid));
            Files.createFile(train.resolve(wnid).resolve(wnid + "_1.JPEG"));
        }
        for (String wnid : in100.stream().sorted().limit(extraPerClass > 0 ? 5 : 0).toList()) {
            for (int i = 0; i < extraPerClass; i++) {
                Files.createFile(train.resolve(wnid).resolve(wnid + "_extra" + i + ".JPEG"));
            }
        }
        ImageFolder f =
                ImageFolder.builder()
                        .setRoot(train)
                        .optClassList(SubsetList.resolve("imagenet100"))
                        .optFileList(SubsetList.resolve(fileList))
                        .build();
        assertEquals(100, f.numClasses());
        assertEquals(expected, f.size());
        assertEquals(
                SubsetList.bundled(fileList).entries().size() - expected,
                f.ignoredFileListEntries());
        for (int i = 0; i < f.size(); i++) {
            String file = f.file(i).getFileName().toString();
            assertEquals(f.classes().get(f.label(i)), file.substring(0, file.indexOf('_')));
        }
        return f;
    }
}
