package dev.selfsup.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logged step or epoch, appended and flushed, so a
 * resumed run continues the same file and a crash loses at most the current line.
 */
public final class MetricsLog implements Closeable {
    private static final Gson GSON =
            new GsonBuilder().serializeSpecialFloatingPointValues().create();
    private final Path file;
    private final BufferedWriter out;

    /**
     * Opens (appending to) a metrics file.
     *
     * @param file the {@code metrics.jsonl} path
     * @param keepUpToStep when resuming, lines with a {@code step} above this are dropped (they
     *     came after the checkpoint and will be logged again); -1 keeps everything
     * @throws IOException if the file cannot be opened
     */
    public MetricsLog(Path file, long keepUpToStep) throws IOException {
        this.file = file;
        if (keepUpToStep >= 0 && Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                if (!o.has("step") || o.get("step").getAsLong() <= keepUpToStep) {
                    kept.add(line);
                }
            }
            Files.write(file, kept, StandardCharsets.UTF_8);
        }
        this.out =
                Files.newBufferedWriter(
                        file,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
    }

    /**
     * Appends one record.
     *
     * @param kind {@code step} or {@code epoch}
     * @param values the metric values (numbers, strings)
     * @throws IOException if writing fails
     */
    public void write(String kind, Map<String, ?> values) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", kind);
        line.putAll(values);
        out.write(GSON.toJson(line));
        out.newLine();
        out.flush();
    }

    /**
     * Reads every record of a metrics file (for plots and tests).
     *
     * @param file the {@code metrics.jsonl} path
     * @return the records in order
     * @throws IOException if reading fails
     */
    public static List<JsonObject> read(Path file) throws IOException {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return out;
    }

    /**
     * The file written.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
