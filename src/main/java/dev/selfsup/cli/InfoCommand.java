package dev.selfsup.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.selfsup.Version;
import dev.selfsup.engine.NativeFlavor;
import dev.selfsup.run.DeviceCheck;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfsup info}: versions, the native library actually loaded, devices, threads; {@code
 * --check} tests the device.
 */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = {
            "Print selfsup, DJL and PyTorch versions, the native library loaded (and from where), devices and",
            "threads. --check also runs a device self-check (under a minute): a few training steps of each",
            "method, the device photometric ops against the host path and CPU-vs-device losses; exit code 1",
            "if a check fails."
        })
final class InfoCommand implements Callable<Integer> {
    @Mixin EngineOptions engine;

    @Option(
            names = "--check",
            description =
                    "run the device self-check on --device (with one intra-op thread unless --threads says otherwise)")
    boolean check;

    @Override
    public Integer call() {
        if (check && engine.threads == 0) {
            // one intra-op thread unless asked: on a busy CPU, PyTorch's per-core OpenMP threads
            // wait
            // for each other and the check took minutes instead of seconds (measured on 2 cores)
            engine.threads = 1;
        }
        Device device = engine.boot();
        Engine e = Engine.getInstance();
        NativeFlavor.Loaded lib = NativeFlavor.loaded();
        int gpus = e.getGpuCount();
        StringBuilder devices = new StringBuilder("cpu()");
        for (int i = 0; i < gpus; i++) {
            devices.append(", gpu(").append(i).append(')');
        }
        System.out.printf("selfsup           %s%n", Version.selfsup());
        System.out.printf("DJL               %s%n", Engine.getDjlVersion());
        System.out.printf("engine            %s %s%n", e.getEngineName(), e.getVersion());
        System.out.printf("PyTorch natives   %s (flavour %s)%n", lib.version(), lib.flavor());
        System.out.printf("  loaded from     %s: %s%n", lib.source(), lib.directory());
        System.out.printf("  version from    %s%n", lib.versionSource());
        System.out.printf("  CUDA usable     %s%n", lib.cudaAvailable());
        System.out.printf("devices           %s%n", devices);
        System.out.printf("selected device   %s%n", device);
        System.out.printf("intra-op threads  %s%n", threadCount());
        System.out.printf("cores             %d%n", Runtime.getRuntime().availableProcessors());
        System.out.printf(
                "java              %s (%s)%n",
                System.getProperty("java.version"), System.getProperty("java.vendor"));
        System.out.printf("offline           %s%n", System.getProperty("ai.djl.offline"));
        if (!check) {
            return 0;
        }
        System.out.printf("%nself-check on %s:%n", device);
        System.out.printf(
                "%-22s %-6s %10s %12s  %s%n",
                "check", "result", "images/s", "peak memory", "detail");
        long start = System.nanoTime();
        List<DeviceCheck.Outcome> outcomes = DeviceCheck.run(device, engine.seed(0));
        boolean all = true;
        String memoryKind = "";
        for (DeviceCheck.Outcome o : outcomes) {
            all &= o.passed();
            memoryKind = o.memoryKind();
            System.out.printf(
                    "%-22s %-6s %10s %12s  %s%n",
                    o.name(),
                    o.passed() ? "pass" : "FAIL",
                    Double.isFinite(o.imagesPerSecond())
                            ? String.format(Locale.ROOT, "%.1f", o.imagesPerSecond())
                            : "-",
                    o.peakMemoryBytes() < 0
                            ? "unknown"
                            : String.format(Locale.ROOT, "%.0f MB", o.peakMemoryBytes() / 1e6),
                    o.detail());
        }
        System.out.printf("peak memory = %s, the largest reading after each step%n", memoryKind);
        System.out.printf(
                Locale.ROOT,
                "%s: %d of %d checks passed in %.1f s%n",
                all ? "PASS" : "FAIL",
                outcomes.stream().filter(DeviceCheck.Outcome::passed).count(),
                outcomes.size(),
                (System.nanoTime() - start) / 1e9);
        return all ? 0 : ExitCodes.INTERNAL;
    }

    private static String threadCount() {
        String t = System.getProperty("ai.djl.pytorch.num_threads");
        return t != null ? t : Runtime.getRuntime().availableProcessors() + " (PyTorch default)";
    }
}
