package dev.selfsup.engine;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which PyTorch native library the engine loaded: the {@code pytorch-native-cpu} / {@code
 * pytorch-native-cu124} jar on the class path (the default), or a libtorch from elsewhere named by
 * DJL's documented override {@code PYTORCH_LIBRARY_PATH} (with {@code PYTORCH_VERSION} and {@code
 * PYTORCH_FLAVOR}; e.g. the {@code torch/lib} folder of a PyTorch installation, with a matching
 * {@code libdjl_torch.so} beside it or in DJL's cache). With the override no native jar needs to be
 * on the class path; nothing here requires one.
 */
public final class NativeFlavor {
    private static final Pattern LOCAL_VERSION =
            Pattern.compile("(\\d+\\.\\d+\\.\\d+)(?:\\+(\\w+))?");

    private NativeFlavor() {}

    /**
     * What the engine loaded, as far as it can be known.
     *
     * @param source {@code native jar <artifact flavour> <version>} or {@code PYTORCH_LIBRARY_PATH}
     * @param directory the folder libtorch was loaded from
     * @param version the libtorch version: read from the library's own files when they say it
     *     ({@code torch/version.py} of a PyTorch installation, {@code build-version} of a libtorch
     *     archive, the native jar's properties), else the version DJL assumes ({@code
     *     PYTORCH_VERSION} or its default)
     * @param versionSource where {@code version} comes from
     * @param flavor {@code cpu}, {@code cu124}, …: {@code PYTORCH_FLAVOR} when set, else the jar's,
     *     else the version's local part ({@code 2.5.1+cu124}), else {@code cpu} or {@code cuda} by
     *     whether {@code libtorch_cuda.so} is in the folder
     * @param cudaAvailable whether the loaded libtorch reports a usable CUDA device
     */
    public record Loaded(
            String source,
            String directory,
            String version,
            String versionSource,
            String flavor,
            boolean cudaAvailable) {
        /**
         * Whether this is a CUDA build (whether or not a GPU is visible).
         *
         * @return true for {@code cu*} and {@code cuda} flavours
         */
        public boolean isCudaBuild() {
            return flavor.startsWith("cu");
        }
    }

    /**
     * Describes the loaded native library (loads the engine if needed).
     *
     * @return the description
     */
    public static Loaded loaded() {
        Engine engine = Engine.getEngine("PyTorch");
        Path dir = Path.of(LibUtils.getLibtorchPath());
        String override = setting("PYTORCH_LIBRARY_PATH");
        Optional<Properties> jar = jarProperties();
        boolean fromOverride = fromOverride(override, dir);
        String version;
        String versionSource;
        Optional<String> own = ownVersion(dir);
        if (own.isPresent()) {
            version = own.get();
            versionSource = "read from the library folder";
        } else if (!fromOverride && jar.isPresent()) {
            version = jar.get().getProperty("version", engine.getVersion());
            versionSource = "native jar";
        } else {
            version = engine.getVersion();
            versionSource =
                    setting("PYTORCH_VERSION") != null
                            ? "PYTORCH_VERSION (not verifiable from the folder)"
                            : "DJL's default (set PYTORCH_VERSION; not verifiable from the folder)";
        }
        String flavor = flavor(dir, version, fromOverride ? Optional.empty() : jar);
        String source =
                fromOverride
                        ? "PYTORCH_LIBRARY_PATH"
                        : jar.map(
                                        p ->
                                                "native jar (pytorch-native-"
                                                        + p.getProperty("flavor", "?")
                                                        + " "
                                                        + p.getProperty("version", "?")
                                                        + ")")
                                .orElse("DJL cache");
        return new Loaded(
                source,
                dir.toString(),
                version,
                versionSource,
                flavor,
                engine.hasCapability("CUDA"));
    }

    /**
     * The flavour of the loaded library, e.g. {@code cpu} or {@code cu124}.
     *
     * @return the flavour, see {@link Loaded#flavor()}
     */
    public static String current() {
        return loaded().flavor();
    }

    /**
     * The loaded libtorch version (e.g. {@code 2.5.1-20241113} from the native jar).
     *
     * @return the version, see {@link Loaded#version()}
     */
    public static String version() {
        return loaded().version();
    }

    /** Flavour: PYTORCH_FLAVOR, else the jar's, else from the version or the files. */
    static String flavor(Path dir, String version, Optional<Properties> jar) {
        String override = setting("PYTORCH_FLAVOR");
        if (override != null && !override.isBlank()) {
            return override.trim();
        }
        if (jar.isPresent() && jar.get().getProperty("flavor") != null) {
            return jar.get().getProperty("flavor");
        }
        Matcher m = LOCAL_VERSION.matcher(version);
        if (m.lookingAt() && m.group(2) != null) {
            return m.group(2).toLowerCase(Locale.ROOT);
        }
        return Files.exists(dir.resolve(System.mapLibraryName("torch_cuda"))) ? "cuda" : "cpu";
    }

    /**
     * The version a libtorch folder states about itself: {@code ../version.py} of a PyTorch
     * installation ({@code __version__ = '2.5.1+cu124'}) or {@code ../build-version} of a libtorch
     * archive.
     *
     * @param dir the folder holding {@code libtorch.so}
     * @return the version, if the folder says
     */
    static Optional<String> ownVersion(Path dir) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent == null) {
            return Optional.empty();
        }
        try {
            Path py = parent.resolve("version.py");
            if (Files.isRegularFile(py)) {
                Matcher m =
                        Pattern.compile("__version__\\s*=\\s*['\"]([^'\"]+)['\"]")
                                .matcher(Files.readString(py, StandardCharsets.UTF_8));
                if (m.find()) {
                    return Optional.of(m.group(1));
                }
            }
            Path build = parent.resolve("build-version");
            if (Files.isRegularFile(build)) {
                String v = Files.readString(build, StandardCharsets.UTF_8).strip();
                if (!v.isEmpty()) {
                    return Optional.of(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the version file next to " + dir, e);
        }
        return Optional.empty();
    }

    /**
     * True when DJL took libtorch from a PYTORCH_LIBRARY_PATH entry (a folder, or the libtorch file
     * in it).
     */
    static boolean fromOverride(String override, Path dir) {
        if (override == null || override.isBlank()) {
            return false;
        }
        Path loaded = dir.toAbsolutePath().normalize();
        for (String entry : override.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (p.equals(loaded) || loaded.equals(p.getParent())) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Properties> jarProperties() {
        try (InputStream in =
                NativeFlavor.class
                        .getClassLoader()
                        .getResourceAsStream("native/lib/pytorch.properties")) {
            if (in == null) {
                return Optional.empty();
            }
            Properties p = new Properties();
            p.load(in);
            return Optional.of(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An environment variable, else the system property of the same name (DJL reads both). */
    private static String setting(String name) {
        String v = System.getenv(name);
        return v != null ? v : System.getProperty(name);
    }
}
