package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Adam with decoupled weight decay, in {@code torch.optim.AdamW} form (amsgrad off).
 *
 * <p>Per parameter p with gradient g, learning rate lr and weight decay wd (0 for exempt BN / bias
 * parameters), step count t counted per parameter from its first update:
 *
 * <pre>{@code
 * t ← t + 1
 * p ← p·(1 − lr·wd)
 * m ← β1·m + (1 − β1)·g                   (m, v start at 0)
 * v ← β2·v + (1 − β2)·g²
 * p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * }</pre>
 *
 * Defaults β1 0.9, β2 0.999, ε 1e-8, weight decay 0.01 (torch's defaults; DINO/ViT recipes use
 * 0.04–0.05).
 */
public final class AdamW extends Optimizer {
    private static final String EXP_AVG = "exp_avg";
    private static final String EXP_AVG_SQ = "exp_avg_sq";

    private final double beta1;
    private final double beta2;
    private final double epsilon;

    private AdamW(Builder builder) {
        super(builder);
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
    }

    /**
     * Returns a builder; required: {@code setManager}, {@code setGroups}, {@code setLearningRate}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    void update(Slot slot, NDArray param, NDArray grad, double lr, double decay, NDManager scope) {
        NDArray step = borrowState(slot, STEP, scope);
        NDArray m = borrowState(slot, EXP_AVG, scope);
        NDArray v = borrowState(slot, EXP_AVG_SQ, scope);
        if (step == null) { // first update: zero moments, as torch's lazy state init
            step = keepState(slot, STEP, scope.create(0L), scope);
            m = keepState(slot, EXP_AVG, param.zerosLike(), scope);
            v = keepState(slot, EXP_AVG_SQ, param.zerosLike(), scope);
        }
        step.addi(1L);
        long t = step.getLong();
        if (decay != 0) {
            param.muli(1 - lr * decay);
        }
        m.muli(beta1).addi(grad.mul(1 - beta1));
        v.muli(beta2).addi(grad.square().muli(1 - beta2));
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        NDArray denominator = v.sqrt().divi(biasCorrection2Sqrt).addi(epsilon);
        param.subi(m.div(denominator).muli(lr / biasCorrection1));
    }

    @Override
    List<String> stateNames() {
        return List.of(STEP, EXP_AVG, EXP_AVG_SQ);
    }

    /** Builder for {@link AdamW}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;

        Builder() {
            super(0.01);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets β1, the decay of the first moment.
         *
         * @param beta1 in [0, 1); default 0.9
         * @return this builder
         */
        public Builder optBeta1(double beta1) {
            checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
            this.beta1 = beta1;
            return this;
        }

        /**
         * Sets β2, the decay of the second moment.
         *
         * @param beta2 in [0, 1); default 0.999
         * @return this builder
         */
        public Builder optBeta2(double beta2) {
            checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
            this.beta2 = beta2;
            return this;
        }

        /**
         * Sets ε, added to the bias-corrected sqrt(v).
         *
         * @param epsilon finite and {@code > 0}; default 1e-8
         * @return this builder
         */
        public Builder optEpsilon(double epsilon) {
            checkArgument(
                    Double.isFinite(epsilon) && epsilon > 0,
                    "epsilon must be finite and > 0, got %s",
                    epsilon);
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Builds the optimiser; the weight decay defaults to 0.01 (torch's default).
         *
         * @return a new {@link AdamW}
         * @throws IllegalArgumentException if a required setter was not called or groups clash
         */
        public AdamW build() {
            return new AdamW(this);
        }
    }
}
