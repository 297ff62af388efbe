package dev.selfsup.run;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Samples memory after each step of a {@link DeviceCheck} and keeps the largest reading. */
final class CheckMemory {

    private final Device device;
    private long peak = -1;

    CheckMemory(Device device) {
        this.device = device;
    }

    void sample() {
        peak = Math.max(peak, device.isGpu() ? gpuUsed(device) : residentBytes());
    }

    long peak() {
        return peak;
    }

    String kind() {
        return kind(device);
    }

    private static long gpuUsed(Device device) {
        try {
            return CudaUtils.getGpuMemory(device).getUsed();
        } catch (RuntimeException e) {
            return -1; // no CUDA runtime library to ask: reported as unknown
        }
    }

    /** VmRSS of /proc/self/status (Linux); -1 (unknown) where that file does not exist. */
    private static long residentBytes() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            return -1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * What a peak reading measures on a device.
     *
     * @param device the device
     * @return a short description
     */
    static String kind(Device device) {
        return device.isGpu() ? "device memory in use" : "process resident memory";
    }
}
