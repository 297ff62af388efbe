package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.selfsup.method.Methods;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench train-step} builds every registered method by name, without a recipe. */
class BenchTrainStepCommandTest {
    private static String run(int[] code, String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8);
            System.setOut(p);
            System.setErr(p);
            code[0] = new CommandLine(new BenchTrainStepCommand()).execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyRegisteredMethodTakesATimedStep() {
        for (String method : Methods.names()) {
            int[] code = new int[1];
            String crops = method.equals("swav") ? "2,2x8" : "2";
            String out =
                    run(
                            code,
                            "--method",
                            method,
                            "--backbone",
                            "resnet10_cifar",
                            "--base-width",
                            "4",
                            "--batch",
                            "4",
                            "--size",
                            "16",
                            "--crops",
                            crops,
                            "--head",
                            "16",
                            "--dim",
                            "8",
                            "--prototypes",
                            "8",
                            "--warmup",
                            "1",
                            "--steps",
                            "1",
                            "--threads",
                            "1",
                            "--device",
                            "cpu");
            assertEquals(0, code[0], out);
            String[] lines = out.strip().split("\n");
            JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
            assertEquals("train-step", json.get("name").getAsString());
            assertEquals(method, json.get("method").getAsString());
            assertEquals(crops, json.get("crops").getAsString());
            assertTrue(json.get("images_per_second").getAsDouble() > 0, out);
        }
    }

    @Test
    void anUnknownMethodIsRefusedNamingTheKnownOnes() {
        int[] code = new int[1];
        String out = run(code, "--method", "byol", "--threads", "1", "--device", "cpu");
        assertNotEquals(0, code[0], out);
        assertTrue(out.contains("'byol'") && out.contains(Methods.names().toString()), out);
    }
}
