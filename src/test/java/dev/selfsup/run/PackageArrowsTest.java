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

    @Test
    void noTwoPackagesUseEachOtherAndTrainReadsNeitherConfigNorAugment() throws IOException {
        java.util.Map<String, java.util.Set<String>> uses = new java.util.TreeMap<>();
        java.util.regex.Pattern ref =
                java.util.regex.Pattern.compile("dev\\.selfsup\\.([a-z]+)\\.[A-Z]");
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f).getName(0).toString();
                for (String line : lines(f)) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/") || code.startsWith("//")) {
                        continue; // javadoc and comments may name other packages
                    }
                    java.util.regex.Matcher m = ref.matcher(code);
                    while (m.find()) {
                        if (!m.group(1).equals(pkg)) {
                            uses.computeIfAbsent(pkg, k -> new java.util.TreeSet<>())
                                    .add(m.group(1));
                        }
                    }
                }
            }
        }
        List<String> both = new java.util.ArrayList<>();
        uses.forEach(
                (a, targets) -> {
                    for (String b : targets) {
                        if (a.compareTo(b) < 0
                                && uses.getOrDefault(b, java.util.Set.of()).contains(a)) {
                            both.add(a + " <-> " + b);
                        }
                    }
                });
        assertEquals(List.of(), both, "packages that use each other");
        java.util.Set<String> train = uses.getOrDefault("train", java.util.Set.of());
        assertEquals(
                false,
                train.contains("config") || train.contains("augment"),
                "train uses " + train);
        assertEquals(
                false,
                uses.getOrDefault("eval", java.util.Set.of()).contains("train"),
                "eval uses train");
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
