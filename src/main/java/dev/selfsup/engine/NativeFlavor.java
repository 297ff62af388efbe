package dev.selfsup.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Which PyTorch native build ({@code cpu}, {@code cu124}) is on the class path. */
public final class NativeFlavor {
    private NativeFlavor() {}

    /**
     * Reads the flavour from the native jar's {@code native/lib/pytorch.properties}.
     *
     * @return the flavour, e.g. {@code cpu}; {@code PYTORCH_FLAVOR} wins when set
     * @throws IllegalStateException if no PyTorch native jar is on the class path
     */
    public static String current() {
        String override = System.getenv("PYTORCH_FLAVOR");
        if (override != null && !override.isBlank()) {
            return override.trim();
        }
        return properties().getProperty("flavor", "unknown");
    }

    /**
     * The native library version (e.g. {@code 2.5.1-20241113}).
     *
     * @return the version from the native jar
     */
    public static String version() {
        return properties().getProperty("version", "unknown");
    }

    private static Properties properties() {
        try (InputStream in =
                NativeFlavor.class.getClassLoader().getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                throw new IllegalStateException(
                        "no PyTorch native jar on the class path (ai.djl.pytorch:pytorch-native-cpu or"
                                + " pytorch-native-cu124); build with Maven so the runtime libraries are in"
                                + " target/lib");
            }
            Properties p = new Properties();
            p.load(in);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
