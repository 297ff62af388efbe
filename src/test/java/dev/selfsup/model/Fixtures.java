package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Access to the PyTorch fixtures of src/test/python/make_model_fixtures.py. */
final class Fixtures {
    private Fixtures() {}

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/model/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** name → shape of a {@code names_*.json} state_dict listing, in state_dict order. */
    static Map<String, Shape> names(String file) throws IOException {
        Map<String, Shape> out = new LinkedHashMap<>();
        try (Reader r =
                new InputStreamReader(
                        Fixtures.class.getResourceAsStream("/model/" + file),
                        StandardCharsets.UTF_8)) {
            JsonArray list = new Gson().fromJson(r, JsonArray.class);
            for (JsonElement e : list) {
                JsonArray pair = e.getAsJsonArray();
                JsonArray dims = pair.get(1).getAsJsonArray();
                long[] shape = new long[dims.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = dims.get(i).getAsLong();
                }
                out.put(pair.get(0).getAsString(), new Shape(shape));
            }
        }
        return out;
    }

    /** Asserts |a - e| <= atol + rtol |e| elementwise, naming the worst element. */
    static void assertClose(NDArray expected, NDArray actual, double rtol, double atol) {
        assertEquals(expected.getShape(), actual.getShape(), "shape");
        float[] e = expected.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
            if (excess > worst || Double.isNaN(a[i])) {
                worst = Double.isNaN(a[i]) ? Double.POSITIVE_INFINITY : excess;
                at = i;
            }
        }
        if (at >= 0) {
            assertTrue(
                    false,
                    "element "
                            + at
                            + ": expected "
                            + e[at]
                            + ", got "
                            + a[at]
                            + " (n="
                            + e.length
                            + ")");
        }
    }
}
