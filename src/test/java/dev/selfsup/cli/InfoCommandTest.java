package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InfoCommandTest {
    @Test
    void printsVersionsFlavourAndDevice() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("info", "--device", "cpu");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("DJL               0.33.0"), out);
        assertTrue(out.contains("PyTorch 2.5.1"), out);
        assertTrue(out.contains("flavour cpu"), out);
        assertTrue(out.contains("selected device   cpu()"), out);
    }

    @Test
    void gpuRequestOnCpuBuildExitsWithHint() {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("info", "--device", "gpu");
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(err.toString().contains("-Pcu124"), err.toString());
    }
}
