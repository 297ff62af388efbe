package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.Objects;

/**
 * A decoded image: {@code height × width × channels} unsigned bytes, row-major, interleaved (HWC),
 * channels in RGB order (1 channel = grayscale, 3 = RGB).
 *
 * <p>The pixel array is shared, not copied: callers must not modify it after construction.
 *
 * @param width W in pixels, {@code > 0}
 * @param height H in pixels, {@code > 0}
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param pixels {@code H·W·channels} bytes, HWC, read as unsigned
 */
public record DecodedImage(int width, int height, int channels, byte[] pixels) {
    /**
     * Checks the dimensions against the pixel count.
     *
     * @param width W in pixels, {@code > 0}
     * @param height H in pixels, {@code > 0}
     * @param channels 1 (grayscale) or 3 (RGB)
     * @param pixels {@code H·W·channels} bytes, HWC, read as unsigned
     */
    public DecodedImage {
        Objects.requireNonNull(pixels, "pixels");
        checkArgument(
                width > 0 && height > 0, "image size must be positive, got %sx%s", width, height);
        checkArgument(channels == 1 || channels == 3, "channels must be 1 or 3, got %s", channels);
        checkArgument(
                pixels.length == width * height * channels,
                "pixels must hold %s×%s×%s = %s bytes, got %s",
                height,
                width,
                channels,
                width * height * channels,
                pixels.length);
    }

    /**
     * One sample value as an unsigned integer.
     *
     * @param x column in [0, W)
     * @param y row in [0, H)
     * @param c channel in [0, channels)
     * @return the value, 0..255
     */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * channels + c] & 0xff;
    }
}
