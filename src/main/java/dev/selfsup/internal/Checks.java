package dev.selfsup.internal;

/** Precondition helpers that put the offending value into the message (STYLE.md R6). */
public final class Checks {
    private Checks() {}

    /**
     * Throws {@link IllegalArgumentException} with a formatted message when {@code ok} is false.
     *
     * @param ok the condition that must hold
     * @param format a {@link String#format} pattern naming the value and the valid range
     * @param args the pattern's arguments
     */
    public static void checkArgument(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    /**
     * Throws {@link SettingException} naming a settings key when a value is out of range.
     *
     * @param ok the condition that must hold
     * @param key the key relative to the settings record, e.g. {@code queue_length}
     * @param value the offending value
     * @param expected what is valid, e.g. {@code "> 0"}
     */
    public static void checkSetting(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new SettingException(key, "got " + value + ", expected " + expected);
        }
    }

    /**
     * Throws {@link IllegalStateException} with a formatted message when {@code ok} is false.
     *
     * @param ok the condition that must hold
     * @param format a {@link String#format} pattern
     * @param args the pattern's arguments
     */
    public static void checkState(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalStateException(String.format(format, args));
        }
    }

    /**
     * A list for an error message: all of it when short, else the first {@code limit} items and how
     * many more, so a message about a thousand names stays one readable line.
     *
     * @param items the items
     * @param limit how many to show, {@code >= 1}
     * @return e.g. {@code [a, b, c]} or {@code [a, b, c, … and 97 more]}
     */
    public static String firstFew(java.util.List<?> items, int limit) {
        if (items.size() <= limit) {
            return items.toString();
        }
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < limit; i++) {
            s.append(items.get(i)).append(", ");
        }
        return s.append("… and ").append(items.size() - limit).append(" more]").toString();
    }
}
