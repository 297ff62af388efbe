package dev.selfsup.internal;

/**
 * A settings record refused a value: names the key (snake_case, relative to the record, e.g. {@code
 * mochi.hardest}), the value and what is valid. The recipe loader prefixes the key with the section
 * it bound the record from and adds file and line.
 */
public final class SettingException extends IllegalArgumentException {
    /** The key, relative to the record that refused it. */
    private final String key;

    /** What is wrong and what is valid (the message without the key). */
    private final String detail;

    /**
     * Creates the error.
     *
     * @param key the key relative to the record, e.g. {@code queue_length}
     * @param detail what is wrong and what is valid
     */
    public SettingException(String key, String detail) {
        super(key + ": " + detail);
        this.key = key;
        this.detail = detail;
    }

    /**
     * The key at fault, relative to the record.
     *
     * @return e.g. {@code mochi.hardest}
     */
    public String key() {
        return key;
    }

    /**
     * What is wrong and what is valid.
     *
     * @return the message without the key
     */
    public String detail() {
        return detail;
    }
}
