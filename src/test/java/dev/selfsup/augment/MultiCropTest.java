package dev.selfsup.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class MultiCropTest {
    private static final MultiCrop.Crops FMNIST_GLOBAL = new MultiCrop.Crops(2, 28, 0.3, 1.0);
    private static final MultiCrop.Crops FMNIST_LOCAL = new MultiCrop.Crops(4, 16, 0.1, 0.3);

    @Test
    void swavTakesTheGivenCountsSizesAndScales() {
        MultiCrop t = MultiCrop.swav(FMNIST_GLOBAL, FMNIST_LOCAL);
        assertEquals(2, t.groups().size());
        assertEquals(6, t.cropCount());
        CropGroup global = t.groups().get(0);
        CropGroup local = t.groups().get(1);
        assertEquals(2, global.count());
        assertEquals(4, local.count());
        assertEquals(new RandomResizedCrop(28, 0.3, 1.0), global.geometry());
        assertEquals(new RandomResizedCrop(16, 0.1, 0.3), local.geometry());
        // the rest is SwAV's: flip 0.5, its normalisation, blur kernel sized to each crop
        assertEquals(0.5, global.flipProbability());
        assertEquals(Normalize.SWAV, local.photometric().normalize());
        assertEquals(GaussianBlur.forCrop(0.5, 16), local.photometric().blur());
        assertEquals(GaussianBlur.forCrop(0.5, 28), global.photometric().blur());
    }

    @Test
    void drawnCropsCoverTheRequestedAreaFractionsInCropOrder() {
        MultiCrop t = MultiCrop.swav(FMNIST_GLOBAL, FMNIST_LOCAL);
        SplittableRandom rng = new SplittableRandom(3);
        int side = 1000; // large, so rounding the box to whole pixels moves the fraction < 0.2 %
        double tolerance = 0.002;
        for (int image = 0; image < 500; image++) {
            CropDraw[] draws = t.sample(side, side, rng);
            assertEquals(6, draws.length);
            for (int c = 0; c < draws.length; c++) {
                MultiCrop.Crops expected = c < 2 ? FMNIST_GLOBAL : FMNIST_LOCAL;
                CropBox box = draws[c].box();
                double fraction = box.width() * box.height() / ((double) side * side);
                assertTrue(
                        fraction >= expected.scaleMin() - tolerance
                                && fraction <= expected.scaleMax() + tolerance,
                        "crop " + c + " covers " + fraction + " of the image, outside " + expected);
            }
        }
    }

    @Test
    void theSizeOnlyVariantKeepsSwavsImageNetScales() {
        MultiCrop t = MultiCrop.swav(64, 2, 32, 4);
        assertEquals(new RandomResizedCrop(64, 0.14, 1.0), t.groups().get(0).geometry());
        assertEquals(new RandomResizedCrop(32, 0.05, 0.14), t.groups().get(1).geometry());
        assertEquals(
                1,
                MultiCrop.swav(64, 2, 32, 0).groups().size(),
                "0 local crops: global group only");
        assertEquals(1, MultiCrop.swav(FMNIST_GLOBAL).groups().size());
    }

    @Test
    void badCountsSizesAndScalesAreRefusedNamingTheValue() {
        refused(() -> new MultiCrop.Crops(0, 28, 0.3, 1.0), "crop count must be >= 1, got 0");
        refused(() -> new MultiCrop.Crops(2, 0, 0.3, 1.0), "crop size must be >= 1 pixel, got 0");
        refused(() -> new MultiCrop.Crops(2, 28, 0.0, 1.0), "got (0.0, 1.0)");
        refused(() -> new MultiCrop.Crops(4, 16, 0.3, 0.1), "0 < scaleMin <= scaleMax <= 1");
        refused(() -> new MultiCrop.Crops(4, 16, 0.3, 0.1), "got (0.3, 0.1)");
        refused(() -> new MultiCrop.Crops(2, 28, 0.3, 1.5), "got (0.3, 1.5)");
        refused(() -> new MultiCrop.Crops(2, 28, Double.NaN, 1.0), "got (NaN, 1.0)");
        refused(
                () -> MultiCrop.swav(28, 2, 16, -1),
                "localCount must be >= 0 (0 = no local crops), got -1");
        refused(() -> MultiCrop.swav(28, 0, 16, 4), "crop count must be >= 1, got 0");
        assertThrows(NullPointerException.class, () -> MultiCrop.swav(FMNIST_GLOBAL, null));
    }

    private static void refused(Executable call, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(messagePart),
                "message '" + e.getMessage() + "' lacks '" + messagePart + "'");
    }
}
