package dev.selfsup.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.selfsup.data.DecodedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * {@link Resampler} against Pillow itself: crops made by {@code
 * src/test/python/make_resample_fixtures.py} with Pillow's BILINEAR resize, torchvision-style, on
 * an RGB and a grayscale image, integer and fractional boxes, clamped and unclamped, mirrored or
 * not. Equal to the byte.
 */
class ResamplerPillowTest {
    @Test
    void equalsPillowBilinearToTheByte() throws IOException {
        JsonObject root;
        try (InputStream in =
                ResamplerPillowTest.class.getResourceAsStream("/augment/pillow_resample.json")) {
            root =
                    JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                            .getAsJsonObject();
        }
        Base64.Decoder b64 = Base64.getDecoder();
        int checked = 0;
        for (JsonElement e : root.getAsJsonArray("images")) {
            JsonObject im = e.getAsJsonObject();
            DecodedImage img =
                    new DecodedImage(
                            im.get("width").getAsInt(),
                            im.get("height").getAsInt(),
                            im.get("channels").getAsInt(),
                            b64.decode(im.get("pixels").getAsString()));
            int k = 0;
            for (JsonElement ce : im.getAsJsonArray("cases")) {
                JsonObject c = ce.getAsJsonObject();
                double[] b = new double[4];
                for (int i = 0; i < 4; i++) {
                    b[i] = c.getAsJsonArray("box").get(i).getAsDouble();
                }
                CropBox box = new CropBox(b[0], b[1], b[2], b[3], c.get("clamp").getAsBoolean());
                int size = c.get("size").getAsInt();
                byte[] expected = b64.decode(c.get("expected").getAsString());
                byte[] actual = new byte[3 * size * size];
                Resampler.crop(img, box, size, c.get("flip").getAsBoolean(), actual, 0);
                assertArrayEquals(
                        expected,
                        actual,
                        "channels " + img.channels() + " case " + k + ": " + box + " size " + size);
                k++;
                checked++;
            }
        }
        assertEquals(64, checked);
    }
}
