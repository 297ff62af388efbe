package dev.selfsup.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps the documentation in step with the repository (surefire runs from the project root). */
class DocsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();

    private static List<Path> list(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    @Test
    void everyRecipeIsDescribedInRecipesMd() throws IOException {
        String recipes = Files.readString(ROOT.resolve("docs/recipes.md"));
        List<Path> yamls = new ArrayList<>(list(ROOT.resolve("configs"), ".yaml"));
        Path eval = ROOT.resolve("configs/eval");
        if (Files.isDirectory(eval)) {
            yamls.addAll(list(eval, ".yaml"));
        }
        assertTrue(yamls.size() >= 10, "configs/ has " + yamls);
        List<String> missing = new ArrayList<>();
        for (Path y : yamls) {
            String stem = y.getFileName().toString().replaceFirst("\\.yaml$", "");
            if (!recipes.contains("`" + stem + "`")
                    && !recipes.contains("`" + ROOT.relativize(y) + "`")) {
                missing.add(ROOT.relativize(y).toString());
            }
        }
        assertEquals(List.of(), missing, "recipes not described in docs/recipes.md (as `name`)");
    }

    @Test
    void readmeLinksEveryDocsPageAndEveryLinkResolves() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> missing = new ArrayList<>();
        for (Path page : list(ROOT.resolve("docs"), ".md")) {
            if (!readme.contains("](docs/" + page.getFileName() + ")")) {
                missing.add(page.getFileName().toString());
            }
        }
        assertEquals(List.of(), missing, "docs pages not linked from README.md");
        assertEquals(
                List.of(),
                brokenLinks(ROOT.resolve("README.md")),
                "README.md links to missing files");
        for (Path page : list(ROOT.resolve("docs"), ".md")) {
            assertEquals(List.of(), brokenLinks(page), page + " links to missing files");
        }
    }

    @Test
    void readmeLinksEveryExample() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (Path example : list(ROOT.resolve("src/examples/java/dev/selfsup/examples"), ".java")) {
            String name = example.getFileName().toString().replaceFirst("\\.java$", "");
            assertTrue(
                    readme.contains("`" + name + "`"),
                    "README.md does not mention example " + name);
        }
    }

    /** Relative link targets (anchors dropped) that do not exist. */
    private static List<String> brokenLinks(Path md) throws IOException {
        Matcher m = Pattern.compile("\\]\\(([^)\\s]+)\\)").matcher(Files.readString(md));
        List<String> broken = new ArrayList<>();
        while (m.find()) {
            String target = m.group(1);
            if (target.startsWith("http")
                    || target.startsWith("#")
                    || target.startsWith("mailto:")) {
                continue;
            }
            String file = target.replaceFirst("#.*$", "");
            if (!Files.exists(md.getParent().resolve(file))) {
                broken.add(target);
            }
        }
        return broken;
    }
}
