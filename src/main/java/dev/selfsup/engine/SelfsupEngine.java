package dev.selfsup.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

/**
 * Boots DJL's PyTorch engine the way selfsup needs it: offline, with a chosen thread count, and
 * seeded.
 *
 * <p>Call {@link #boot(int)} before the first DJL call that would load the engine: thread counts
 * are read once, when the natives load.
 */
public final class SelfsupEngine {
    private SelfsupEngine() {}

    /**
     * Sets offline mode and the intra/inter-op thread counts, then loads the PyTorch engine.
     *
     * @param threads intra-op threads, {@code >= 1}, or 0 for PyTorch's default (one per core)
     * @return the loaded engine
     * @throws IllegalArgumentException if threads is negative
     */
    public static Engine boot(int threads) {
        checkArgument(threads >= 0, "threads must be >= 0 (0 = one per core), got %s", threads);
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.default_engine", "PyTorch");
        // Graph-executor optimisation only serves TorchScript inference, and costs a warm-up.
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        return Engine.getEngine("PyTorch");
    }

    /**
     * Seeds the engine's random generator (used by {@code randomNormal}, dropout, …).
     *
     * <p>Java-side randomness in selfsup is always an explicit {@link
     * java.util.random.RandomGenerator} argument derived from the same seed (STYLE.md R7).
     *
     * @param seed the run seed
     */
    public static void seed(long seed) {
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
    }

    /**
     * Refuses data types this JNI cannot handle.
     *
     * @param type the requested type
     * @return the type, when supported
     * @throws IllegalArgumentException for {@code bfloat16}, which aborts the JVM in PyTorch JNI
     *     2.5.1-0.33.0
     */
    public static DataType requireSupported(DataType type) {
        checkArgument(
                type != DataType.BFLOAT16,
                "bfloat16 is not supported: DJL's PyTorch JNI 2.5.1-0.33.0 aborts the JVM on it;"
                        + " use float32 (or float16 for storage)");
        return type;
    }

    /**
     * Parses a data type name, refusing {@code bfloat16}.
     *
     * @param name {@code float32}, {@code float16}, {@code float64}
     * @return the type
     */
    public static DataType parseDataType(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (n) {
            case "float32":
            case "fp32":
                return DataType.FLOAT32;
            case "float16":
            case "fp16":
                return DataType.FLOAT16;
            case "float64":
            case "fp64":
                return DataType.FLOAT64;
            case "bfloat16":
            case "bf16":
                return requireSupported(DataType.BFLOAT16);
            default:
                throw new IllegalArgumentException(
                        "unknown data type '" + name + "'; valid: float32, float16, float64");
        }
    }

    // engine sits below internal (internal.Scalars delegates to engine.Scalars), so no Checks here
    private static void checkArgument(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }
}
