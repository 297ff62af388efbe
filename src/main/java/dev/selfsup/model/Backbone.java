package dev.selfsup.model;

import ai.djl.nn.Block;

/**
 * A feature extractor: a DJL {@link Block} that maps images {@code [B, C, H, W]} to pooled features
 * {@code [B, F]} with no classifier on top.
 */
public interface Backbone extends Block {

    /**
     * The feature width F of the output {@code [B, F]}.
     *
     * @return F, {@code > 0}
     */
    int featureDim();
}
