package dev.selfsup.examples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/** Writes tiny ImageFolder trees of PNGs for the example tests. */
final class TestImages {
    private TestImages() {}

    /** The base colour of class c: far apart in RGB so a linear probe can separate them. */
    static int[] classColour(int c) {
        int[][] palette = {
            {220, 40, 40},
            {40, 200, 60},
            {50, 60, 220},
            {230, 220, 50},
            {200, 60, 210},
            {40, 210, 210}
        };
        return palette[c % palette.length];
    }

    /**
     * Writes {@code root/class_<c>/img_<i>.png}: class colour plus uniform noise of ±{@code noise}
     * grey levels per pixel and a random darker square (so crops differ).
     */
    static Path writeFolder(Path root, int classes, int perClass, int size, int noise, long seed)
            throws IOException {
        Random rng = new Random(seed);
        for (int c = 0; c < classes; c++) {
            Path dir = Files.createDirectories(root.resolve("class_" + c));
            int[] base = classColour(c);
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                int sq = size / 3;
                int x0 = rng.nextInt(size - sq);
                int y0 = rng.nextInt(size - sq);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        boolean inSquare = x >= x0 && x < x0 + sq && y >= y0 && y < y0 + sq;
                        int rgb = 0;
                        for (int k = 0; k < 3; k++) {
                            int v =
                                    (inSquare ? base[k] / 2 : base[k])
                                            + (noise == 0 ? 0 : rng.nextInt(2 * noise + 1) - noise);
                            rgb = (rgb << 8) | Math.max(0, Math.min(255, v));
                        }
                        img.setRGB(x, y, rgb);
                    }
                }
                ImageIO.write(img, "png", dir.resolve("img_" + i + ".png").toFile());
            }
        }
        return root;
    }
}
