package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.SpatialBackbone;

/**
 * Which features a frozen backbone gives to a probe or kNN: the last feature map average-pooled to
 * a {@code grid × grid} grid and flattened, {@code [B, F·grid²]} in PyTorch's {@code
 * adaptive_avg_pool2d(x, grid).flatten(1)} order. Grid 1 is the usual global average pool (the
 * backbone itself). A coarse grid keeps where a feature fired, which small images such as
 * Fashion-MNIST depend on (a 2×2 grid of a 4×4 map quadruples the width).
 */
public final class Readout extends AbstractBlock {
    private static final byte VERSION = 1;

    private final SpatialBackbone backbone;
    private final int grid;

    private Readout(SpatialBackbone backbone, int grid) {
        super(VERSION);
        this.backbone = addChildBlock("backbone", backbone);
        this.grid = grid;
    }

    /**
     * The extractor for a readout.
     *
     * @param backbone an initialised backbone
     * @param grid pooling grid side, {@code >= 1}; 1 returns the backbone itself
     * @return a block [B, C, H, W] → [B, F·grid²]
     * @throws IllegalArgumentException if grid > 1 and the backbone has no feature map (ViT)
     */
    public static Block of(Backbone backbone, int grid) {
        checkArgument(
                grid >= 1, "readout grid must be >= 1 (1 = global average pool), got %s", grid);
        if (grid == 1) {
            return backbone;
        }
        checkArgument(
                backbone instanceof SpatialBackbone,
                "readout grid %s needs a backbone with a feature map (a ResNet); %s gives only pooled features:"
                        + " use grid 1",
                grid,
                backbone.getClass().getSimpleName());
        return new Readout((SpatialBackbone) backbone, grid);
    }

    /**
     * The pooling grid side.
     *
     * @return grid
     */
    public int grid() {
        return grid;
    }

    /**
     * Adaptive average pooling as PyTorch defines it: output cell i covers input rows {@code
     * [floor(i·h/g), ceil((i+1)·h/g))}.
     *
     * @param map {@code [B, F, h, w]}
     * @param grid output side g
     * @return {@code [B, F·g·g]}
     */
    public static NDArray pool(NDArray map, int grid) {
        Shape s = map.getShape();
        checkArgument(s.dimension() == 4, "feature map must be [B, F, h, w], got %s", s);
        long h = s.get(2);
        long w = s.get(3);
        checkArgument(
                h >= grid && w >= grid,
                "feature map %s is smaller than the %sx%s readout grid",
                s,
                grid,
                grid);
        NDList cells = new NDList(grid * grid);
        for (int i = 0; i < grid; i++) {
            long r0 = Math.floorDiv(i * h, grid);
            long r1 = -Math.floorDiv(-(i + 1) * h, grid);
            for (int j = 0; j < grid; j++) {
                long c0 = Math.floorDiv(j * w, grid);
                long c1 = -Math.floorDiv(-(j + 1) * w, grid);
                cells.add(
                        map.get(new NDIndex(":, :, {}:{}, {}:{}", r0, r1, c0, c1))
                                .reshape(s.get(0), s.get(1), -1)
                                .mean(new int[] {2}));
            }
        }
        return NDArrays.stack(cells, 2).reshape(s.get(0), -1);
    }

    @Override
    public boolean isInitialized() {
        return backbone.isInitialized();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(pool(backbone.featureMap(ps, inputs.singletonOrThrow(), training), grid));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {
            new Shape(inputShapes[0].get(0), (long) backbone.featureDim() * grid * grid)
        };
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
    }

    @Override
    public String toString() {
        return "Readout(grid " + grid + ", " + backbone.getClass().getSimpleName() + ")";
    }
}
