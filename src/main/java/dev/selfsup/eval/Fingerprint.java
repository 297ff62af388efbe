package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 fingerprints of weights (in memory or on disk) and strings, as lowercase hex. */
public final class Fingerprint {
    private Fingerprint() {}

    /**
     * Hashes a block's class, and each parameter's name, data type, shape and raw bytes in
     * parameter order: equal weights give equal hashes, any changed value changes it.
     *
     * @param block an initialised block (a block without parameters hashes its class name only)
     * @return 64 hex digits
     * @throws IllegalArgumentException if a parameter is not initialised
     */
    public static String ofParameters(Block block) {
        MessageDigest digest = sha256();
        update(digest, block.getClass().getName());
        if (block instanceof Readout r) {
            update(digest, "grid " + r.grid());
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            checkArgument(
                    parameter.isInitialized(),
                    "parameter %s of %s is not initialised",
                    p.getKey(),
                    block.getClass().getSimpleName());
            NDArray array = parameter.getArray();
            update(digest, p.getKey() + "|" + array.getDataType() + "|" + array.getShape());
            digest.update(array.toByteBuffer());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Hashes a file's bytes, e.g. {@code backbone.safetensors} for {@code results.json}.
     *
     * @param file a readable file
     * @return 64 hex digits, equal to {@code sha256sum}'s
     * @throws IOException if the file cannot be read
     */
    public static String ofFile(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r = in.read(buffer); r >= 0; r = in.read(buffer)) {
                digest.update(buffer, 0, r);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Hashes strings, each followed by a separator so that ("ab", "c") ≠ ("a", "bc").
     *
     * @param parts the strings
     * @return 64 hex digits
     */
    public static String ofStrings(String... parts) {
        MessageDigest digest = sha256();
        for (String part : parts) {
            update(digest, part);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    private static void update(MessageDigest digest, String s) {
        digest.update(s.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
    }
}
