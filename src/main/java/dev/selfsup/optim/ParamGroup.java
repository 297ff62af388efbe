package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A named set of trainable parameters with per-group optimiser options, like a PyTorch {@code
 * param_group}.
 *
 * <p>A method declares its groups (for example {@code backbone}, {@code head}, {@code prototypes});
 * the trainer builds an {@link Optimizer} over them. Instances are immutable: every option method
 * returns a new group.
 *
 * <pre>{@code
 * List<ParamGroup> groups = List.of(
 *         ParamGroup.of("backbone", backbone),
 *         ParamGroup.of("prototypes", prototypes).frozenUntilIters(5005));
 * }</pre>
 *
 * <p><b>Which parameters count as "BN and bias"</b> (for {@link #excludeBnAndBiasFromDecay} and
 * {@link #excludeFromLarsAdaptation}): a parameter whose DJL type is {@link Parameter.Type#BIAS},
 * {@link Parameter.Type#GAMMA} or {@link Parameter.Type#BETA}, <em>or</em> whose array has at most
 * one dimension. The type rule catches DJL's BatchNorm / LayerNorm / Linear / Conv parameters; the
 * shape rule is solo-learn's ({@code p.ndim == 1} in {@code solo/utils/lars.py}) and catches 1-D
 * parameters of custom blocks (norm scales, biases, layer-scale vectors) whatever their declared
 * type. See {@link #isBnOrBias(Parameter)}.
 */
public final class ParamGroup {
    private static final Set<Parameter.Type> BN_AND_BIAS_TYPES =
            EnumSet.of(Parameter.Type.BIAS, Parameter.Type.GAMMA, Parameter.Type.BETA);

    private final String name;
    private final PairList<String, Parameter> parameters;
    private final double lrMultiplier;
    private final OptionalDouble weightDecay;
    private final boolean excludeBnAndBiasFromDecay;
    private final boolean excludeFromLarsAdaptation;
    private final long frozenUntilIters;

    private ParamGroup(
            String name,
            PairList<String, Parameter> parameters,
            double lrMultiplier,
            OptionalDouble weightDecay,
            boolean excludeBnAndBiasFromDecay,
            boolean excludeFromLarsAdaptation,
            long frozenUntilIters) {
        this.name = name;
        this.parameters = parameters;
        this.lrMultiplier = lrMultiplier;
        this.weightDecay = weightDecay;
        this.excludeBnAndBiasFromDecay = excludeBnAndBiasFromDecay;
        this.excludeFromLarsAdaptation = excludeFromLarsAdaptation;
        this.frozenUntilIters = frozenUntilIters;
    }

    /**
     * Creates a group of every trainable parameter of a block, with default options (lr multiplier
     * 1, the optimiser's weight decay, BN and bias excluded from decay and from LARS adaptation,
     * never frozen).
     *
     * <p>Parameters with {@code requiresGradient() == false} (BatchNorm running statistics) are
     * left out. The parameter names are the block's own ({@code block.getParameters()} keys, e.g.
     * {@code 01mlp_01Linear_weight}); they name the optimiser state in checkpoints, so they must
     * not change between runs.
     *
     * @param name the group name, non-empty, without {@code '/'} (it prefixes state keys)
     * @param block the block whose parameters form the group
     * @return a new group
     * @throws IllegalArgumentException if the name is invalid or the block has no trainable
     *     parameter
     */
    public static ParamGroup of(String name, Block block) {
        Objects.requireNonNull(block, "block");
        return of(name, block.getParameters());
    }

    /**
     * Creates a group of the trainable parameters in a list of (name, parameter) pairs, for groups
     * that are a subset of a block or span several blocks.
     *
     * @param name the group name, non-empty, without {@code '/'}
     * @param parameters (name, parameter) pairs with unique names; untrainable ones are skipped
     * @return a new group with default options (see {@link #of(String, Block)})
     * @throws IllegalArgumentException if the name is invalid, a parameter name repeats, or no
     *     parameter is trainable
     */
    public static ParamGroup of(String name, PairList<String, Parameter> parameters) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parameters, "parameters");
        checkArgument(
                !name.isEmpty() && name.indexOf('/') < 0,
                "group name must be non-empty and contain no '/', got '%s'",
                name);
        PairList<String, Parameter> trainable = new PairList<>();
        Set<String> seen = new HashSet<>();
        for (Pair<String, Parameter> entry : parameters) {
            checkArgument(
                    seen.add(entry.getKey()),
                    "parameter name '%s' appears twice in group '%s'",
                    entry.getKey(),
                    name);
            if (entry.getValue().requiresGradient()) {
                trainable.add(entry.getKey(), entry.getValue());
            }
        }
        checkArgument(
                !trainable.isEmpty(),
                "group '%s' has no trainable parameter among %s",
                name,
                parameters.keys());
        return new ParamGroup(name, trainable, 1.0, OptionalDouble.empty(), true, true, 0);
    }

    /**
     * Returns a copy whose learning rate is the schedule's value times {@code multiplier}.
     *
     * @param multiplier the factor, finite and {@code >= 0}; default 1
     * @return a new group
     */
    public ParamGroup lrMultiplier(double multiplier) {
        checkArgument(
                Double.isFinite(multiplier) && multiplier >= 0,
                "lrMultiplier must be finite and >= 0, got %s",
                multiplier);
        return new ParamGroup(
                name,
                parameters,
                multiplier,
                weightDecay,
                excludeBnAndBiasFromDecay,
                excludeFromLarsAdaptation,
                frozenUntilIters);
    }

    /**
     * Returns a copy that uses this weight decay instead of the optimiser's.
     *
     * @param decay the weight decay, finite and {@code >= 0}; default: the optimiser's
     * @return a new group
     */
    public ParamGroup weightDecay(double decay) {
        checkArgument(
                Double.isFinite(decay) && decay >= 0,
                "weightDecay must be finite and >= 0, got %s",
                decay);
        return new ParamGroup(
                name,
                parameters,
                lrMultiplier,
                OptionalDouble.of(decay),
                excludeBnAndBiasFromDecay,
                excludeFromLarsAdaptation,
                frozenUntilIters);
    }

    /**
     * Returns a copy that does or does not exempt BN and bias parameters ({@link
     * #isBnOrBias(Parameter)}) from weight decay.
     *
     * @param exclude true to give BN and bias parameters zero weight decay; default true (SimCLR,
     *     solo-learn); official SwAV and MoCo decay every parameter (false)
     * @return a new group
     */
    public ParamGroup excludeBnAndBiasFromDecay(boolean exclude) {
        return new ParamGroup(
                name,
                parameters,
                lrMultiplier,
                weightDecay,
                exclude,
                excludeFromLarsAdaptation,
                frozenUntilIters);
    }

    /**
     * Returns a copy that does or does not exempt BN and bias parameters ({@link
     * #isBnOrBias(Parameter)}) from the LARS trust ratio; ignored by other optimisers.
     *
     * @param exclude true to give BN and bias parameters a plain momentum-SGD step; default true
     *     (SimCLR, solo-learn, METHODS.md §9); official SwAV's LARC adapts every parameter (false)
     * @return a new group
     */
    public ParamGroup excludeFromLarsAdaptation(boolean exclude) {
        return new ParamGroup(
                name,
                parameters,
                lrMultiplier,
                weightDecay,
                excludeBnAndBiasFromDecay,
                exclude,
                frozenUntilIters);
    }

    /**
     * Returns a copy that is frozen while the iteration is below {@code iters}: no update, no
     * weight decay, no momentum or moment accumulation and no step count (the parameters are
     * skipped entirely, as torch skips parameters whose {@code grad} is {@code None}, which is what
     * official SwAV does to its prototypes during the first {@code freeze_prototypes_niters}
     * iterations). Their gradients are still zeroed every step.
     *
     * @param iters the first iteration at which the group is updated, {@code >= 0}; default 0
     * @return a new group
     */
    public ParamGroup frozenUntilIters(long iters) {
        checkArgument(iters >= 0, "frozenUntilIters must be >= 0, got %s", iters);
        return new ParamGroup(
                name,
                parameters,
                lrMultiplier,
                weightDecay,
                excludeBnAndBiasFromDecay,
                excludeFromLarsAdaptation,
                iters);
    }

    /**
     * Returns the group name.
     *
     * @return the name, the first part of every state key of this group
     */
    public String getName() {
        return name;
    }

    /**
     * Returns the trainable parameters of the group by name, in block order.
     *
     * @return an unmodifiable view of the (name, parameter) pairs
     */
    public List<Pair<String, Parameter>> getParameters() {
        List<Pair<String, Parameter>> list = new ArrayList<>(parameters.size());
        for (Pair<String, Parameter> entry : parameters) {
            list.add(entry);
        }
        return Collections.unmodifiableList(list);
    }

    /**
     * Returns the learning-rate multiplier.
     *
     * @return the factor applied to the schedule's value
     */
    public double getLrMultiplier() {
        return lrMultiplier;
    }

    /**
     * Returns the weight-decay override.
     *
     * @return the group's weight decay, or empty to use the optimiser's
     */
    public OptionalDouble getWeightDecay() {
        return weightDecay;
    }

    /**
     * Returns the first iteration at which the group is updated.
     *
     * @return the value set by {@link #frozenUntilIters(long)}
     */
    public long getFrozenUntilIters() {
        return frozenUntilIters;
    }

    /**
     * Returns whether the group is frozen at an iteration.
     *
     * @param iteration the global iteration
     * @return true while {@code iteration < getFrozenUntilIters()}
     */
    public boolean isFrozenAt(long iteration) {
        return iteration < frozenUntilIters;
    }

    /**
     * Returns the weight decay a parameter of this group gets.
     *
     * @param parameter a parameter of this group
     * @param optimizerDecay the optimiser's weight decay
     * @return 0 for an exempt BN / bias parameter, else the group override or {@code
     *     optimizerDecay}
     */
    double decayFor(Parameter parameter, double optimizerDecay) {
        if (excludeBnAndBiasFromDecay && isBnOrBias(parameter)) {
            return 0;
        }
        return weightDecay.orElse(optimizerDecay);
    }

    /**
     * Returns whether LARS adapts a parameter of this group.
     *
     * @param parameter a parameter of this group
     * @return false for an exempt BN / bias parameter
     */
    boolean larsAdapts(Parameter parameter) {
        return !(excludeFromLarsAdaptation && isBnOrBias(parameter));
    }

    /**
     * Returns whether a parameter counts as a BatchNorm / LayerNorm or bias parameter: its type is
     * {@code BIAS}, {@code GAMMA} or {@code BETA}, or its array has at most one dimension.
     *
     * @param parameter an initialised parameter
     * @return true for norm scales and shifts, biases and any other 1-D parameter
     */
    public static boolean isBnOrBias(Parameter parameter) {
        return BN_AND_BIAS_TYPES.contains(parameter.getType())
                || parameter.getArray().getShape().dimension() <= 1;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "ParamGroup{"
                + name
                + ", "
                + parameters.size()
                + " parameters, lrMultiplier="
                + lrMultiplier
                + ", weightDecay="
                + (weightDecay.isPresent() ? weightDecay.getAsDouble() : "optimizer's")
                + ", excludeBnAndBiasFromDecay="
                + excludeBnAndBiasFromDecay
                + ", excludeFromLarsAdaptation="
                + excludeFromLarsAdaptation
                + ", frozenUntilIters="
                + frozenUntilIters
                + '}';
    }
}
