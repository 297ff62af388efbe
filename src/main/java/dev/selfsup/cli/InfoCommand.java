package dev.selfsup.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.selfsup.Version;
import dev.selfsup.engine.NativeFlavor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code selfsup info}: versions, native flavour, devices and threads. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Print selfsup, DJL and PyTorch versions, native flavour, devices and threads.")
final class InfoCommand implements Callable<Integer> {
    @Mixin EngineOptions engine;

    @Override
    public Integer call() {
        Device device = engine.boot();
        Engine e = Engine.getInstance();
        int gpus = e.getGpuCount();
        StringBuilder devices = new StringBuilder("cpu()");
        for (int i = 0; i < gpus; i++) {
            devices.append(", gpu(").append(i).append(')');
        }
        System.out.printf("selfsup           %s%n", Version.selfsup());
        System.out.printf("DJL               %s%n", Engine.getDjlVersion());
        System.out.printf("engine            %s %s%n", e.getEngineName(), e.getVersion());
        System.out.printf("PyTorch natives   %s (flavour %s)%n", NativeFlavor.version(), NativeFlavor.current());
        System.out.printf("devices           %s%n", devices);
        System.out.printf("selected device   %s%n", device);
        System.out.printf("intra-op threads  %s%n", threadCount());
        System.out.printf("cores             %d%n", Runtime.getRuntime().availableProcessors());
        System.out.printf("java              %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vendor"));
        System.out.printf("offline           %s%n", System.getProperty("ai.djl.offline"));
        return 0;
    }

    private static String threadCount() {
        String t = System.getProperty("ai.djl.pytorch.num_threads");
        return t != null ? t : Runtime.getRuntime().availableProcessors() + " (PyTorch default)";
    }
}
