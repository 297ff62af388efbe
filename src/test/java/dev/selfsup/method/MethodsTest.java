package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.selfsup.engine.SelfsupEngine;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The method table: names, sections, defaults and factories. */
class MethodsTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void listsEachMethodWithItsSectionSettingsAndDefaults() {
        assertEquals(List.of("simclr", "mocov2", "swav", "dino"), Methods.names());
        assertEquals(
                List.of("simclr", "moco", "swav", "dino"),
                Methods.entries().stream().map(Methods.Entry::section).toList());
        for (Methods.Entry<?> e : Methods.entries()) {
            assertTrue(e.type().isInstance(e.defaults()), e.name());
            assertSame(e, Methods.named(e.name()));
            assertSame(e, Methods.of(e.defaults()));
        }
        assertEquals(MocoSettings.class, Methods.named("mocov2").type());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Methods.named("byol"));
        assertTrue(
                e.getMessage().contains("'byol'")
                        && e.getMessage().contains("[simclr, mocov2, swav, dino]"),
                e.getMessage());
    }

    @Test
    void eachFactoryBuildsItsMethodAndRefusesAnotherMethodsSettings() {
        try (NDManager run = NDManager.newBaseManager()) {
            assertInstanceOf(SimClr.class, MethodFixtures.create(SimClrSettings.defaults(), run));
            assertInstanceOf(
                    MocoV2.class,
                    MethodFixtures.create(MocoSettings.defaults().withQueueLength(16), run));
            assertInstanceOf(
                    Swav.class,
                    MethodFixtures.create(SwavSettings.defaults().withPrototypes(4), run));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    Methods.named("swav")
                                            .create(
                                                    SimClrSettings.defaults(),
                                                    MethodFixtures.parts(run)));
            assertTrue(
                    e.getMessage().contains("SimClrSettings") && e.getMessage().contains("swav"),
                    e.getMessage());
        }
    }
}
