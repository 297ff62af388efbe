package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.selfsup.internal.Scalars;
import java.util.random.RandomGenerator;

/**
 * Hard negative mixing, MoCHi(N, s, s′) (Kalantidis et al. 2020; METHODS.md §5).
 *
 * <p>Per query q: rank the negatives by q·n and keep the N hardest Ñ (rank 0 = hardest); build s
 * negatives h = norm(α n_i + (1 − α) n_j) with n_i, n_j ∈ Ñ, α ~ U(0, 1), and s′ negatives h′ =
 * norm(β q + (1 − β) n_j) with n_j ∈ Ñ, β ~ U(0, 0.5). Everything is built from detached inputs, so
 * gradient reaches q only through the logits q·h; the queue is never changed.
 *
 * <p>No official MoCHi code was released; we follow the paper: every i, j is an independent uniform
 * draw among the N ranks (torch.randint-style, so i = j is possible and then h = n_i), and every
 * coefficient is drawn per query and per synthetic negative. All draws happen in Java from the
 * caller's generator (see {@link Draws#sample}), then gather with NDArray ops on the inputs'
 * device.
 */
public final class HardNegativeMixing {
    private HardNegativeMixing() {}

    /**
     * The random choices of one MoCHi step, flattened row-major over (query, synthetic index).
     *
     * @param hardest N, the number of hardest negatives mixed from
     * @param mixed s, synthetic negatives per query from two negatives
     * @param queryMixed s′, synthetic negatives per query from q and one negative
     * @param first rank of n_i for each h, [B · s], in [0, N)
     * @param second rank of n_j for each h, [B · s], in [0, N)
     * @param alpha α for each h, [B · s], in [0, 1)
     * @param partner rank of n_j for each h′, [B · s′], in [0, N)
     * @param beta β for each h′, [B · s′], in [0, 0.5)
     */
    public record Draws(
            int hardest,
            int mixed,
            int queryMixed,
            int[] first,
            int[] second,
            double[] alpha,
            int[] partner,
            double[] beta) {
        /**
         * Validates lengths and ranges.
         *
         * @param hardest N, the number of hardest negatives mixed from
         * @param mixed s, synthetic negatives per query from two negatives
         * @param queryMixed s′, synthetic negatives per query from q and one negative
         * @param first rank of n_i for each h, [B · s], in [0, N)
         * @param second rank of n_j for each h, [B · s], in [0, N)
         * @param alpha α for each h, [B · s], in [0, 1)
         * @param partner rank of n_j for each h′, [B · s′], in [0, N)
         * @param beta β for each h′, [B · s′], in [0, 0.5)
         */
        public Draws {
            checkArgument(hardest >= 1, "hardest (N) must be >= 1, got %s", hardest);
            checkArgument(mixed >= 0, "mixed (s) must be >= 0, got %s", mixed);
            checkArgument(queryMixed >= 0, "queryMixed (s') must be >= 0, got %s", queryMixed);
            checkArgument(
                    first.length == second.length && first.length == alpha.length,
                    "first, second and alpha must have equal lengths, got %s, %s, %s",
                    first.length,
                    second.length,
                    alpha.length);
            checkArgument(
                    partner.length == beta.length,
                    "partner and beta must have equal lengths, got %s, %s",
                    partner.length,
                    beta.length);
            checkArgument(
                    mixed == 0 ? first.length == 0 : first.length % mixed == 0,
                    "first.length must be B * s (s = %s), got %s",
                    mixed,
                    first.length);
            checkArgument(
                    queryMixed == 0 ? partner.length == 0 : partner.length % queryMixed == 0,
                    "partner.length must be B * s' (s' = %s), got %s",
                    queryMixed,
                    partner.length);
            checkRanks(first, hardest, "first");
            checkRanks(second, hardest, "second");
            checkRanks(partner, hardest, "partner");
        }

        /**
         * Draws one step's choices. Order: for each query b, for each of its s negatives (i, j, α);
         * then for each query b, for each of its s′ negatives (j, β).
         *
         * @param rng the generator (e.g. {@code Seeds.derive(seed, "mochi", step)})
         * @param batch B, {@code >= 1}
         * @param hardest N, {@code >= 1}
         * @param mixed s, {@code >= 0}
         * @param queryMixed s′, {@code >= 0}
         * @return the draws
         */
        public static Draws sample(
                RandomGenerator rng, int batch, int hardest, int mixed, int queryMixed) {
            checkArgument(batch >= 1, "batch must be >= 1, got %s", batch);
            checkArgument(hardest >= 1, "hardest (N) must be >= 1, got %s", hardest);
            int[] first = new int[batch * mixed];
            int[] second = new int[batch * mixed];
            double[] alpha = new double[batch * mixed];
            for (int t = 0; t < first.length; t++) {
                first[t] = rng.nextInt(hardest);
                second[t] = rng.nextInt(hardest);
                alpha[t] = rng.nextDouble();
            }
            int[] partner = new int[batch * queryMixed];
            double[] beta = new double[batch * queryMixed];
            for (int t = 0; t < partner.length; t++) {
                partner[t] = rng.nextInt(hardest);
                beta[t] = 0.5 * rng.nextDouble();
            }
            return new Draws(hardest, mixed, queryMixed, first, second, alpha, partner, beta);
        }

        private static void checkRanks(int[] ranks, int hardest, String name) {
            for (int r : ranks) {
                checkArgument(
                        r >= 0 && r < hardest,
                        "%s ranks must be in [0, %s), got %s",
                        name,
                        hardest,
                        r);
            }
        }
    }

