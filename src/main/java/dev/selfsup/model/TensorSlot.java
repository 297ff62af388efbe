package dev.selfsup.model;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/**
 * One named tensor of a block as PyTorch would name it in a {@code state_dict}: either a DJL {@link
 * Parameter} (weights, BN running statistics) or a BatchNorm batch counter.
 */
abstract class TensorSlot {
    final String name;

    TensorSlot(String name) {
        this.name = name;
    }

    /** The tensor's shape; known without initialisation. */
    abstract Shape shape();

    /** A parameter slot. */
    static final class Param extends TensorSlot {
        final Parameter parameter;

        Param(String name, Parameter parameter) {
            super(name);
            this.parameter = parameter;
        }

        @Override
        Shape shape() {
            if (parameter.getShape() == null && parameter.isInitialized()) {
                return parameter.getArray().getShape();
            }
            if (parameter.getShape() == null) {
                throw new IllegalStateException(
                        "shape of '" + name + "' is unknown until the block is initialised");
            }
            return parameter.getShape();
        }
    }

    /** The int64 scalar {@code num_batches_tracked} of a BatchNorm layer. */
    static final class Counter extends TensorSlot {
        final BatchNormLayer layer;

        Counter(String name, BatchNormLayer layer) {
            super(name);
            this.layer = layer;
        }

        @Override
        Shape shape() {
            return new Shape();
        }

        DataType dataType() {
            return DataType.INT64;
        }
    }
}
