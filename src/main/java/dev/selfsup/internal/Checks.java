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
}
