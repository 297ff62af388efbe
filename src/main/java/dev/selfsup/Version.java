package dev.selfsup;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The selfsup version, as built by Maven. */
public final class Version {
    private Version() {}

    /**
     * The project version (e.g. {@code 0.1.0-SNAPSHOT}).
     *
     * @return the version, or {@code unknown} when running from an unfiltered source tree
     */
    public static String selfsup() {
        try (InputStream in =
                Version.class.getResourceAsStream("/dev/selfsup/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
