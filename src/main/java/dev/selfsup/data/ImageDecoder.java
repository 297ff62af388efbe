package dev.selfsup.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG / PNG / BMP files into {@link DecodedImage}s with the JDK's ImageIO.
 *
 * <p>Chosen by measurement (benchmarks/README.md, "Data and augmentation"): the JDK's JPEG reader
 * wraps native libjpeg and was the fastest decoder reachable here. The fast path copies bytes
 * straight out of the raster's {@link DataBufferByte} (no {@link BufferedImage#getRGB}); other
 * layouts (palette, 16-bit) fall back to {@code getRGB}. Alpha is dropped, like PIL's {@code
 * convert("RGB")} in torchvision's loader. A reader warning (the JDK reports a truncated JPEG as a
 * warning and fills the rest grey) is turned into an {@link IOException}, so truncated files are
 * skipped like corrupt ones rather than trained on.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /**
     * Reads and decodes one image file.
     *
     * @param file a JPEG, PNG or BMP file
     * @return the pixels: 1 channel for grayscale files, 3 (RGB) otherwise
     * @throws IOException if the file is missing, unreadable, truncated or not a supported image;
     *     the message names the file
     */
    public static DecodedImage decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(file + ": not a supported image (JPEG, PNG, BMP)");
            }
            ImageReader reader = readers.next();
            StringBuilder warnings = new StringBuilder();
            reader.addIIOReadWarningListener(
                    (source, warning) -> warnings.append(warning).append("; "));
            try {
                reader.setInput(in, true, true);
                BufferedImage image = reader.read(0, rgbDestination(reader));
                if (warnings.length() > 0) {
                    throw new IOException(file + ": damaged image (" + warnings + ")");
                }
                return fromBufferedImage(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e;
            }
            throw new IOException(file + ": cannot decode: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Some ImageIO plug-ins throw unchecked exceptions on corrupt input.
            throw new IOException(file + ": cannot decode: " + e, e);
        }
    }

    /**
     * For a 3-channel JPEG, read parameters that decode straight into an RGB-ordered interleaved
     * raster, whose array is then the {@link DecodedImage}'s pixels with no copy (the default
     * destination is BGR and cost a per-pixel reordering pass, ~0.5 ms per 500×375 image); null
     * (the reader's default) for anything else.
     */
    private static ImageReadParam rgbDestination(ImageReader reader) throws IOException {
        if (!"jpeg".equalsIgnoreCase(reader.getFormatName())) {
            return null;
        }
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw == null
                || raw.getNumBands() != 3
                || raw.getColorModel().getColorSpace().getType() != ColorSpace.TYPE_RGB) {
            return null;
        }
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        ImageTypeSpecifier rgb =
                ImageTypeSpecifier.createInterleaved(
                        ColorSpace.getInstance(ColorSpace.CS_sRGB),
                        new int[] {0, 1, 2},
                        DataBuffer.TYPE_BYTE,
                        false,
                        false);
        ImageReadParam param = reader.getDefaultReadParam();
        param.setDestination(rgb.createBufferedImage(w, h));
        return param;
    }

    /**
     * Converts a {@link BufferedImage} to HWC bytes, reading the raster directly when it is 8-bit
     * pixel-interleaved.
     *
     * @param image any image
     * @return 1 channel for a grayscale colour space, 3 (RGB) otherwise
     */
    public static DecodedImage fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        if (raster.getDataBuffer() instanceof DataBufferByte buffer
                && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm
                && image.getColorModel() instanceof ComponentColorModel cm
                && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0
                && buffer.getNumBanks() == 1) {
            int bands = sm.getNumBands();
            int type = cm.getColorSpace().getType();
            int channels;
            if (type == ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2)) {
                channels = 1;
            } else if (type == ColorSpace.TYPE_RGB && (bands == 3 || bands == 4)) {
                channels = 3;
            } else {
                return viaGetRgb(image);
            }
            byte[] src = buffer.getData();
            int base = buffer.getOffset();
            int[] offsets = sm.getBandOffsets();
            int stride = sm.getPixelStride();
            int scan = sm.getScanlineStride();
            byte[] out;
            if (base == 0
                    && scan == w * channels
                    && stride == channels
                    && src.length == w * h * channels
                    && (channels == 1
                            ? offsets[0] == 0
                            : offsets[0] == 0 && offsets[1] == 1 && offsets[2] == 2)) {
                return new DecodedImage(
                        w, h, channels, src); // already HWC: take the array as it is
            }
            out = new byte[w * h * channels];
            if (channels == 1) {
                int o = 0;
                for (int y = 0; y < h; y++) {
                    int p = base + y * scan + offsets[0];
                    for (int x = 0; x < w; x++, p += stride) {
                        out[o++] = src[p];
                    }
                }
            } else {
                int r = offsets[0];
                int g = offsets[1];
                int b = offsets[2];
                int o = 0;
                for (int y = 0; y < h; y++) {
                    int p = base + y * scan;
                    for (int x = 0; x < w; x++, p += stride) {
                        out[o] = src[p + r];
                        out[o + 1] = src[p + g];
                        out[o + 2] = src[p + b];
                        o += 3;
                    }
                }
            }
            return new DecodedImage(w, h, channels, out);
        }
        return viaGetRgb(image);
    }

    private static DecodedImage viaGetRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] out = new byte[w * h * 3];
        for (int i = 0, o = 0; i < argb.length; i++, o += 3) {
            int v = argb[i];
            out[o] = (byte) (v >> 16);
            out[o + 1] = (byte) (v >> 8);
            out[o + 2] = (byte) v;
        }
        return new DecodedImage(w, h, 3, out);
    }
}
