package dev.selfsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.config.DataSettings;
import dev.selfsup.config.DataSettings.DatasetKind;
import dev.selfsup.data.ImageDataset;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir Path dir;

    @Test
    void imageFolderTrainTakesBothListsAndTestOnlyTheClassList() throws IOException {
        for (String f : new String[] {"a/a1.png", "a/a2.png", "b/b1.png", "c/c1.png"}) {
            png(dir.resolve("images").resolve(f));
        }
        Path classes = Files.writeString(dir.resolve("classes.txt"), "a\nb\n");
        Path files = Files.writeString(dir.resolve("files.txt"), "a1.png\nb1.png\n");
        DataSettings data =
                EvalData.dataSettings(
                        DatasetKind.IMAGE_FOLDER,
                        dir.resolve("images").toString(),
                        classes.toString(),
                        files.toString());
        ImageDataset train = Datasets.open(data, 0, Datasets.Split.TRAIN);
        ImageDataset test = Datasets.open(data, 0, Datasets.Split.TEST);
        assertEquals(2, train.size(), "class list and file list");
        assertEquals(3, test.size(), "class list only: a file list selects training images");
        assertEquals(2, test.numClasses());
    }

    @Test
    void syntheticDataIsSeededAndHasNoTestSplit() throws IOException {
        DataSettings data =
                new DataSettings(DatasetKind.SYNTHETIC, "", "", "", 8, 1, 2, true, 40, 4, 16);
        ImageDataset a = Datasets.open(data, 3, Datasets.Split.TRAIN);
        assertEquals(40, a.size());
        assertEquals(4, a.numClasses());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Datasets.open(data, 3, Datasets.Split.TEST));
        assertTrue(
                e.getMessage().contains("no test split")
                        && e.getMessage().contains("fashion_mnist_embedded"),
                e.getMessage());
    }

    private static void png(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_3BYTE_BGR), "png", file.toFile());
    }
}
