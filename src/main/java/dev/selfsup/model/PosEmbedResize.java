package dev.selfsup.model;

import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Resizing a ViT position embedding on load, when the checkpoint was trained at another resolution
 * ({@code [1, 1 + from², D]} in the file, {@code [1, 1 + to², D]} in the model). Like timm's {@code
 * checkpoint_filter_fn}, this happens where foreign weights come in, not in the model; the
 * interpolation itself is {@link PosEmbedInterpolation#resamplePosEmbed}.
 *
 * @param from the file's patch-grid side
 * @param to the model's patch-grid side
 */
record PosEmbedResize(int from, int to) {
    /**
     * The resize that makes a file's tensor fit the model's, if it is a position embedding of
     * another square grid with the same width.
     *
     * @param name the tensor's name; {@code pos_embed} or ending in {@code .pos_embed}
     * @param file the shape in the file
     * @param model the shape in the model
     * @return the resize, or empty when the shapes differ in any other way
     */
    static Optional<PosEmbedResize> between(String name, Shape file, Shape model) {
        if (!(name.equals("pos_embed") || name.endsWith(".pos_embed"))
                || file.dimension() != 3
                || model.dimension() != 3
                || file.get(0) != 1
                || model.get(0) != 1
                || file.get(2) != model.get(2)) {
            return Optional.empty();
        }
        int from = gridSide(file.get(1) - 1);
        int to = gridSide(model.get(1) - 1);
        return from > 0 && to > 0 ? Optional.of(new PosEmbedResize(from, to)) : Optional.empty();
    }

    /**
     * Resizes file data (bicubic, as timm).
     *
     * @param data the file's {@code [1, 1 + from², dim]} values, little-endian, of {@code dtype}
     * @param dtype a floating-point dtype
     * @param dim the embedding width D
     * @return {@code [1, 1 + to², dim]} as little-endian F32 data
     */
    ByteBuffer apply(ByteBuffer data, SafetensorsDtype dtype, int dim) {
        // the interpolation works on Java floats: decode, resample, encode as the F32 entry
        float[] pos = new float[data.remaining() / dtype.bytes];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = (float) dtype.real(data, i);
        }
        float[] out = PosEmbedInterpolation.resamplePosEmbed(pos, from, to, dim);
        ByteBuffer buf =
                ByteBuffer.allocateDirect(out.length * SafetensorsDtype.F32.bytes)
                        .order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(out);
        return buf;
    }

    private static int gridSide(long patches) {
        int g = (int) Math.round(Math.sqrt(patches));
        return patches > 0 && (long) g * g == patches ? g : -1;
    }
}
