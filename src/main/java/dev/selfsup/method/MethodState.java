package dev.selfsup.method;

/**
 * Scalar state a method keeps between steps (queue pointers, fill counts), saved in checkpoints
 * beside its tensors. Each method implements it with a record of its own; a checkpoint stores every
 * component under its snake_case name ({@code long}, {@code int}, {@code double}, {@code boolean}
 * or a list of {@code Long}), and restoring a checkpoint that lacks one fails naming it.
 */
public interface MethodState {
    /** The state of a method that keeps none (SimCLR). */
    record None() implements MethodState {}
}
