package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

/**
 * A schedule with one value at every iteration {@code >= 0}.
 *
 * @param value the value, finite
 */
public record Constant(double value) implements Schedule {
    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException if the value is not finite
     * @param value the value, finite
     */
    public Constant {
        checkArgument(
                Double.isFinite(value), "constant schedule value must be finite, got %s", value);
    }

    /** {@inheritDoc} */
    @Override
    public double value(long iteration) {
        checkArgument(iteration >= 0, "iteration must be >= 0, got %s", iteration);
        return value;
    }
}
