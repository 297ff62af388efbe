package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTest {
    @TempDir Path dir;

    private static ProbeResult probe() {
        ProbeProtocol moco = ProbeProtocol.moco().withEvalEveryEpochs(50);
        return new ProbeResult(
                moco,
                7,
                50,
                71.5,
                90.25,
                100,
                71.0,
                90.0,
                List.of(
                        new ProbeResult.EpochScore(50, 30, 1.2, 71.5, 90.25),
                        new ProbeResult.EpochScore(100, 0.3, 1.1, 71.0, 90.0)),
                12.5);
    }

    @Test
    void linearProbeJsonHasEveryField() throws IOException {
        Path weights = dir.resolve("backbone.safetensors");
        Files.write(weights, new byte[] {'a', 'b', 'c'});
        Results.Dataset data = new Results.Dataset("imagenet100", 126689, 5000, 100);
        Results r = Results.linearProbe(probe(), data, Results.Weights.ofFile(weights));
        Path file = dir.resolve("run/results.json");
        r.write(file);
        JsonObject json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        for (String key :
                List.of(
                        "metric",
                        "value",
                        "protocol",
                        "dataset",
                        "weights",
                        "date",
                        "top1",
                        "top5",
                        "best_epoch",
                        "best_top1",
                        "best_top5",
                        "last_epoch")) {
            assertTrue(json.has(key), "missing " + key + " in " + json);
        }
        assertEquals("linear_top1", json.get("metric").getAsString());
        assertEquals(71.0, json.get("value").getAsDouble());
        assertEquals(50, json.get("best_epoch").getAsInt());
        assertEquals(100, json.get("last_epoch").getAsInt());
        JsonObject protocol = json.getAsJsonObject("protocol");
        assertEquals("linear/moco", protocol.get("name").getAsString());
        JsonObject hp = protocol.getAsJsonObject("hyper_parameters");
        assertEquals(30.0, hp.get("lr").getAsDouble());
        assertEquals(100, hp.get("epochs").getAsInt());
        assertEquals("step", hp.get("schedule").getAsString());
        assertEquals("[60,80]", hp.get("milestone_epochs").toString());
        assertEquals(0.1, hp.get("gamma").getAsDouble());
        assertEquals(256, hp.get("batch_size").getAsInt());
        assertEquals(0.9, hp.get("momentum").getAsDouble());
        assertEquals(0.0, hp.get("weight_decay").getAsDouble());
        assertEquals(7, hp.get("seed").getAsLong());
        JsonObject d = json.getAsJsonObject("dataset");
        assertEquals("imagenet100", d.get("name").getAsString());
        assertEquals(126689, d.get("train_size").getAsInt());
        assertEquals(5000, d.get("test_size").getAsInt());
        assertEquals(100, d.get("num_classes").getAsInt());
        JsonObject w = json.getAsJsonObject("weights");
        assertEquals(weights.toString(), w.get("path").getAsString());
        // sha256("abc"), the FIPS 180-2 example
        assertEquals(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                w.get("sha256").getAsString());
        assertEquals("file", w.get("sha256_of").getAsString());
        OffsetDateTime.parse(json.get("date").getAsString()); // ISO-8601 with offset

        Results back = Results.read(file);
        assertEquals(r.metric(), back.metric());
        assertEquals(r.value(), back.value());
        assertEquals(r.dataset(), back.dataset());
        assertEquals(r.weights(), back.weights());
        assertEquals(r.date(), back.date());
        assertEquals(r.bestEpoch(), back.bestEpoch());
        assertEquals(100L, back.protocol().hyperParameters().get("epochs"));
        assertEquals(30.0, back.protocol().hyperParameters().get("lr"));
    }

    @Test
    void knnResultsOmitEpochsAndRoundTripAsAList() throws IOException {
        Results.Dataset data = new Results.Dataset("fashion-mnist-subset", 10000, 2000, 10);
        Results.Weights w = Results.Weights.ofParameters(Fingerprint.ofParameters(new RawPixels()));
        List<Results> all =
                List.of(
                        Results.knn(new Knn.Score(20, 0.07, 83.15, 97.0, 2000), data, w),
                        Results.knn(new Knn.Score(200, 0.07, 79.45, 96.0, 2000), data, w));
        Path file = dir.resolve("results.json");
        Results.writeAll(file, all);
        String text = Files.readString(file);
        assertFalse(text.contains("best_epoch"), text);
        assertTrue(text.contains("\"k\": 200"), text);
        List<Results> back = Results.readAll(file);
        assertEquals(2, back.size());
        assertEquals("knn_top1", back.get(1).metric());
        assertEquals(79.45, back.get(1).value());
        assertEquals(200L, back.get(1).protocol().hyperParameters().get("k"));
        assertNull(back.get(0).bestEpoch());
        assertEquals("parameters", back.get(0).weights().sha256Of());
        assertThrows(IOException.class, () -> Results.read(file), "two results: use readAll");
        assertThrows(
                IllegalArgumentException.class, () -> new Results.Weights(null, "xyz", "file"));
    }
}
