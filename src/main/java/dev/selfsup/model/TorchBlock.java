package dev.selfsup.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of our blocks: every parameter and child is registered under its PyTorch attribute name so
 * that {@link Weights} can produce torchvision / timm {@code state_dict} names. Parameter shapes
 * are fixed at construction (or in {@link #prepare}), so children are initialised without shape
 * inference.
 */
abstract class TorchBlock extends AbstractBlock {
    private final Map<String, Parameter> torchParameters = new LinkedHashMap<>();
    private final Map<String, Block> torchChildren = new LinkedHashMap<>();

    /** Registers a parameter under its PyTorch name. */
    final Parameter param(String torchName, Parameter parameter) {
        torchParameters.put(torchName, parameter);
        return addParameter(parameter);
    }

    /** Registers a child under its PyTorch attribute name (e.g. {@code "conv1"} or {@code "0"}). */
    final <B extends Block> B child(String torchName, B block) {
        torchChildren.put(torchName, block);
        // DJL prefixes a two-digit index; a leading letter keeps names like "0" readable
        return addChildBlock("m" + torchName.replace('.', '_'), block);
    }

    /** Appends this block's tensors, in state_dict order, with {@code prefix} prepended. */
    void collect(String prefix, List<TensorSlot> out) {
        for (Map.Entry<String, Parameter> e : torchParameters.entrySet()) {
            out.add(new TensorSlot.Param(prefix + e.getKey(), e.getValue()));
        }
        for (Map.Entry<String, Block> e : torchChildren.entrySet()) {
            StateDict.collect(e.getValue(), prefix + e.getKey() + ".", out);
        }
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        // shapes are known at construction: children ignore the input shapes they are given
        for (Block child : torchChildren.values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }
}
