package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ImageFolder indexing, subsets and errors on a generated ImageNet-style tree. */
class ImageFolderTest {
    @TempDir Path root;

    /** Classes b, a, c (created out of order) with 3, 2 and 1 images; one PNG per class. */
    @BeforeEach
    void tree() throws IOException {
        write(root.resolve("n002/n002_1.JPEG"), 10);
        write(root.resolve("n002/n002_2.jpg"), 20);
        write(root.resolve("n002/n002_3.png"), 30);
        write(root.resolve("n001/n001_1.png"), 40);
        write(root.resolve("n001/n001_2.JPEG"), 50);
        write(root.resolve("n003/sub/n003_1.jpeg"), 60);
        Files.writeString(root.resolve("n003/readme.txt"), "not an image");
    }

    static void write(Path file, int seed) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(12, 8, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 12; x++) {
                img.setRGB(
                        x,
                        y,
                        ((seed + x * 7) & 0xff) << 16
                                | ((seed * 3 + y * 11) & 0xff) << 8
                                | ((x * y) & 0xff));
            }
        }
        String name = file.getFileName().toString().toLowerCase();
        ImageIO.write(img, name.endsWith(".png") ? "png" : "jpeg", file.toFile());
    }

    private static List<String> names(ImageFolder f) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            out.add(f.file(i).getFileName() + ":" + f.label(i));
        }
        return out;
    }

    @Test
    void indexesClassesBySortedFolderName() throws IOException {
        ImageFolder f = ImageFolder.builder().setRoot(root).build();
        assertEquals(List.of("n001", "n002", "n003"), f.classes());
        assertEquals(3, f.numClasses());
        assertEquals(
                List.of(
                        "n001_1.png:0",
                        "n001_2.JPEG:0",
                        "n002_1.JPEG:1",
                        "n002_2.jpg:1",
                        "n002_3.png:1",
                        "n003_1.jpeg:2"),
                names(f));
    }

    @Test
    void decodesPngExactlyAndJpegToRgb() throws IOException {
        ImageFolder f = ImageFolder.builder().setRoot(root).build();
        DecodedImage png = f.decode(0); // n001_1.png, seed 40
        assertEquals(12, png.width());
        assertEquals(8, png.height());
        assertEquals(3, png.channels());
        assertEquals((40 + 5 * 7) & 0xff, png.get(5, 3, 0));
        assertEquals((40 * 3 + 3 * 11) & 0xff, png.get(5, 3, 1));
        assertEquals(15, png.get(5, 3, 2));
        DecodedImage jpeg = f.decode(2);
        assertEquals(3, jpeg.channels());
        assertEquals(12 * 8 * 3, jpeg.pixels().length);
    }

    @Test
    void grayscalePngDecodesToOneChannel() throws IOException {
        BufferedImage g = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(2, 1, 0, 77);
        Path file = root.resolve("gray.png");
        ImageIO.write(g, "png", file.toFile());
        DecodedImage d = ImageDecoder.decode(file);
        assertEquals(1, d.channels());
        assertEquals(77, d.get(2, 1, 0));
        assertEquals(0, d.get(0, 0, 0));
    }

    @Test
    void classListKeepsListedClassesAndRenumbers() throws IOException {
        Path list = Files.writeString(root.resolve("classes.txt"), "# subset\nn003\n\nn002\n");
        ImageFolder f = ImageFolder.builder().setRoot(root).optClassList(list).build();
        assertEquals(List.of("n002", "n003"), f.classes());
        assertEquals(
                List.of("n002_1.JPEG:0", "n002_2.jpg:0", "n002_3.png:0", "n003_1.jpeg:1"),
                names(f));
    }

    @Test
    void fileListSelectsImagesByFileName() throws IOException {
        Path list =
                Files.writeString(
                        root.resolve("1percent.txt"), "n003_1.jpeg\nn001_2.JPEG\nn002_2.jpg\n");
        ImageFolder f = ImageFolder.builder().setRoot(root).optFileList(list).build();
        assertEquals(List.of("n001_2.JPEG:0", "n002_2.jpg:1", "n003_1.jpeg:2"), names(f));
        assertEquals(3, f.numClasses());
    }

    @Test
    void classListNamesEveryMissingClass() throws IOException {
        Path list = Files.writeString(root.resolve("classes.txt"), "n001\nn404\nn405\n");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> ImageFolder.builder().setRoot(root).optClassList(list).build());
        assertTrue(e.getMessage().contains("2 missing: n404, n405"), e.getMessage());
    }

    @Test
    void fileListNamesFirstTenMissingFilesAndTheCount() throws IOException {
        StringBuilder s = new StringBuilder("n001_1.png\n");
        for (int i = 0; i < 12; i++) {
            s.append("gone_").append(i).append(".JPEG\n");
        }
        Path list = Files.writeString(root.resolve("files.txt"), s);
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> ImageFolder.builder().setRoot(root).optFileList(list).build());
        assertTrue(e.getMessage().contains("12 missing, first 10: gone_0.JPEG"), e.getMessage());
        assertTrue(e.getMessage().contains("gone_9.JPEG"), e.getMessage());
        assertTrue(!e.getMessage().contains("gone_10.JPEG"), e.getMessage());
    }

    @Test
    void fileListEntriesOfUnlistedClassesAreIgnoredAndCounted() throws IOException {
        Path classes = Files.writeString(root.resolve("classes.txt"), "n001\n");
        Path files =
                Files.writeString(
                        root.resolve("files.txt"),
                        "n001_1.png\nn002_1.JPEG\nn009_7.JPEG\nn003/x.jpg\n");
        ImageFolder f =
                ImageFolder.builder()
                        .setRoot(root)
                        .optClassList(classes)
                        .optFileList(files)
                        .build();
        assertEquals(List.of("n001_1.png:0"), names(f));
        assertEquals(1, f.numClasses());
        assertEquals(3, f.ignoredFileListEntries());
    }

    @Test
    void fileListEntryOfAListedClassMissingOnDiskIsAnErrorNamingIt() throws IOException {
        Path classes = Files.writeString(root.resolve("classes.txt"), "n001\nn002\n");
        Path files =
                Files.writeString(
                        root.resolve("files.txt"), "n001_1.png\nn002_9.JPEG\nn003_1.jpeg\n");
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                ImageFolder.builder()
                                        .setRoot(root)
                                        .optClassList(classes)
                                        .optFileList(files)
                                        .build());
        assertTrue(e.getMessage().contains("1 missing: n002_9.JPEG"), e.getMessage());
        assertTrue(e.getMessage().contains("classes.txt"), e.getMessage());
    }

    @Test
    void fileListAcceptsClassSlashFileLinesAndChecksTheFolder() throws IOException {
        Path files = Files.writeString(root.resolve("files.txt"), "n002/n002_2.jpg\nn001_2.JPEG\n");
        ImageFolder f = ImageFolder.builder().setRoot(root).optFileList(files).build();
        assertEquals(List.of("n001_2.JPEG:0", "n002_2.jpg:1"), names(f));
        // the file exists, but not in the folder the line names
        Path wrong = Files.writeString(root.resolve("wrong.txt"), "n001/n002_2.jpg\n");
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> ImageFolder.builder().setRoot(root).optFileList(wrong).build());
        assertTrue(e.getMessage().contains("n001/n002_2.jpg"), e.getMessage());
        // with a class list, a line whose folder is not listed is ignored
        Path classes = Files.writeString(root.resolve("classes.txt"), "n002\n");
        Path mixed =
                Files.writeString(root.resolve("mixed.txt"), "n002/n002_3.png\nn001/n001_1.png\n");
        ImageFolder g =
                ImageFolder.builder()
                        .setRoot(root)
                        .optClassList(classes)
                        .optFileList(mixed)
                        .build();
        assertEquals(List.of("n002_3.png:0"), names(g));
        assertEquals(1, g.ignoredFileListEntries());
    }

    @Test
    void missingFolderEmptyFolderAndMissingListFail() throws IOException {
        IOException missing =
                assertThrows(
                        IOException.class,
                        () -> ImageFolder.builder().setRoot(root.resolve("nope")).build());
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        Path empty = Files.createDirectories(root.resolve("empty/cls"));
        IOException none =
                assertThrows(
                        IOException.class,
                        () -> ImageFolder.builder().setRoot(empty.getParent()).build());
        assertTrue(none.getMessage().contains("no images"), none.getMessage());
        assertThrows(IOException.class, () -> ImageFolder.unlabelled(empty));
        IOException list =
                assertThrows(
                        IOException.class,
                        () ->
                                ImageFolder.builder()
                                        .setRoot(root)
                                        .optClassList(root.resolve("absent.txt"))
                                        .build());
        assertTrue(list.getMessage().contains("absent.txt"), list.getMessage());
    }

    @Test
    void unlabelledFolderListsEveryImage() throws IOException {
        ImageFolder f = ImageFolder.unlabelled(root);
        assertEquals(6, f.size());
        assertEquals(0, f.numClasses());
        assertEquals(-1, f.label(3));
    }

    @Test
    void corruptAndTruncatedFilesFailNamingTheFile() throws IOException {
        Path junk = Files.write(root.resolve("n001/junk.jpg"), new byte[] {1, 2, 3, 4, 5});
        IOException e1 = assertThrows(IOException.class, () -> ImageDecoder.decode(junk));
        assertTrue(e1.getMessage().contains("junk.jpg"), e1.getMessage());
        Path good = root.resolve("n002/n002_1.JPEG");
        byte[] bytes = Files.readAllBytes(good);
        Path cut =
                Files.write(
                        root.resolve("n001/cut.jpg"),
                        java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
        IOException e2 = assertThrows(IOException.class, () -> ImageDecoder.decode(cut));
        assertTrue(e2.getMessage().contains("cut.jpg"), e2.getMessage());
    }

    @Test
    void idxAdapterAndSyntheticShapesAreDeterministic() throws IOException {
        ImageDataset fm = IdxDataset.embeddedFashionMnist(false).asImageDataset();
        assertEquals(2000, fm.size());
        assertEquals(10, fm.numClasses());
        DecodedImage d = fm.decode(5);
        assertEquals(1, d.channels());
        assertEquals(28, d.width());
        SyntheticShapes s = new SyntheticShapes(30, 7, 40, 30, 5L);
        assertEquals(3, s.label(10));
        assertArrayEquals(
                s.decode(4).pixels(), new SyntheticShapes(30, 7, 40, 30, 5L).decode(4).pixels());
        assertTrue(
                !java.util.Arrays.equals(
                        s.decode(4).pixels(),
                        new SyntheticShapes(30, 7, 40, 30, 6L).decode(4).pixels()));
        assertTrue(!java.util.Arrays.equals(s.decode(4).pixels(), s.decode(11).pixels()));
    }
}
