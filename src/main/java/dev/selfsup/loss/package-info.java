/**
 * Self-supervised losses as static pure functions on {@link ai.djl.ndarray.NDArray}: {@link
 * dev.selfsup.loss.Sinkhorn}, {@link dev.selfsup.loss.SwavLoss}, {@link dev.selfsup.loss.InfoNce},
 * {@link dev.selfsup.loss.NtXent}, {@link dev.selfsup.loss.HardNegativeMixing} and {@link
 * dev.selfsup.loss.FeatureTransform} (METHODS.md §1–§6).
 *
 * <p>Conventions shared by every function here: shapes use the METHODS.md letters (B batch, D
 * embedding, K prototypes or queue length, T temperature); inputs must be {@code FLOAT32} or {@code
 * FLOAT64} and all of one type; temporaries live in a sub-manager of the first input's manager and
 * only the result is returned to that manager, so results stay on the inputs' device; randomness
 * arrives as a {@link java.util.random.RandomGenerator}.
 */
package dev.selfsup.loss;
