package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The augment benchmark runs standalone, generates its images and ends with one JSON line. */
class BenchAugmentCommandTest {
    @Test
    void generatesJpegsAndPrintsJsonLastLine(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("imgs");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code =
                    new CommandLine(new BenchAugmentCommand())
                            .execute(
                                    "--images",
                                    images.toString(),
                                    "--generate",
                                    "6",
                                    "--batch",
                                    "2",
                                    "--batches",
                                    "2",
                                    "--warmup",
                                    "1",
                                    "--global-size",
                                    "32",
                                    "--local-size",
                                    "16",
                                    "--local-crops",
                                    "2",
                                    "--threads",
                                    "1");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code, buf.toString(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(images)) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".jpg")).count());
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        assertEquals("augment-multicrop", json.get("name").getAsString());
        assertTrue(json.get("images_per_second").getAsDouble() > 0);
        assertEquals("2x32+2x16", json.get("crops").getAsString());
        assertEquals(2, json.get("batch").getAsInt());
        assertEquals(4, json.get("timed_images").getAsInt());
        assertEquals(6, json.get("image_count").getAsInt());
        assertEquals(0, json.get("skipped_images").getAsInt());
        assertEquals("loader", json.get("photometric").getAsString()); // AUTO on the CPU
    }

    @Test
    void photometricOptionSelectsTheDevicePath(@TempDir Path dir) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code =
                    new CommandLine(new BenchAugmentCommand())
                            .execute(
                                    "--images",
                                    dir.toString(),
                                    "--generate",
                                    "4",
                                    "--batch",
                                    "2",
                                    "--batches",
                                    "1",
                                    "--warmup",
                                    "1",
                                    "--global-size",
                                    "32",
                                    "--local-crops",
                                    "0",
                                    "--threads",
                                    "1",
                                    "--photometric",
                                    "DEVICE");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code, buf.toString(StandardCharsets.UTF_8));
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        assertEquals("device", json.get("photometric").getAsString());
        assertEquals("2x32", json.get("crops").getAsString());
        assertEquals(2, json.get("timed_images").getAsInt());
    }

    @Test
    void readsAnIdxFolderWithTheSimclrPreset(@TempDir Path dir) throws Exception {
        int n = 8;
        java.nio.ByteBuffer images =
                java.nio.ByteBuffer.allocate(16 + n * 28 * 28)
                        .putInt(0x803)
                        .putInt(n)
                        .putInt(28)
                        .putInt(28);
        for (int i = 0; i < n * 28 * 28; i++) {
            images.put((byte) (i * 7));
        }
        Files.write(dir.resolve("train-images-idx3-ubyte"), images.array());
        Files.write(
                dir.resolve("train-labels-idx1-ubyte"),
                java.nio.ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n).array());
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code =
                    new CommandLine(new BenchAugmentCommand())
                            .execute(
                                    "--idx",
                                    dir.toString(),
                                    "--preset",
                                    "simclr",
                                    "--global-size",
                                    "28",
                                    "--batch",
                                    "4",
                                    "--batches",
                                    "1",
                                    "--warmup",
                                    "1",
                                    "--threads",
                                    "1",
                                    "--workers",
                                    "1");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code, buf.toString(StandardCharsets.UTF_8));
        String[] lines = buf.toString(StandardCharsets.UTF_8).strip().split("\n");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        assertEquals("2x28", json.get("crops").getAsString());
        assertEquals("simclr", json.get("preset").getAsString());
        assertEquals(n, json.get("image_count").getAsInt());
        assertEquals(4, json.get("timed_images").getAsInt());
    }
}
