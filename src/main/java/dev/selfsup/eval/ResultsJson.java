package dev.selfsup.eval;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import dev.selfsup.internal.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The {@code results.json} codec behind {@link Results}: snake_case keys, pretty-printed, written
 * through a temporary file and a rename so a reader never sees half a file.
 */
final class ResultsJson {
    private static final Gson GSON =
            new GsonBuilder()
                    .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                    .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE)
                    .setPrettyPrinting()
                    .disableHtmlEscaping()
                    .create();

    private ResultsJson() {}

    /** One record, or a list of records, as pretty-printed JSON. */
    static String toJson(Object results) {
        return GSON.toJson(results);
    }

    /** Writes one record, or a list of records, as JSON (temporary file, then rename). */
    static void write(Path file, Object results) throws IOException {
        writeText(file, toJson(results));
    }

    /** Reads a file holding exactly one record; see {@link Results#read}. */
    static Results read(Path file) throws IOException {
        List<Results> all = readAll(file);
        if (all.size() != 1) {
            throw new IOException(file + " holds " + all.size() + " results; use readAll");
        }
        return all.get(0);
    }

    /** Reads a file holding one record or an array of them; see {@link Results#readAll}. */
    static List<Results> readAll(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            JsonElement json = JsonParser.parseString(text);
            List<Results> out =
                    json.isJsonArray()
                            ? GSON.fromJson(json, new TypeToken<List<Results>>() {}.getType())
                            : List.of(GSON.fromJson(json, Results.class));
            for (Results r : out) {
                Objects.requireNonNull(r.metric(), "metric");
            }
            return out;
        } catch (RuntimeException e) {
            throw new IOException(file + " is not a results file: " + e.getMessage(), e);
        }
    }

    private static void writeText(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text + "\n");
    }
}
