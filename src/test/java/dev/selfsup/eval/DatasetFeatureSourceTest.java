package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.data.DecodedImage;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFeatureSourceTest {
    @TempDir Path dir;

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    /**
     * Same-size resize is the identity, so every value is (byte / 255 − mean[c]) / std[c] (naive
     * loop).
     */
    @Test
    void imagesAreNormalisedPixelsInDatasetOrder() {
        SyntheticShapes shapes = new SyntheticShapes(11, 3, 12, 12, 5);
        float[] mean = Normalize.IMAGENET.mean();
        float[] std = Normalize.IMAGENET.std();
        try (NDManager m = NDManager.newBaseManager();
                DatasetFeatureSource src =
                        DatasetFeatureSource.builder(shapes)
                                .setTransform(MultiCrop.evaluationResize(12))
                                .optBatchSize(4)
                                .optThreads(1)
                                .build()) {
            NDArray all = src.images(m, 0, 11);
            assertEquals(new Shape(11, 3, 12, 12), all.getShape());
            float[] got = all.toFloatArray();
            float[] expected = new float[got.length];
            for (int i = 0; i < 11; i++) {
                DecodedImage img = shapes.decode(i);
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 12; y++) {
                        for (int x = 0; x < 12; x++) {
                            int v = img.get(x, y, img.channels() == 1 ? 0 : c);
                            expected[((i * 3 + c) * 12 + y) * 12 + x] =
                                    (v / 255f - mean[c]) / std[c];
                        }
                    }
                }
            }
            assertArrayEquals(expected, got, 1e-5f);
            int[] labels = src.labels();
            for (int i = 0; i < 11; i++) {
                assertEquals(shapes.label(i), labels[i]);
            }
            // unaligned and backwards ranges restart the loader and still give the same rows
            assertArrayEquals(
                    all.get("3:10").toFloatArray(), src.images(m, 3, 10).toFloatArray(), 0f);
            assertArrayEquals(
                    all.get("0:2").toFloatArray(), src.images(m, 0, 2).toFloatArray(), 0f);
            assertArrayEquals(
                    all.get("10:11").toFloatArray(), src.images(m, 10, 11).toFloatArray(), 0f);
        }
    }

    @Test
    void cacheKeyFollowsTheSelectedFilesAndTheTransform() throws IOException {
        Path root = writeFolder(dir.resolve("train"), new SyntheticShapes(6, 2, 10, 10, 1));
        Path list = Files.writeString(dir.resolve("subset.txt"), "img0.png\nimg1.png\nimg2.png\n");
        ImageFolder full = ImageFolder.builder().setRoot(root).build();
        ImageFolder subset = ImageFolder.builder().setRoot(root).optFileList(list).build();
        DatasetFeatureSource a =
                DatasetFeatureSource.builder(full).setTransform(MultiCrop.evaluation(8)).build();
        DatasetFeatureSource b =
                DatasetFeatureSource.builder(subset).setTransform(MultiCrop.evaluation(8)).build();
        DatasetFeatureSource c =
                DatasetFeatureSource.builder(full).setTransform(MultiCrop.evaluation(16)).build();
        DatasetFeatureSource d =
                DatasetFeatureSource.builder(full).setTransform(MultiCrop.evaluation(8)).build();
        assertNotEquals(a.cacheKey(), b.cacheKey());
        assertEquals(a.cacheKey(), d.cacheKey());
        assertEquals(a.cacheKey(), c.cacheKey());
        assertNotEquals(a.transformDescription(), c.transformDescription());
        assertTrue(a.transformDescription().contains("ResizeCenterCrop"), a.transformDescription());
        assertEquals(6, a.size());
        assertEquals(3, b.size());
    }

    @Test
    void randomTransformsAndUnlabelledDataAreRefused() throws IOException {
        SyntheticShapes shapes = new SyntheticShapes(4, 2, 10, 10, 1);
        IllegalArgumentException random =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                DatasetFeatureSource.builder(shapes)
                                        .setTransform(MultiCrop.linearProbe(8))
                                        .build());
        assertTrue(random.getMessage().contains("deterministic"), random.getMessage());
        Path root = writeFolder(dir.resolve("plain"), shapes);
        ImageFolder unlabelled = ImageFolder.unlabelled(root);
        IllegalArgumentException none =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                DatasetFeatureSource.builder(unlabelled)
                                        .setTransform(MultiCrop.evaluation(8))
                                        .build());
        assertTrue(none.getMessage().contains("unlabelled"), none.getMessage());
    }

    /**
     * Evaluation cannot skip an image: one error that names the file, not a warning and an error.
     */
    @Test
    void anUnreadableImageFailsExtractionOnceNamingTheFile() throws IOException {
        Path root = writeFolder(dir.resolve("broken"), new SyntheticShapes(6, 2, 10, 10, 1));
        Path bad = Files.write(root.resolve("class0/zz_corrupt.png"), new byte[] {1, 2, 3});
        ImageFolder folder = ImageFolder.builder().setRoot(root).build();
        try (NDManager m = NDManager.newBaseManager();
                DatasetFeatureSource source =
                        DatasetFeatureSource.builder(folder)
                                .setTransform(MultiCrop.evaluation(8))
                                .optBatchSize(4)
                                .optThreads(1)
                                .build()) {
            java.io.UncheckedIOException e =
                    assertThrows(
                            java.io.UncheckedIOException.class,
                            () -> FeatureExtractor.extract(new RawPixels(), source, 4, m));
            String msg = e.getMessage();
            assertTrue(msg.contains(bad.toString()) && msg.contains("unreadable"), msg);
            assertTrue(!msg.contains("warning above"), msg);
        }
    }

    /** Writes images as PNGs under {@code root/<class>/img<i>.png}; returns root. */
    static Path writeFolder(Path root, SyntheticShapes shapes) throws IOException {
        for (int i = 0; i < shapes.size(); i++) {
            Path classDir = root.resolve("class" + shapes.label(i));
            Files.createDirectories(classDir);
            DecodedImage img = shapes.decode(i);
            BufferedImage out =
                    new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    int r = img.get(x, y, 0);
                    int g = img.get(x, y, img.channels() == 1 ? 0 : 1);
                    int b = img.get(x, y, img.channels() == 1 ? 0 : 2);
                    out.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            ImageIO.write(out, "png", classDir.resolve("img" + i + ".png").toFile());
        }
        return root;
    }
}