    /**
     * Synthetic negatives and the draws that made them.
     *
     * @param negatives [B, s + s′, D]: the s mixes of two negatives, then the s′ mixes with q; unit
     *     norm, no gradient
     * @param draws the random choices used
     */
    public record Mixed(NDArray negatives, Draws draws) {}

    /**
     * MoCHi on a queue: synthetic negatives for every query.
     *
     * @param q queries, [B, D], normalised, FLOAT32 or FLOAT64
     * @param queue negative keys, [K, D], rows normalised
     * @param hardest N, in [1, K] (paper: 1024 or 256)
     * @param mixed s, {@code >= 0} (paper: 1024 or 512)
     * @param queryMixed s′, {@code >= 0} (paper: 128 or 256)
     * @param rng the generator all draws come from
     * @return the negatives [B, s + s′, D] on the manager of {@code q}, and the draws
     * @throws IllegalArgumentException on a shape or type mismatch or N outside [1, K]
     */
    public static Mixed mix(
            NDArray q, NDArray queue, int hardest, int mixed, int queryMixed, RandomGenerator rng) {
        checkQueue(q, queue, hardest);
        return mix(
                q, queue, Draws.sample(rng, (int) Tensors.dim(q, 0), hardest, mixed, queryMixed));
    }

    /**
     * MoCHi on a queue with explicit draws (reproduces a step, or matches a reference).
     *
     * @param q queries, [B, D], normalised
     * @param queue negative keys, [K, D]
     * @param draws the choices, for B queries and N ≤ K
     * @return the negatives [B, s + s′, D] on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch
     */
    public static Mixed mix(NDArray q, NDArray queue, Draws draws) {
        checkQueue(q, queue, draws.hardest());
        checkDraws(q, draws);
        try (NDManager scope = Tensors.scope(q, queue)) {
            NDArray qd = q.stopGradient();
            NDArray n = queue.stopGradient();
            NDArray sims = qd.matMul(n.transpose()); // [B, K]
            return new Mixed(
                    scope.ret(SyntheticNegatives.synthesize(qd, sims, n, 0, draws)), draws);
        }
    }

    /**
     * MoCHi on per-query negatives (SimCLR's in-batch negatives, see {@link
     * NtXent#inBatchNegatives}).
     *
     * @param q queries (anchors), [B, D], normalised
     * @param negatives each query's negatives, [B, M, D], normalised
     * @param hardest N, in [1, M]
     * @param mixed s, {@code >= 0}
     * @param queryMixed s′, {@code >= 0}
     * @param rng the generator all draws come from
     * @return the negatives [B, s + s′, D] on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or N outside [1, M]
     */
    public static Mixed mixPerQuery(
            NDArray q,
            NDArray negatives,
            int hardest,
            int mixed,
            int queryMixed,
            RandomGenerator rng) {
        checkPerQuery(q, negatives, hardest);
        return mixPerQuery(
                q,
                negatives,
                Draws.sample(rng, (int) Tensors.dim(q, 0), hardest, mixed, queryMixed));
    }

    /**
     * MoCHi on per-query negatives with explicit draws.
     *
     * @param q queries, [B, D], normalised
     * @param negatives each query's negatives, [B, M, D]
     * @param draws the choices, for B queries and N ≤ M
     * @return the negatives [B, s + s′, D] on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch
     */
    public static Mixed mixPerQuery(NDArray q, NDArray negatives, Draws draws) {
        checkPerQuery(q, negatives, draws.hardest());
        checkDraws(q, draws);
        long b = Tensors.dim(q, 0);
        long m = Tensors.dim(negatives, 1);
        try (NDManager scope = Tensors.scope(q, negatives)) {
            NDArray qd = q.stopGradient();
            NDArray n = negatives.stopGradient();
            NDArray sims = Tensors.rowDots(qd, n); // [B, M]
            NDArray flat = n.reshape(b * m, Tensors.dim(q, 1));
            return new Mixed(
                    scope.ret(SyntheticNegatives.synthesize(qd, sims, flat, m, draws)), draws);
        }
    }

