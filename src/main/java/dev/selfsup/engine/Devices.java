package dev.selfsup.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * Parses the {@code --device} option ({@code auto | cpu | gpu | gpu:N}) into a DJL {@link Device}.
 *
 * <p>A GPU request never falls back to the CPU: when the CUDA natives are absent or no GPU is
 * visible, it fails with the cause and the fix.
 */
public final class Devices {
    private Devices() {}

    /**
     * Resolves a device spec against the loaded engine.
     *
     * @param spec {@code auto} (first GPU if any, else CPU), {@code cpu}, {@code gpu} (GPU 0) or
     *     {@code gpu:N}
     * @return the device
     * @throws IllegalArgumentException if the spec is malformed or names a GPU that is not there
     */
    public static Device parse(String spec) {
        return parse(spec, NativeFlavor.current(), Engine.getInstance().getGpuCount());
    }

    /**
     * Resolves a device spec given what the natives offer (testable without a GPU).
     *
     * @param spec the spec, see {@link #parse(String)}
     * @param flavor the PyTorch native flavour on the class path ({@code cpu}, {@code cu124}, …)
     * @param gpuCount the number of visible GPUs
     * @return the device
     */
    static Device parse(String spec, String flavor, int gpuCount) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(
                    "--device must be one of auto, cpu, gpu, gpu:N; got an empty value");
        }
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        switch (s) {
            case "auto":
                return gpuCount > 0 ? Device.gpu(0) : Device.cpu();
            case "cpu":
                return Device.cpu();
            case "gpu":
            case "cuda":
                return gpu(0, flavor, gpuCount, spec);
            default:
                if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
                    String n = s.substring(s.indexOf(':') + 1);
                    int id;
                    try {
                        id = Integer.parseInt(n);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                "--device '"
                                        + spec
                                        + "': the GPU index must be a number, e.g. gpu:0");
                    }
                    return gpu(id, flavor, gpuCount, spec);
                }
                throw new IllegalArgumentException(
                        "--device '" + spec + "' is not valid; use one of auto, cpu, gpu, gpu:N");
        }
    }

    private static Device gpu(int id, String flavor, int gpuCount, String spec) {
        if (!flavor.startsWith("cu")) {
            throw new IllegalArgumentException(
                    "--device "
                            + spec
                            + " asks for a GPU, but this build carries the '"
                            + flavor
                            + "' PyTorch natives. Rebuild with the CUDA profile:"
                            + " mvn -Pcu124 -DskipTests package (needs an NVIDIA driver >= 525).");
        }
        if (id < 0 || id >= gpuCount) {
            throw new IllegalArgumentException(
                    "--device "
                            + spec
                            + ": "
                            + gpuCount
                            + " GPU(s) visible; valid indices are 0.."
                            + (gpuCount - 1)
                            + ". Check nvidia-smi and CUDA_VISIBLE_DEVICES.");
        }
        return Device.gpu(id);
    }
}
