package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir Path dir;

    @Test
    void embeddedSubsetIsClassBalanced() throws IOException {
        IdxDataset train = IdxDataset.embeddedFashionMnist(true);
        IdxDataset test = IdxDataset.embeddedFashionMnist(false);
        assertEquals(10_000, train.size());
        assertEquals(2_000, test.size());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(10, train.numClasses());
        int[] trainCounts = new int[10];
        for (int l : train.labels()) {
            trainCounts[l]++;
        }
        int[] testCounts = new int[10];
        for (int l : test.labels()) {
            testCounts[l]++;
        }
        int[] thousand = new int[10];
        Arrays.fill(thousand, 1000);
        int[] twoHundred = new int[10];
        Arrays.fill(twoHundred, 200);
        assertArrayEquals(thousand, trainCounts);
        assertArrayEquals(twoHundred, testCounts);
    }

    @Test
    void pixelsScaleToUnitRange() throws IOException {
        IdxDataset test = IdxDataset.embeddedFashionMnist(false);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = test.images(m, 0, 100);
            assertEquals(new Shape(100, 1, 28, 28), x.getShape());
            assertEquals(0f, x.min().getFloat(), 0f);
            assertEquals(1f, x.max().getFloat(), 0f);
            byte[] raw = test.image(3);
            float[] row = x.get(3).toFloatArray();
            for (int i = 0; i < raw.length; i++) {
                assertEquals((raw[i] & 0xff) / 255f, row[i], 0f);
            }
            assertArrayEquals(
                    new long[] {test.label(0), test.label(1)}, test.labels(m, 0, 2).toLongArray());
        }
    }

    @Test
    void readsPlainAndGzipAlike() throws IOException {
        byte[] idx =
                idx(new int[] {2, 2, 3}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        Path plain = dir.resolve("a-idx3-ubyte");
        Path gz = dir.resolve("b.gz");
        Files.write(plain, idx);
        Files.write(gz, gzip(idx));
        Idx.Tensor a = Idx.read(plain);
        Idx.Tensor b = Idx.read(gz);
        assertArrayEquals(new int[] {2, 2, 3}, a.dims());
        assertArrayEquals(a.data(), b.data());
        assertEquals((byte) 255, b.data()[11]);
    }

    @Test
    void fullFashionMnistWhenInstalled() throws IOException {
        Path full = Path.of("/usr/share/datasets/fashion-mnist");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isDirectory(full), "dataset-fashion-mnist not installed");
        IdxDataset train = IdxDataset.readSplit(full, true);
        IdxDataset test = IdxDataset.readSplit(full, false);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(10, test.numClasses());
    }

    @Test
    void truncatedFileNamesTheFile() throws IOException {
        byte[] idx = idx(new int[] {4, 2, 2}, new byte[16]);
        Path cut = dir.resolve("cut-idx3-ubyte");
        Files.write(cut, Arrays.copyOf(idx, idx.length - 5));
        IOException e = assertThrows(IOException.class, () -> Idx.read(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        byte[] gz = gzip(idx);
        Path cutGz = dir.resolve("cut.gz");
        Files.write(cutGz, Arrays.copyOf(gz, gz.length / 2));
        e = assertThrows(IOException.class, () -> Idx.read(cutGz));
        assertTrue(e.getMessage().contains(cutGz.toString()), e.getMessage());
    }

    @Test
    void corruptMagicNamesTheFile() throws IOException {
        Path bad = dir.resolve("bad.idx");
        Files.write(bad, new byte[] {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0});
        IOException e = assertThrows(IOException.class, () -> Idx.read(bad));
        assertTrue(
                e.getMessage().contains(bad.toString()) && e.getMessage().contains("magic"),
                e.getMessage());
        Path missing = dir.resolve("missing.gz");
        e = assertThrows(NoSuchFileException.class, () -> Idx.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void labelCountMismatchIsAnError() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        Files.write(img, idx(new int[] {2, 1, 1}, new byte[] {1, 2}));
        Files.write(lab, idx(new int[] {3}, new byte[] {0, 1, 2}));
        IOException e = assertThrows(IOException.class, () -> IdxDataset.read(img, lab));
        assertTrue(e.getMessage().contains("2 images"), e.getMessage());
    }

    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(0x0800 | dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(data);
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
