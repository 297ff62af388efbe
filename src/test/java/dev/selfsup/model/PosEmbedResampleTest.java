package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ViT checkpoint trained at one resolution loads into a ViT built for another: {@code pos_embed}
 * is resized as timm's {@code resample_abs_pos_embed} does (fixture from {@code
 * src/test/python/make_pos_embed_fixture.py}, PyTorch 1.13).
 */
class PosEmbedResampleTest {
    @TempDir Path dir;

    private static JsonObject fixture() throws IOException {
        try (Reader r = Files.newBufferedReader(Fixtures.path("pos_embed_resample.json"))) {
            return JsonParser.parseReader(r).getAsJsonObject();
        }
    }

    private static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(
                    expected[i],
                    actual[i],
                    1e-5,
                    what + " at " + i); // float32 sums in another order
        }
    }

    private static VisionTransformer vit(int imageSize) {
        return VisionTransformer.builder()
                .setEmbedDim(32)
                .setDepth(1)
                .setNumHeads(4)
                .setPatchSize(8)
                .optImageSize(imageSize)
                .build();
    }

    @Test
    void resampleEqualsTimmUpAndDown() throws IOException {
        JsonObject f = fixture();
        float[] pos = floats(f.getAsJsonArray("pos"));
        assertClose(
                floats(f.getAsJsonArray("to_7")),
                PosEmbedInterpolation.resamplePosEmbed(pos, 4, 7, 32),
                "4 -> 7");
        assertClose(
                floats(f.getAsJsonArray("to_3")),
                PosEmbedInterpolation.resamplePosEmbed(pos, 4, 3, 32),
                "4 -> 3");
    }

    @Test
    void loadResizesPositionEmbeddingOfAnotherResolution() throws IOException {
        JsonObject f = fixture();
        float[] pos = floats(f.getAsJsonArray("pos"));
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer at32 = vit(32); // 4x4 patch grid
            at32.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            at32.getParameters().get("pos_embed").getArray().set(pos);
            Path file = dir.resolve("vit32.safetensors");
            Weights.save(at32, file);

            VisionTransformer at56 = vit(56); // 7x7
            at56.initialize(m, DataType.FLOAT32, new Shape(1, 3, 56, 56));
            Weights.load(at56, file);
            assertClose(
                    floats(f.getAsJsonArray("to_7")),
                    at56.getParameters().get("pos_embed").getArray().toFloatArray(),
                    "loaded 4 -> 7");
            // Everything else is copied as it is.
            assertClose(
                    at32.getParameters().get("cls_token").getArray().toFloatArray(),
                    at56.getParameters().get("cls_token").getArray().toFloatArray(),
                    "cls_token");
        }
    }

    @Test
    void otherShapeMismatchesStillFailNamingTheTensor() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer narrow = vit(32);
            narrow.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            Path file = dir.resolve("narrow.safetensors");
            Weights.save(narrow, file);
            VisionTransformer wide =
                    VisionTransformer.builder()
                            .setEmbedDim(48)
                            .setDepth(1)
                            .setNumHeads(4)
                            .setPatchSize(8)
                            .optImageSize(56)
                            .build();
            wide.initialize(m, DataType.FLOAT32, new Shape(1, 3, 56, 56));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Weights.load(wide, file));
            assertTrue(
                    e.getMessage().contains("pos_embed (file (1, 17, 32), model (1, 50, 48))"),
                    e.getMessage());
        }
    }

    @Test
    void gridsAreRecognisedOnlyForSquarePositionEmbeddings() {
        assertEquals(
                Optional.of(new PosEmbedResize(4, 7)),
                PosEmbedResize.between("pos_embed", new Shape(1, 17, 8), new Shape(1, 50, 8)));
        assertEquals(
                Optional.of(new PosEmbedResize(4, 3)),
                PosEmbedResize.between(
                        "backbone.pos_embed", new Shape(1, 17, 8), new Shape(1, 10, 8)));
        assertEquals(
                Optional.empty(),
                PosEmbedResize.between("pos_embed", new Shape(1, 18, 8), new Shape(1, 50, 8)));
        assertEquals(
                Optional.empty(),
                PosEmbedResize.between("cls_token", new Shape(1, 17, 8), new Shape(1, 50, 8)));
        assertEquals(
                Optional.empty(),
                PosEmbedResize.between("pos_embed", new Shape(1, 17, 8), new Shape(1, 50, 16)));
    }
}
