package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Exponential moving average of an online network's parameters into a key network of the same
 * architecture (MoCo's momentum encoder): θ_k ← m θ_k + (1 − m) θ_q, in place, no gradient.
 *
 * <p>Only trainable parameters are averaged; BatchNorm running statistics stay the key network's
 * own, as in MoCo.
 */
public final class EmaEncoder {
    private final List<NDArray> online = new ArrayList<>();
    private final List<NDArray> key = new ArrayList<>();

    /**
     * Pairs the parameters of two identical blocks, in declaration order.
     *
     * @param onlineBlock the trained network (initialised)
     * @param keyBlock the averaged network (initialised, same architecture)
     */
    public EmaEncoder(Block onlineBlock, Block keyBlock) {
        PairList<String, Parameter> a = onlineBlock.getParameters();
        PairList<String, Parameter> b = keyBlock.getParameters();
        checkArgument(a.size() == b.size(), "online has %s parameters, key %s", a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            Pair<String, Parameter> p = a.get(i);
            Pair<String, Parameter> q = b.get(i);
            checkArgument(p.getValue().getArray().getShape().equals(q.getValue().getArray().getShape()),
                    "parameter %s: online %s vs key %s", p.getKey(), p.getValue().getArray().getShape(),
                    q.getValue().getArray().getShape());
            if (p.getValue().requiresGradient()) {
                online.add(p.getValue().getArray());
                key.add(q.getValue().getArray());
            }
        }
    }

    /**
     * Applies one EMA step in place.
     *
     * @param momentum m in [0, 1]; 0 copies the online weights
     * @param scratch a temporary manager (the step's); nothing stays attached to it
     */
    public void update(double momentum, NDManager scratch) {
        checkArgument(momentum >= 0 && momentum <= 1, "EMA momentum must be in [0, 1], got %s", momentum);
        try (NDManager scope = scratch.newSubManager()) {
            // the float32 0-dim operands muli(float) / mul(float) would wrap, made once per update
            NDArray keep = scope.create((float) momentum);
            NDArray take = scope.create((float) (1 - momentum));
            for (int i = 0; i < key.size(); i++) {
                NDArray k = key.get(i);
                NDArray q = online.get(i);
                scope.tempAttachAll(k, q);
                k.muli(keep).addi(q.stopGradient().mul(take));
            }
        }
    }

}
