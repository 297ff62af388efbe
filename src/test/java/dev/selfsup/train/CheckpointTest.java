package dev.selfsup.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir Path dir;

    @Test
    void roundTripsTensorsNamesAndMetadata() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint c = sample(m, 7);
            Path f = dir.resolve("latest.ckpt");
            c.write(f);
            Checkpoint back = Checkpoint.read(f, m);
            assertEquals(7, back.metadata().get("step").getAsLong());
            assertEquals(c.tensors().keySet(), back.tensors().keySet());
            for (String k : c.tensors().keySet()) {
                assertArrayEquals(
                        c.tensors().get(k).toFloatArray(),
                        back.tensors().get(k).toFloatArray(),
                        0f,
                        k);
                assertEquals(c.tensors().get(k).getShape(), back.tensors().get(k).getShape());
            }
        }
    }

    @Test
    void writeKilledHalfwayLeavesThePreviousCheckpointLoadable() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path f = dir.resolve("latest.ckpt");
            sample(m, 1).write(f);
            // a crash during the next write leaves only a partial temp file behind
            ByteArrayOutputStream full = new ByteArrayOutputStream();
            sample(m, 2).writeTo(full);
            byte[] bytes = full.toByteArray();
            Files.write(
                    f.resolveSibling("latest.ckpt.tmp"),
                    java.util.Arrays.copyOf(bytes, bytes.length / 2));
            assertEquals(1, Checkpoint.read(f, m).metadata().get("step").getAsLong());
            // a truncated checkpoint is refused with the file named, not half-loaded
            Path bad = dir.resolve("bad.ckpt");
            Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            IOException e = assertThrows(IOException.class, () -> Checkpoint.read(bad, m));
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            // the next complete write replaces it atomically
            sample(m, 3).write(f);
            assertEquals(3, Checkpoint.read(f, m).metadata().get("step").getAsLong());
        }
    }

    private static Checkpoint sample(NDManager m, long step) {
        JsonObject meta = new JsonObject();
        meta.addProperty("step", step);
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("model/conv1.weight", m.randomNormal(new Shape(4, 3, 3, 3)));
        t.put("queue/0", m.arange(12f).reshape(3, 4));
        t.put("optim/momentum", m.create(new float[] {step}));
        return new Checkpoint(meta, t);
    }
}
