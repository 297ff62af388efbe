package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the PyTorch reference cases written by src/test/python/make_loss_fixtures.py. */
final class Fixtures {
    private Fixtures() {}

    /** One case: name, dtype and named scalars, ints, tensors and integer draws. */
    record Case(String name, DataType type, JsonObject json) {
        double scalar(String key) {
            return json.getAsJsonObject("scalars").get(key).getAsDouble();
        }

        int integer(String key) {
            return json.getAsJsonObject("ints").get(key).getAsInt();
        }

        long[] shape(String key) {
            JsonArray s =
                    json.getAsJsonObject("tensors").getAsJsonObject(key).getAsJsonArray("shape");
            long[] out = new long[s.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = s.get(i).getAsLong();
            }
            return out;
        }

        double[] values(String key) {
            return doubles(
                    json.getAsJsonObject("tensors").getAsJsonObject(key).getAsJsonArray("data"));
        }

        int[] draws(String key) {
            JsonArray a = json.getAsJsonObject("draws").getAsJsonObject(key).getAsJsonArray("data");
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).getAsInt();
            }
            return out;
        }

        /** The tensor as an array of this case's type on {@code m}. */
        NDArray array(NDManager m, String key) {
            return m.create(values(key), new Shape(shape(key))).toType(type, false);
        }
    }

    static List<Case> load(String file) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/loss/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture /loss/" + file);
            }
            JsonObject root =
                    JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                            .getAsJsonObject();
            List<Case> cases = new ArrayList<>();
            for (JsonElement e : root.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                String dtype = c.get("dtype").getAsString();
                DataType type = "float64".equals(dtype) ? DataType.FLOAT64 : DataType.FLOAT32;
                cases.add(new Case(c.get("name").getAsString(), type, c));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    /** Relative tolerance for a case: float32 against PyTorch 1e-5, float64 1e-9. */
    static double tolerance(Case c) {
        return c.type() == DataType.FLOAT64 ? 1e-9 : 1e-5;
    }

    /**
     * Asserts |actual − expected| ≤ rel · max(|expected|, scale), with scale the largest |expected|
     * entry (so near-zero entries are judged against the array's magnitude).
     */
    static void assertClose(double[] expected, double[] actual, double rel, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + " != " + expected.length);
        }
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.max(Math.abs(expected[i]), scale);
            if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
                throw new AssertionError(
                        String.format(
                                "%s[%d]: expected %.12g, got %.12g (tolerance %.3g)",
                                what, i, expected[i], actual[i], tol));
            }
        }
    }

    static double[] toDoubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** Asserts {@code call} throws IllegalArgumentException whose message contains {@code part}. */
    static void assertRejects(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e =
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
        if (!e.getMessage().contains(part)) {
            throw new AssertionError("message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }
}
