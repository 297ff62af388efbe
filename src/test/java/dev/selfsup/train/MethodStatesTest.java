package dev.selfsup.train;

import static dev.selfsup.train.TinyRecipes.tiny;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.selfsup.config.Recipe;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.method.MethodState;
import dev.selfsup.method.MocoV2;
import dev.selfsup.method.Swav;
import dev.selfsup.run.Pretraining;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed method state in checkpoints: saved by name, and a missing name fails the resume. */
class MethodStatesTest {
    @TempDir Path dir;

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void eachMethodsStateRoundTripsUnderSnakeCaseNames() throws IOException {
        Path file = dir.resolve("latest.ckpt");
        JsonObject moco = MethodStates.toJson(new MocoV2.State(24, 40));
        assertEquals("{\"queue_pointer\":24,\"queue_filled\":40}", moco.toString());
        assertEquals(
                new MocoV2.State(24, 40), MethodStates.fromJson(MocoV2.State.class, moco, file));
        JsonObject swav = MethodStates.toJson(new Swav.State(List.of(16L, 8L)));
        assertEquals("{\"queue_filled\":[16,8]}", swav.toString());
        assertEquals(
                new Swav.State(List.of(16L, 8L)),
                MethodStates.fromJson(Swav.State.class, swav, file));
        assertEquals(
                new MethodState.None(),
                MethodStates.fromJson(MethodState.None.class, new JsonObject(), file));
    }

    @Test
    void aMissingOrForeignKeyFailsNamingItAndTheCheckpoint() {
        Path file = dir.resolve("latest.ckpt");
        JsonObject partial = new JsonObject();
        partial.addProperty("queue_filled", 40);
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> MethodStates.fromJson(MocoV2.State.class, partial, file));
        assertTrue(
                e.getMessage().contains(file.toString())
                        && e.getMessage().contains("'queue_pointer'"),
                e.getMessage());
        JsonObject foreign = MethodStates.toJson(new MocoV2.State(1, 2));
        e =
                assertThrows(
                        IOException.class,
                        () -> MethodStates.fromJson(Swav.State.class, foreign, file));
        assertTrue(
                e.getMessage().contains(file.toString())
                        && e.getMessage().contains("'queue_pointer'")
                        && e.getMessage().contains("Swav.State"),
                e.getMessage());
    }

    @Test
    void resumingFromACheckpointWithoutAStateKeyFailsNamingKeyAndFile() throws IOException {
        Recipe recipe =
                tiny(
                        "mocov2",
                        "train: {epochs: 2, log_every_steps: 1, checkpoint_every_epochs: 1}");
        Path run = dir.resolve("run");
        Pretraining.run(recipe, run, Device.cpu(), false, null);
        Path latest = dev.selfsup.run.RunFolder.of(run).latestCheckpoint();
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint c = Checkpoint.read(latest, m);
            assertEquals(
                    16,
                    c.metadata().getAsJsonObject("method").get("queue_filled").getAsLong(),
                    "8 steps of 8 keys fill the 16-row ring");
            c.metadata().getAsJsonObject("method").remove("queue_pointer");
            c.write(latest);
        }
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> Pretraining.run(recipe, run, Device.cpu(), true, null));
        assertTrue(
                e.getMessage().contains(latest.toString())
                        && e.getMessage().contains("'queue_pointer'"),
                e.getMessage());
    }
}
