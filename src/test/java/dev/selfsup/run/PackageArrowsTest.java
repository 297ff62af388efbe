package dev.selfsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The arrows this layer is responsible for (STYLE.md §3), checked on the sources. */
class PackageArrowsTest {
    private static final Path MAIN = Path.of("src/main/java/dev/selfsup");

    @Test
    void dataUsesNoAugmentationType() throws IOException {
        assertEquals(
                List.of(), importers("data", "dev.selfsup.augment"), "augment → data, never back");
    }

    @Test
    void evaluationAndTrainingTakePathsFromTheirCallerNotFromRun() throws IOException {
        assertEquals(List.of(), importers("eval", "dev.selfsup.run"));
        assertEquals(List.of(), importers("train", "dev.selfsup.run"));
        assertEquals(
                List.of(),
                importers("eval", "dev.selfsup.config"),
                "config is read by run and cli only");
    }

    /** Files of a package that import from another, as {@code File.java: import ...}. */
    private static List<String> importers(String pkg, String imported) throws IOException {
        try (Stream<Path> files = Files.list(MAIN.resolve(pkg))) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(
                            f ->
                                    lines(f).stream()
                                            .filter(
                                                    l ->
                                                            l.startsWith("import " + imported + ".")
                                                                    || l.startsWith(
                                                                            "import static "
                                                                                    + imported
                                                                                    + "."))
                                            .map(l -> f.getFileName() + ": " + l))
                    .sorted()
                    .toList();
        }
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
