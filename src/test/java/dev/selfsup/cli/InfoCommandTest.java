package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InfoCommandTest {
    private static String run(int[] code, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            code[0] = Main.commandLine().execute(args);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printsVersionsFlavourAndDevice() {
        int[] code = new int[1];
        String out = run(code, "info", "--device", "cpu");
        assertEquals(0, code[0], out);
        assertTrue(out.contains("loaded from     native jar (pytorch-native-cpu 2.5.1"), out);
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

    @Test
    void selfCheckPassesOnTheCpu() {
        int[] code = new int[1];
        String out = run(code, "info", "--check", "--device", "cpu", "--threads", "1");
        assertEquals(0, code[0], out);
        for (String check :
                new String[] {
                    "train-step simclr",
                    "train-step mocov2",
                    "train-step swav",
                    "train-step dino",
                    "photometric",
                    "cpu-vs-device simclr",
                    "cpu-vs-device mocov2",
                    "cpu-vs-device swav",
                    "cpu-vs-device dino"
                }) {
            assertTrue(
                    out.lines().anyMatch(l -> l.startsWith(check) && l.contains(" pass ")),
                    check + " in\n" + out);
        }
        assertTrue(out.contains("PASS: 9 of 9 checks passed"), out);
        assertTrue(out.contains("peak memory = process resident memory"), out);
    }

    /**
     * DJL's override: a libtorch folder named by PYTORCH_LIBRARY_PATH (here the folder the current
     * engine loaded, which holds libtorch and the matching JNI library) and no native jar on the
     * class path. Runs {@code info} in a child JVM.
     */
    @Test
    void infoWorksWithPytorchLibraryPathAndNoNativeJar() throws Exception {
        dev.selfsup.engine.SelfsupEngine.boot(1);
        String libtorch = ai.djl.pytorch.jni.LibUtils.getLibtorchPath();
        String classPath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        String withoutNatives =
                java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
                        .filter(e -> !e.contains("pytorch-native-"))
                        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        assertTrue(
                !withoutNatives.equals(classPath),
                "the test class path should hold the native jar: " + classPath);
        ProcessBuilder pb =
                new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        withoutNatives,
                        "-Dai.djl.offline=true",
                        Main.class.getName(),
                        "info",
                        "--device",
                        "cpu",
                        "--threads",
                        "1");
        pb.environment().put("PYTORCH_LIBRARY_PATH", libtorch);
        pb.environment().put("PYTORCH_VERSION", "2.5.1");
        pb.environment().put("PYTORCH_FLAVOR", "cpu");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(
                out.contains(
                                "loaded from     PYTORCH_LIBRARY_PATH: "
                                        + Path.of(libtorch).toAbsolutePath().normalize())
                        || out.contains("loaded from     PYTORCH_LIBRARY_PATH: " + libtorch),
                out);
        assertTrue(out.contains("PyTorch natives   2.5.1 (flavour cpu)"), out);
        assertTrue(out.contains("version from    PYTORCH_VERSION"), out);
        assertTrue(!out.contains("no PyTorch native jar"), out);
    }
}
