package dev.selfsup.engine;

import ai.djl.ndarray.types.DataType;

/**
 * The data types training computes with: parameters, activations (what blocks compute in and emit)
 * and the loss. Code that creates parameters or activation buffers asks {@link #DEFAULT} instead of
 * naming {@code FLOAT32}, so a mixed-precision mode is one more constant here, and the places that
 * must change for it are the callers of these accessors.
 *
 * <p>Only {@link #FP32} exists: this PyTorch JNI has no autocast and aborts on BF16 (DESIGN.md). A
 * mode whose types differ also needs casts at the model input and before the loss, and {@code
 * NDArray.toType} is not differentiable here, so the loss-side cast must be an op autograd sees.
 * Storage formats fixed by a file or a host buffer (safetensors entries, IDX bytes, float host
 * arrays, cached features) are not precisions and keep their own types.
 */
public enum Precision {
    /** Everything in float32. */
    FP32(DataType.FLOAT32, DataType.FLOAT32, DataType.FLOAT32);

    /** The precision every run uses; a recipe cannot choose another yet. */
    public static final Precision DEFAULT = FP32;

    private final DataType parameterType;
    private final DataType activationType;
    private final DataType lossType;

    Precision(DataType parameterType, DataType activationType, DataType lossType) {
        this.parameterType = SelfsupEngine.requireSupported(parameterType);
        this.activationType = SelfsupEngine.requireSupported(activationType);
        this.lossType = SelfsupEngine.requireSupported(lossType);
    }

    /**
     * The type of trainable parameters and BatchNorm statistics: pass it to {@code
     * block.initialize}.
     *
     * @return the parameter type
     */
    public DataType parameterType() {
        return parameterType;
    }

    /**
     * The type blocks compute in and emit, and of buffers that hold their outputs (feature queues).
     *
     * @return the activation type
     */
    public DataType activationType() {
        return activationType;
    }

    /**
     * The type a loss is computed and returned in.
     *
     * @return the loss type
     */
    public DataType lossType() {
        return lossType;
    }
}
