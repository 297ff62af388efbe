package dev.selfsup.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link EpochObserver} or {@link StepObserver} reports: metric values for one line of
 * {@code metrics.jsonl} and an optional message for the progress output. Plain Java numbers only
 * (STYLE.md §5: no NDArray outlives the observer's scope).
 *
 * @param values metric name → value, in the order they are logged; empty = nothing to log
 * @param message a line for the progress output, or empty
 */
public record Observation(Map<String, Double> values, String message) {
    private static final Observation NONE = new Observation(Map.of(), "");

    /**
     * Copies the values, keeping their order.
     *
     * @param values metric name → value, in the order they are logged; empty = nothing to log
     * @param message a line for the progress output, or empty
     */
    public Observation {
        values =
                Collections.unmodifiableMap(
                        new LinkedHashMap<>(Objects.requireNonNull(values, "values")));
        Objects.requireNonNull(message, "message");
    }

    /**
     * Nothing to log this time (the observer's interval has not come round).
     *
     * @return the empty observation
     */
    public static Observation none() {
        return NONE;
    }

    /**
     * Whether there is nothing to log.
     *
     * @return true when {@link #values()} is empty
     */
    public boolean isEmpty() {
        return values.isEmpty();
    }
}
