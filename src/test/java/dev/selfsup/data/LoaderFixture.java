package dev.selfsup.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.GaussianBlur;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomGrayscale;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.augment.Solarize;
import java.util.ArrayList;
import java.util.List;

/** What the {@link Loader} tests share: a small synthetic dataset, crops, loaders and batches. */
final class LoaderFixture {
    static final SyntheticShapes SHAPES = new SyntheticShapes(40, 5, 24, 20, 9L);

    private LoaderFixture() {}

    /** Two random-resized crops with SimCLR's photometric ops. */
    static MultiCrop twoCrops(int size) {
        Photometric p =
                new Photometric(
                        ColorJitter.simclr(1.0),
                        new RandomGrayscale(0.2),
                        GaussianBlur.forCrop(0.5, size),
                        Solarize.none(),
                        Normalize.IMAGENET);
        return MultiCrop.of(new CropGroup(2, new RandomResizedCrop(size, 0.08, 1.0), 0.5, p));
    }

    static Loader loader(ImageDataset ds, MultiCrop t, int batch, int threads) {
        return Loader.builder()
                .setDataset(ds)
                .setTransform(t)
                .setBatchSize(batch)
                .optThreads(threads)
                .optSeed(123)
                .build();
    }

    static List<HostBatch> all(Loader l, int epoch, int start) {
        List<HostBatch> out = new ArrayList<>();
        try (Loader.Epoch e = l.epoch(epoch, start)) {
            e.forEach(out::add);
        }
        return out;
    }

    static void assertSame(HostBatch a, HostBatch b) {
        assertArrayEquals(a.indices(), b.indices());
        assertEquals(a.groupCount(), b.groupCount());
        for (int g = 0; g < a.groupCount(); g++) {
            assertArrayEquals(a.pixels(g), b.pixels(g));
            assertArrayEquals(a.draws(g), b.draws(g));
        }
    }
}
