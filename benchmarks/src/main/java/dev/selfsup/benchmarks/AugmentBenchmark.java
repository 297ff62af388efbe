package dev.selfsup.benchmarks;

import dev.selfsup.augment.CropDraw;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Resampler;
import dev.selfsup.data.DecodedImage;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The loader threads' per-image Java work for SwAV multi-crop (2×224 + 6×96) on one thread: the
 * eight antialiased crops of a 500×375 RGB image ({@code resample}), and the photometric ops on
 * them ({@code photometric}: jitter, grayscale, blur, normalise, on the loader-thread path). Crop
 * draws are pre-sampled for 64 images with a fixed seed and cycled, so every run does the same
 * work. No JPEG decoding (native; see {@code bench augment-multicrop --stage decode}). Score:
 * milliseconds per source image.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AugmentBenchmark {
    private static final int IMAGES = 64;
    private final DecodedImage[] images = new DecodedImage[8];
    private final CropDraw[][] draws = new CropDraw[IMAGES][];
    private MultiCrop swav;
    private byte[] pixels;
    private float[] floats;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < images.length; i++) {
            byte[] p = new byte[500 * 375 * 3];
            for (int y = 0; y < 375; y++) {
                for (int x = 0; x < 500; x++) {
                    for (int c = 0; c < 3; c++) {
                        // Gradients plus noise: photo-like ranges, no constant regions.
                        p[(y * 500 + x) * 3 + c] =
                                (byte) (x * (c + 1) / 3 + y * (3 - c) / 2 + rng.nextInt(40));
                    }
                }
            }
            images[i] = new DecodedImage(500, 375, 3, p);
        }
        swav = MultiCrop.swav();
        for (int i = 0; i < IMAGES; i++) {
            draws[i] = swav.sample(500, 375, rng);
        }
        int values = 3 * (2 * 224 * 224 + 6 * 96 * 96);
        pixels = new byte[values];
        floats = new float[values];
        // The photometric benchmark starts from real crops.
        resample();
    }

    @Benchmark
    public byte[] resample() {
        int i = next++ % IMAGES;
        DecodedImage image = images[i % images.length];
        int k = 0;
        int offset = 0;
        for (CropGroup g : swav.groups()) {
            for (int c = 0; c < g.count(); c++, k++) {
                int s = g.size();
                Resampler.crop(image, draws[i][k].box(), s, draws[i][k].flip(), pixels, offset);
                offset += 3 * s * s;
            }
        }
        return pixels;
    }

    @Benchmark
    public float[] photometric() {
        int i = next++ % IMAGES;
        int k = 0;
        int offset = 0;
        for (CropGroup g : swav.groups()) {
            for (int c = 0; c < g.count(); c++, k++) {
                int s = g.size();
                g.photometric()
                        .applyOnHost(draws[i][k].photometric(), pixels, offset, s, floats, offset);
                offset += 3 * s * s;
            }
        }
        return floats;
    }
}
