package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

/**
 * The bicubic position-embedding resampling of {@link VisionTransformer} (DINO's {@code
 * interpolate_pos_encoding}) and of checkpoint loading (timm's {@code resample_abs_pos_embed}), as
 * fixed linear maps computed in float like PyTorch's kernel.
 */
final class PosEmbedInterpolation {
    private PosEmbedInterpolation() {}

    /**
     * The [1 + gh·gw, 1 + g²] matrix that keeps the cls position (row and column 0) and maps the
     * g×g grid by PyTorch's {@code F.interpolate(mode="bicubic", align_corners=False,
     * scale_factor=((gh + 0.1) / g, (gw + 0.1) / g))}, as the Kronecker product of the two 1-D maps
     * (the kernel is separable).
     */
    static float[] resizeMatrix(int g, int gh, int gw) {
        return gridMatrix(
                g, bicubicWeights(g, gh, (gh + 0.1) / g), bicubicWeights(g, gw, (gw + 0.1) / g));
    }

    /**
     * The [1 + gh·gw, 1 + g²] matrix that keeps the cls position and maps a g×g grid by the 1-D
     * maps {@code rows} [gh, g] and {@code cols} [gw, g] (their Kronecker product).
     */
    private static float[] gridMatrix(int g, float[][] rows, float[][] cols) {
        int gh = rows.length;
        int gw = cols.length;
        int width = 1 + g * g;
        float[] k = new float[(1 + gh * gw) * width];
        k[0] = 1f;
        for (int i = 0; i < gh; i++) {
            for (int j = 0; j < gw; j++) {
                int r = (1 + i * gw + j) * width + 1;
                for (int a = 0; a < g; a++) {
                    for (int b = 0; b < g; b++) {
                        k[r + a * g + b] = rows[i][a] * cols[j][b];
                    }
                }
            }
        }
        return k;
    }

    /**
     * The 1-D bicubic map [out, in] of PyTorch's {@code upsample_bicubic2d} with {@code
     * align_corners=False} and an explicit scale factor: the source of output o is {@code (o + 0.5)
     * / scale - 0.5}, taps at ⌊src⌋-1 … ⌊src⌋+2 clamped to the border, A = -0.75. Computed in float
     * like PyTorch's float kernel.
     */
    static float[][] bicubicWeights(int in, int out, double scale) {
        int size = (int) Math.floor(in * scale); // PyTorch: floor(input_size * scale_factor)
        checkState(
                size == out,
                "bicubic resize of %d by %s gives %d, not %d (DINO asserts the same)",
                in,
                scale,
                size,
                out);
        return bicubicMap(in, out, (float) (1.0 / scale));
    }

    /**
     * The 1-D bicubic map of {@code F.interpolate(mode="bicubic", align_corners=False)} from {@code
     * in} to {@code out} samples, source position {@code ratio·(o + 0.5) − 0.5}, edges clamped.
     */
    static float[][] bicubicMap(int in, int out, float ratio) {
        float[][] w = new float[out][in];
        for (int o = 0; o < out; o++) {
            float src = ratio * (o + 0.5f) - 0.5f;
            int floor = (int) Math.floor(src);
            float t = src - floor;
            float[] c = cubicCoefficients(t);
            for (int tap = 0; tap < 4; tap++) {
                int idx = Math.min(Math.max(floor - 1 + tap, 0), in - 1);
                w[o][idx] += c[tap];
            }
        }
        return w;
    }

    /**
     * timm's {@code resample_abs_pos_embed} for a checkpoint trained at another resolution: the
     * class token's row is kept, the {@code from × from} grid is resized to {@code to × to} by
     * {@code F.interpolate(size=(to, to), mode="bicubic", align_corners=False)}.
     *
     * @param pos [1 + from², dim] row-major
     * @param from source grid side
     * @param to target grid side
     * @param dim embedding width
     * @return [1 + to², dim] row-major
     */
    static float[] resamplePosEmbed(float[] pos, int from, int to, int dim) {
        checkArgument(
                pos.length == (1 + from * from) * dim,
                "pos_embed of %s values is not [1 + %s², %s]",
                pos.length,
                from,
                dim);
        float[][] map = bicubicMap(from, to, (float) from / to);
        float[] k = gridMatrix(from, map, map);
        int width = 1 + from * from;
        float[] out = new float[(1 + to * to) * dim];
        for (int r = 0; r < 1 + to * to; r++) {
            for (int c = 0; c < width; c++) {
                float w = k[r * width + c];
                if (w != 0f) {
                    for (int d = 0; d < dim; d++) {
                        out[r * dim + d] += w * pos[c * dim + d];
                    }
                }
            }
        }
        return out;
    }

    /** PyTorch's {@code get_cubic_upsample_coefficients} with A = -0.75. */
    static float[] cubicCoefficients(float t) {
        float a = -0.75f;
        float x1 = t;
        float x2 = 1f - t;
        return new float[] {cubic2(x1 + 1f, a), cubic1(x1, a), cubic1(x2, a), cubic2(x2 + 1f, a)};
    }

    private static float cubic1(float x, float a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static float cubic2(float x, float a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }
}
