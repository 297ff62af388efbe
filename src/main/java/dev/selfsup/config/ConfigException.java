package dev.selfsup.config;

/**
 * A recipe error: names the key, the offending value, what is valid and, once known, the file and
 * line.
 */
public final class ConfigException extends IllegalArgumentException {
    /** The dotted key. */
    private final String key;

    /** What is wrong and what is valid (the message without key and location). */
    private final String detail;

    /** File and line, or null while unknown. */
    private final String location;

    /**
     * Creates an error about one key.
     *
     * @param key the dotted key, e.g. {@code swav.temperature}
     * @param detail what is wrong and what is valid
     */
    public ConfigException(String key, String detail) {
        this(key, detail, null);
    }

    private ConfigException(String key, String detail, String location) {
        super(
                (location == null ? "" : location + ": ")
                        + (key.isEmpty() ? "" : key + ": ")
                        + detail);
        this.key = key;
        this.detail = detail;
        this.location = location;
    }

    /**
     * The same error with a {@code file:line} location (kept if one is already set).
     *
     * @param where the location, or null
     * @return an exception carrying the location
     */
    public ConfigException at(String where) {
        if (location != null || where == null) {
            return this;
        }
        ConfigException e = new ConfigException(key, detail, where);
        e.setStackTrace(getStackTrace());
        return e;
    }

    /**
     * The dotted key at fault.
     *
     * @return the key, empty for file-level errors
     */
    public String key() {
        return key;
    }

    /**
     * Where the error is, {@code file:line}, if known.
     *
     * @return the location or null
     */
    public String location() {
        return location;
    }

    /**
     * Throws when a recipe value is out of range (STYLE.md R4).
     *
     * @param ok the condition
     * @param key the dotted key
     * @param value the value
     * @param expected what is valid, e.g. {@code "> 0"}
     * @throws ConfigException if {@code ok} is false
     */
    public static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new ConfigException(key, "got " + value + ", expected " + expected);
        }
    }
}