    /**
     * InfoNCE with MoCHi negatives: logits [q·k, q·queueᵀ, q·H, q·H′] / T, target 0, mean over B.
     * The q·queue products are computed once and reused to rank the hardest negatives.
     *
     * @param q queries, [B, D], normalised (gradient flows here only)
     * @param k positive keys, [B, D]
     * @param queue negative keys, [K, D]
     * @param hardest N, in [1, K]
     * @param mixed s, {@code >= 0}
     * @param queryMixed s′, {@code >= 0}
     * @param temperature T, {@code > 0}
     * @param rng the generator all draws come from
     * @return scalar on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or an argument out of range
     */
    public static NDArray loss(
            NDArray q,
            NDArray k,
            NDArray queue,
            int hardest,
            int mixed,
            int queryMixed,
            double temperature,
            RandomGenerator rng) {
        InfoNce.check(q, k, queue, temperature);
        checkQueue(q, queue, hardest);
        return loss(
                q,
                k,
                queue,
                Draws.sample(rng, (int) Tensors.dim(q, 0), hardest, mixed, queryMixed),
                temperature);
    }

    /**
     * {@link #loss(NDArray, NDArray, NDArray, int, int, int, double, RandomGenerator)} with
     * explicit draws.
     *
     * @param q queries, [B, D], normalised
     * @param k positive keys, [B, D]
     * @param queue negative keys, [K, D]
     * @param draws the choices
     * @param temperature T, {@code > 0}
     * @return scalar on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or an argument out of range
     */
    public static NDArray loss(
            NDArray q, NDArray k, NDArray queue, Draws draws, double temperature) {
        InfoNce.check(q, k, queue, temperature);
        checkQueue(q, queue, draws.hardest());
        checkDraws(q, draws);
        try (NDManager scope = Tensors.scope(q, k, queue)) {
            NDArray n = queue.stopGradient();
            NDArray pos = q.mul(k.stopGradient()).sum(new int[] {1}, true); // [B, 1]
            NDArray neg = q.matMul(n.transpose()); // [B, K]
            NDArray h =
                    SyntheticNegatives.synthesize(
                            q.stopGradient(), neg.stopGradient(), n, 0, draws);
            NDArray logits = pos.concat(neg, 1).concat(Tensors.rowDots(q, h), 1);
            logits = Scalars.div(logits, temperature);
            return scope.ret(Tensors.crossEntropyFirst(logits));
        }
    }

    private static void checkQueue(NDArray q, NDArray queue, int hardest) {
        Tensors.checkRank(q, 2, "q", "[B, D]");
        Tensors.checkFloat(q, "q", q);
        Tensors.checkRank(queue, 2, "queue", "[K, D]");
        Tensors.checkFloat(queue, "queue", q);
        checkArgument(
                Tensors.dim(queue, 1) == Tensors.dim(q, 1),
                "queue must be [K, %s], got %s",
                Tensors.dim(q, 1),
                queue.getShape());
        checkArgument(
                hardest >= 1 && hardest <= Tensors.dim(queue, 0),
                "hardest (N) must be in [1, K = %s], got %s",
                Tensors.dim(queue, 0),
                hardest);
    }

    private static void checkPerQuery(NDArray q, NDArray negatives, int hardest) {
        Tensors.checkRank(q, 2, "q", "[B, D]");
        Tensors.checkFloat(q, "q", q);
        Tensors.checkRank(negatives, 3, "negatives", "[B, M, D]");
        Tensors.checkFloat(negatives, "negatives", q);
        checkArgument(
                Tensors.dim(negatives, 0) == Tensors.dim(q, 0)
                        && Tensors.dim(negatives, 2) == Tensors.dim(q, 1),
                "negatives must be [%s, M, %s], got %s",
                Tensors.dim(q, 0),
                Tensors.dim(q, 1),
                negatives.getShape());
        checkArgument(
                hardest >= 1 && hardest <= Tensors.dim(negatives, 1),
                "hardest (N) must be in [1, M = %s], got %s",
                Tensors.dim(negatives, 1),
                hardest);
    }

    private static void checkDraws(NDArray q, Draws draws) {
        long b = Tensors.dim(q, 0);
        checkArgument(
                draws.first().length == b * draws.mixed()
                        && draws.partner().length == b * draws.queryMixed(),
                "draws are for %s x (%s, %s) negatives, but B = %s",
                draws.mixed() == 0 ? 0 : draws.first().length / draws.mixed(),
                draws.mixed(),
                draws.queryMixed(),
                b);
    }
}
