package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * A backbone whose pooled features are the global average of a last feature map, which it also
 * exposes: evaluation can then read the map at a coarser pooling than 1×1 (see {@code
 * eval.Readout}).
 */
public interface SpatialBackbone extends Backbone {

    /**
     * The last feature map before global pooling.
     *
     * @param ps the parameter store
     * @param x images {@code [B, C, H, W]}
     * @param training whether BatchNorm uses batch statistics
     * @return {@code [B, F, h, w]} with F = {@link #featureDim()}
     */
    NDArray featureMap(ParameterStore ps, NDArray x, boolean training);
}
