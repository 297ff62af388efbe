package dev.selfsup.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    @Test
    void writesIntoNewDirectoriesAndReplacesTheOldContent() throws IOException {
        Path f = dir.resolve("a/b/results.json");
        AtomicFiles.writeString(f, "one");
        AtomicFiles.writeString(f, "two");
        assertEquals("two", Files.readString(f, StandardCharsets.UTF_8));
        assertEquals(List.of(f), files(f.getParent()));
    }

    @Test
    void aWriteThatFailsHalfwayKeepsThePreviousFileAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("latest.ckpt");
        AtomicFiles.writeString(f, "complete");
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                AtomicFiles.write(
                                        f,
                                        tmp -> {
                                            Files.writeString(tmp, "half");
                                            throw new IOException("disk full");
                                        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("complete", Files.readString(f, StandardCharsets.UTF_8));
        assertEquals(List.of(f), files(dir));
    }

    private static List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
