package dev.selfsup.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that readers see its old content or its new content, never a part: the content
 * goes to a temporary file beside it, which then replaces it in one atomic rename. A run killed
 * mid-write (a checkpoint, {@code results.json}, a cache entry, a plot) keeps the previous file.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the whole content to the temporary file it is given. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the content.
         *
         * @param tmp an empty file in the target's directory
         * @throws IOException if writing fails
         */
        void writeTo(Path tmp) throws IOException;
    }

    /**
     * Writes {@code file} atomically, creating its directory; the temporary file is removed on
     * failure.
     *
     * @param file the file to create or replace
     * @param content writes the new content
     * @throws IOException if writing or the rename fails; {@code file} is then unchanged
     */
    public static void write(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            content.writeTo(tmp);
            Files.move(
                    tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes UTF-8 text atomically.
     *
     * @param file the file to create or replace
     * @param text the whole text
     * @throws IOException if writing fails; {@code file} is then unchanged
     */
    public static void writeString(Path file, String text) throws IOException {
        write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }
}
