package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * DINO's projection head (Caron et al. 2021; METHODS.md §11; {@code DINOHead} in the official
 * vision_transformer.py): features {@code [B, F]} → MLP → L2-normalise → weight-normalised linear
 * layer without bias → {@code [B, K]}.
 *
 * <p>The MLP is Linear F → 2048 → GELU → Linear 2048 → 2048 → GELU → Linear 2048 → 256 with the
 * default 3 layers (exact erf GELU; optionally BatchNorm1d after each hidden Linear, off by
 * default). The last layer computes {@code x · Wᵀ} with {@code W = g · v / ‖v‖} per output row
 * ({@code nn.utils.weight_norm}, g {@code [K, 1]}, v {@code [K, 256]}). With {@code
 * norm_last_layer} (the default) g is fixed at 1 and takes no gradient, so each output is the
 * cosine between the bottleneck and a row of v.
 *
 * <p>Tensor names are the official {@code state_dict}'s, so weights move to and from PyTorch as
 * safetensors: {@code mlp.0.weight}, {@code mlp.0.bias}, {@code mlp.2.*}, {@code mlp.4.*}, {@code
 * last_layer.weight_g}, {@code last_layer.weight_v} (with BN: {@code mlp.1.*} is the BatchNorm and
 * the Linears are {@code mlp.0}, {@code mlp.3}, {@code mlp.6}; with one layer the MLP is a single
 * Linear {@code mlp.weight}, {@code mlp.bias}). Initialisation is the official one: MLP weights
 * {@code trunc_normal(std=0.02)}, biases 0; the last layer keeps PyTorch's default Linear draw
 * U(±1/√256) for v (the official {@code _init_weights} runs before it is built) and g = 1.
 *
 * <p><b>Freezing the last layer.</b> DINO gives the last layer no update during the first {@code
 * freeze_last_layer} epochs (official default 1): {@code cancel_gradients_last_layer} sets its
 * gradients to {@code None}, so the optimiser skips it entirely — no step, no weight decay, no
 * moment update. {@link #lastLayerParameters()} and {@link #mlpParameters()} split the head's
 * parameters for that, e.g. as two parameter groups of which the last layer's is frozen for that
 * many iterations:
 *
 * <pre>{@code
 * ParamGroup.of("head", head.mlpParameters());
 * ParamGroup.of("last_layer", head.lastLayerParameters()).frozenUntilIters(itersPerEpoch);
 * }</pre>
 *
 * Zeroing the gradient alone is not the same under AdamW or weight decay (the moments and the decay
 * still move the weights). The fixed g has {@code requiresGradient() == false}, so it is in no
 * parameter group and never updated; with {@code optNormLastLayer(false)} it is trained.
 *
 * <p>Works on any pooled features: ResNet ({@code F = 2048} for ResNet-50) or ViT cls tokens
 * ({@code F = 384} for ViT-S).
 */
public final class DinoHead extends TorchBlock {
    private final List<TorchBlock> mlp = new ArrayList<>(); // Linear / BN, in order
    private final List<Boolean> geluAfter = new ArrayList<>();
    private final WeightNormLinear lastLayer;
    private final int outputDim;
    private final int bottleneckDim;

    DinoHead(Builder b) {
        outputDim = b.outputDim;
        bottleneckDim = b.bottleneckDim;
        if (b.layers == 1) {
            add("mlp", linear(b.inputDim, b.bottleneckDim));
        } else {
            int index = 0; // nn.Sequential index: GELU takes one too
            int in = b.inputDim;
            for (int i = 0; i < b.layers; i++) {
                boolean last = i == b.layers - 1;
                int out = last ? b.bottleneckDim : b.hiddenDim;
                add("mlp." + index++, linear(in, out));
                if (!last) {
                    if (b.batchNorm) {
                        add("mlp." + index++, new BatchNormLayer(out, false));
                    }
                    geluAfter.set(geluAfter.size() - 1, true);
                    index++;
                }
                in = out;
            }
        }
        lastLayer =
                child(
                        "last_layer",
                        new WeightNormLinear(b.bottleneckDim, b.outputDim, b.normLastLayer));
    }

    private static LinearLayer linear(int in, int out) {
        return new LinearLayer(in, out, true, Inits.truncNormal(0.02), Initializer.ZEROS);
    }

    private void add(String name, TorchBlock layer) {
        mlp.add(child(name, layer));
        geluAfter.add(false);
    }

    /**
     * Returns a builder; the output dim K is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The output width K.
     *
     * @return K
     */
    public int outputDim() {
        return outputDim;
    }

    /**
     * The last layer's parameters ({@code last_layer.weight_g}, {@code last_layer.weight_v}) under
     * the keys {@link #getParameters()} gives them, for a parameter group that is frozen in the
     * first epoch(s) (see the class description). The fixed g is included; it does not require a
     * gradient, so parameter groups leave it out.
     *
     * @return (key, parameter) pairs, in {@link #getParameters()} order
     */
    public PairList<String, Parameter> lastLayerParameters() {
        return select(true);
    }

    /**
     * Every parameter except the last layer's (the MLP, with its BatchNorm if any), under the keys
     * {@link #getParameters()} gives them.
     *
     * @return (key, parameter) pairs, in {@link #getParameters()} order
     */
    public PairList<String, Parameter> mlpParameters() {
        return select(false);
    }

    private PairList<String, Parameter> select(boolean inLastLayer) {
        Set<Parameter> last = Collections.newSetFromMap(new IdentityHashMap<>());
        last.addAll(lastLayer.getParameters().values());
        PairList<String, Parameter> out = new PairList<>();
        for (Pair<String, Parameter> p : getParameters()) {
            if (last.contains(p.getValue()) == inLastLayer) {
                out.add(p.getKey(), p.getValue());
            }
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        for (TorchBlock layer : mlp) {
            layer.initialize(manager, dataType, shape);
            shape = layer.getOutputShapes(new Shape[] {shape})[0];
        }
        lastLayer.initialize(manager, dataType, shape);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(
                lastLayer.forward(
                        ps, bottleneck(ps, inputs.singletonOrThrow(), training), training));
    }

    private NDArray bottleneck(ParameterStore ps, NDArray x, boolean training) {
        checkArgument(
                x.getShape().dimension() == 2, "head input must be [B, F], got %s", x.getShape());
        for (int i = 0; i < mlp.size(); i++) {
            TorchBlock layer = mlp.get(i);
            x =
                    layer instanceof LinearLayer
                            ? ((LinearLayer) layer).forward(ps, x, training)
                            : ((BatchNormLayer) layer).forward(ps, x, training);
            if (geluAfter.get(i)) {
                x = x.getNDArrayInternal().gelu();
            }
        }
        return x.normalize(2, 1, 1e-12); // F.normalize(x, dim=-1, p=2)
    }

    /**
     * The head up to its last layer, as a block of no parameters of its own: {@code [B, F] → [B,
     * bottleneck]}, L2-normalised. It is the embedding the last layer compares with its rows, so
     * embedding diagnostics read it.
     *
     * @return a view sharing this head's parameters
     */
    public Block bottleneck() {
        DinoHead head = this;
        return new ai.djl.nn.AbstractBlock() {
            @Override
            protected NDList forwardInternal(
                    ParameterStore ps,
                    NDList inputs,
                    boolean training,
                    PairList<String, Object> params) {
                return new NDList(head.bottleneck(ps, inputs.singletonOrThrow(), training));
            }

            @Override
            public Shape[] getOutputShapes(Shape[] inputShapes) {
                return new Shape[] {new Shape(inputShapes[0].get(0), head.bottleneckDim)};
            }
        };
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outputDim)};
    }

    /**
     * {@code nn.utils.weight_norm(nn.Linear(in, out, bias=False))}: input x [..., in], g [out, 1],
     * v [out, in], output x · (g · v / ‖v‖)ᵀ [..., out] with ‖v‖ per row (no ε, as PyTorch).
     */
    static final class WeightNormLinear extends TorchBlock {
        private final Parameter g;
        private final Parameter v;

        WeightNormLinear(int in, int out, boolean fixedNorm) {
            g =
                    param(
                            "weight_g",
                            Parameter.builder()
                                    .setName("weight_g")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(new Shape(out, 1))
                                    .optInitializer(Initializer.ONES)
                                    .optRequiresGrad(!fixedNorm)
                                    .build());
            v =
                    param(
                            "weight_v",
                            Parameter.builder()
                                    .setName("weight_v")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optShape(new Shape(out, in))
                                    .optInitializer(Inits.torchDefault(in))
                                    .build());
        }

        NDArray forward(ParameterStore ps, NDArray x, boolean training) {
            NDArray gain = ps.getValue(g, x.getDevice(), training);
            NDArray direction = ps.getValue(v, x.getDevice(), training);
            NDArray w = direction.mul(gain.div(direction.norm(new int[] {1}, true))); // [out, in]
            return Linear.linear(x, w, null).singletonOrThrow();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            return new NDList(forward(ps, inputs.singletonOrThrow(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape in = inputShapes[0];
            return new Shape[] {in.slice(0, in.dimension() - 1).add(v.getShape().get(0))};
        }
    }

    /** Builder of {@link DinoHead}; defaults are the official ones. */
    public static final class Builder {
        private int inputDim;
        private int hiddenDim = 2048;
        private int bottleneckDim = 256;
        private int outputDim;
        private int layers = 3;
        private boolean batchNorm;
        private boolean normLastLayer = true;

        Builder() {}

        /**
         * Sets the input width F. Defaults to 0: taken from the input shape at initialisation.
         *
         * @param dim {@code > 0}, or 0 to infer
         * @return this builder
         */
        public Builder optInputDim(int dim) {
            inputDim = dim;
            return this;
        }

        /**
         * Sets the output width K (required); DINO uses 65,536.
         *
         * @param dim {@code > 0}
         * @return this builder
         */
        public Builder setOutputDim(int dim) {
            outputDim = dim;
            return this;
        }

        /**
         * Sets the width of the hidden layers. Defaults to 2048.
         *
         * @param dim {@code > 0}
         * @return this builder
         */
        public Builder optHiddenDim(int dim) {
            hiddenDim = dim;
            return this;
        }

        /**
         * Sets the bottleneck width, the MLP's output and the last layer's input. Defaults to 256.
         *
         * @param dim {@code > 0}
         * @return this builder
         */
        public Builder optBottleneckDim(int dim) {
            bottleneckDim = dim;
            return this;
        }

        /**
         * Sets the number of Linear layers of the MLP ({@code nlayers}). Defaults to 3.
         *
         * @param count {@code >= 1}; 1 makes the MLP a single Linear F → bottleneck
         * @return this builder
         */
        public Builder optLayers(int count) {
            layers = count;
            return this;
        }

        /**
         * Puts a BatchNorm1d after each hidden Linear ({@code use_bn_in_head}). Defaults to false.
         *
         * @param on whether to use BN
         * @return this builder
         */
        public Builder optBatchNorm(boolean on) {
            batchNorm = on;
            return this;
        }

        /**
         * Fixes the last layer's norm g at 1, untrained ({@code norm_last_layer}). Defaults to
         * true; the README's best ViT-S/16 run uses false (g trained, starting at 1).
         *
         * @param on whether g is fixed
         * @return this builder
         */
        public Builder optNormLastLayer(boolean on) {
            normLastLayer = on;
            return this;
        }

        /**
         * Builds the head.
         *
         * @return the head
         * @throws IllegalArgumentException if K is missing or a width or count is out of range
         */
        public DinoHead build() {
            checkArgument(
                    outputDim > 0, "setOutputDim is required and must be > 0, got %s", outputDim);
            checkArgument(inputDim >= 0, "inputDim must be > 0, or 0 to infer, got %s", inputDim);
            checkArgument(hiddenDim > 0, "hiddenDim must be > 0, got %s", hiddenDim);
            checkArgument(bottleneckDim > 0, "bottleneckDim must be > 0, got %s", bottleneckDim);
            checkArgument(layers >= 1, "layers must be >= 1, got %s", layers);
            return new DinoHead(this);
        }
    }
}
