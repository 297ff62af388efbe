package dev.selfsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.method.MocoSettings;
import dev.selfsup.method.SimClrSettings;
import dev.selfsup.method.SwavSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recipe's method: {@code method: NAME} plus that method's section only. */
class MethodSectionTest {
    @TempDir Path dir;

    @Test
    void anUnknownMethodNamesTheKeyAndTheKnownMethods() throws IOException {
        Path f = write("byol.yaml", "seed: 1\nmethod: byol\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertEquals("method", e.key());
        assertTrue(
                e.getMessage().contains(f + ":2")
                        && e.getMessage().contains("'byol'")
                        && e.getMessage().contains("[simclr, mocov2, swav, dino]"),
                e.getMessage());
    }

    @Test
    void aSectionOfAnotherMethodNamesTheKeyAndTheMethodsSections() throws IOException {
        Path f = write("mixed.yaml", "method: simclr\nswav:\n  prototypes: 10\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertEquals("swav", e.key());
        assertTrue(
                e.getMessage().contains(f + ":2")
                        && e.getMessage().contains("method swav")
                        && e.getMessage().contains("trains simclr")
                        && e.getMessage().contains("mocov2 → moco"),
                e.getMessage());
    }

    @Test
    void mochiAndFeatureTransformSitInsideTheMethodSection() throws IOException {
        Path f = write("old.yaml", "method: mocov2\nmochi:\n  enabled: true\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertTrue(
                e.getMessage().contains(f + ":2")
                        && e.getMessage().contains("unknown key")
                        && e.getMessage().contains("simclr.mochi or moco.mochi"),
                e.getMessage());
        Recipe r =
                RecipeLoader.parse(
                        "method: simclr\nsimclr: {mochi: {enabled: true, hardest: 100}}\n",
                        "simclr-mochi");
        assertEquals(100, ((SimClrSettings) r.method()).mochi().hardest());
    }

    @Test
    void mochiHardestAboveTheQueueFailsAtLoadTimeNamingTheKeyAndTheQueue() throws IOException {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RecipeLoader.load(
                                        "mochi_mocov2_fashionmnist",
                                        List.of(
                                                "moco.queue_length=512",
                                                "moco.mochi.hardest=513")));
        assertEquals("moco.mochi.hardest", e.key());
        assertTrue(
                e.getMessage().contains("got 513")
                        && e.getMessage().contains("queue's 512 negatives")
                        && e.getMessage().contains("moco.queue_length"),
                e.getMessage());
        Path f =
                write(
                        "simclr.yaml",
                        "method: simclr\ndata: {batch_size: 8}\nsimclr:\n  mochi: {enabled: true, hardest: 15}\n");
        e = assertThrows(ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertEquals("simclr.mochi.hardest", e.key());
        assertTrue(
                e.getMessage().contains(f + ":4")
                        && e.getMessage().contains("14 in-batch negatives"),
                e.getMessage());
    }

    @Test
    void aNestedRangeErrorNamesTheFullKeyAndLine() throws IOException {
        Path f =
                write(
                        "neg.yaml",
                        "method: mocov2\nmoco:\n  feature_transform:\n    negative_alpha: -1\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertEquals("moco.feature_transform.negative_alpha", e.key());
        assertTrue(
                e.getMessage().contains(f + ":4") && e.getMessage().contains("> 0"),
                e.getMessage());
    }

    @Test
    void changingTheMethodDropsTheFormerMethodsSection() throws IOException {
        // swav_fashionmnist extends the SimCLR chain, whose simclr section it does not inherit
        Recipe swav = RecipeLoader.load("swav_fashionmnist", List.of());
        assertEquals(100, ((SwavSettings) swav.method()).prototypes());
        write("parent.yaml", "method: mocov2\nmoco: {queue_length: 1024}\n");
        Path child =
                write(
                        "child.yaml",
                        "extends: parent.yaml\nmethod: simclr\nsimclr: {temperature: 0.3}\n");
        Recipe r = RecipeLoader.load(child.toString(), List.of());
        assertEquals(0.3, ((SimClrSettings) r.method()).temperature());
        Recipe same =
                RecipeLoader.load(
                        write("same.yaml", "extends: parent.yaml\nmoco: {temperature: 0.1}\n")
                                .toString(),
                        List.of());
        assertEquals(
                1024,
                ((MocoSettings) same.method()).queueLength(),
                "the same method merges its section");
        Recipe set =
                RecipeLoader.load(
                        "quickstart_fashionmnist",
                        List.of("method=mocov2", "moco.queue_length=1024"));
        assertEquals(
                MocoSettings.defaults().withQueueLength(1024),
                set.method(),
                "starts from mocov2's defaults");
        assertEquals(set, RecipeLoader.parse(YamlWriter.write(set), "resolved"));
        assertTrue(
                YamlWriter.write(set).contains("method: mocov2\nmoco:\n"), YamlWriter.write(set));
        assertTrue(
                !YamlWriter.write(set).contains("\nsimclr:"),
                "only the method's own section is written");
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
