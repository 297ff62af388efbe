package dev.selfsup.internal;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.Buffer;

/**
 * Overwrites a long-lived array's values in place (loading weights, restoring a checkpoint, copying
 * an encoder).
 *
 * <p>Not {@code NDArray.set(Buffer)}: in PyTorch JNI 2.5.1-0.33.0 that call ({@code torchSet})
 * opens a deprecated {@code at::AutoNonVariableTypeMode} guard, and libtorch prints its
 * "AutoNonVariableTypeMode is deprecated" warning to the process's stderr the first time. This
 * assigns {@code target[...] = source} with autograd off instead (allowed on a leaf that requires
 * gradients, and the same for every rank, scalars included), with the temporary source in a scope
 * of the target's manager, so nothing is left behind.
 */
public final class InPlace {
    private InPlace() {}

    /**
     * Copies raw values into an array of the same size and data type.
     *
     * @param target the array to overwrite; its shape, type and device stay
     * @param data {@code target.size()} values of {@code target}'s data type, native byte order
     */
    public static void copy(NDArray target, Buffer data) {
        try (NDManager scope = target.getManager().newSubManager()) {
            copy(target, scope.create(data, target.getShape(), target.getDataType()));
        }
    }

    /**
     * Copies another array's values (cast to the target's type, moved to its device).
     *
     * @param target the array to overwrite
     * @param source an array of the same shape
     */
    public static void copy(NDArray target, NDArray source) {
        checkArgument(
                source.getShape().equals(target.getShape()),
                "cannot copy an array of shape %s into one of shape %s",
                source.getShape(),
                target.getShape());
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager scope = target.getManager().newSubManager()) {
            NDArray src = source;
            if (!src.getDevice().equals(target.getDevice())) {
                src = src.toDevice(target.getDevice(), true);
                scope.attachAll(src); // later results of src land in the scope too
            }
            if (src.getDataType() != target.getDataType()) {
                NDArray cast = src.toType(target.getDataType(), true);
                scope.attachAll(cast);
                src = cast;
            }
            scope.tempAttachAll(target);
            target.set(new NDIndex("..."), src);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }
}
