package dev.selfsup.train;

import com.google.gson.JsonObject;
import dev.selfsup.internal.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * PNG line plots of a run's metrics (loss, learning rate, images/s; observers add their own through
 * {@link #lines}), drawn with Java2D.
 */
public final class Plots {
    private static final int W = 720;
    private static final int H = 400;

    /** matplotlib's tab10, so the first series is the familiar blue. */
    private static final Color[] PALETTE = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
                new Color(214, 39, 40),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
                new Color(127, 127, 127)
    };

    private Plots() {}

    /**
     * One named curve of a plot.
     *
     * @param name the legend entry
     * @param points {x, y} pairs in drawing order; points with a non-finite value are skipped
     */
    public record Series(String name, List<double[]> points) {
        /**
         * Copies the points.
         *
         * @param name the legend entry
         * @param points {x, y} pairs in drawing order; points with a non-finite value are skipped
         */
        public Series {
            points =
                    points.stream()
                            .filter(p -> Double.isFinite(p[0]) && Double.isFinite(p[1]))
                            .toList();
        }
    }

    /**
     * Writes the charts {@code loss}, {@code lr} and {@code images_per_second} from the step lines
     * of a metrics file.
     *
     * @param rows metrics lines, e.g. from {@link MetricsLog#read}
     * @param chartFile a chart's PNG file from its name (the caller names the files)
     * @return the files written
     * @throws IOException if writing fails
     */
    public static List<Path> write(List<JsonObject> rows, Function<String, Path> chartFile)
            throws IOException {
        List<Path> out = new ArrayList<>();
        out.add(
                lines(
                        chartFile.apply("loss"),
                        "training loss",
                        "step",
                        List.of(new Series("loss", points(rows, "step", "step", "loss", 1)))));
        out.add(
                lines(
                        chartFile.apply("lr"),
                        "learning rate",
                        "step",
                        List.of(new Series("lr", points(rows, "step", "step", "lr", 1)))));
        out.add(
                lines(
                        chartFile.apply("images_per_second"),
                        "images / s",
                        "step",
                        List.of(
                                new Series(
                                        "images / s",
                                        points(rows, "step", "step", "images_per_second", 1)))));
        return out;
    }

    /**
     * The {x, y} points of one metric: lines of the given kind that hold both keys, with finite y.
     *
     * @param rows metrics lines, e.g. from {@link MetricsLog#read}
     * @param kind the lines' {@code kind} ({@code step}, {@code epoch}, {@code knn}, …)
     * @param xKey the x value's key ({@code step}, {@code epoch}, {@code wall_seconds})
     * @param yKey the y value's key
     * @param xScale multiplies x (1 / 60 turns seconds into minutes)
     * @return the points in file order
     */
    public static List<double[]> points(
            List<JsonObject> rows, String kind, String xKey, String yKey, double xScale) {
        List<double[]> points = new ArrayList<>();
        for (JsonObject r : rows) {
            if (r.has(xKey)
                    && r.has(yKey)
                    && r.has("kind")
                    && kind.equals(r.get("kind").getAsString())) {
                double y = r.get(yKey).getAsDouble();
                if (Double.isFinite(y)) {
                    points.add(new double[] {r.get(xKey).getAsDouble() * xScale, y});
                }
            }
        }
        return points;
    }

    /**
     * Writes a line plot of one or more series (with a legend when there are several), through a
     * temporary file and an atomic rename.
     *
     * @param file the PNG to write
     * @param title the title
     * @param xLabel the x axis label
     * @param series the curves, drawn in order with matplotlib's default colours
     * @return {@code file}
     * @throws IOException if writing fails
     */
    public static Path lines(Path file, String title, String xLabel, List<Series> series)
            throws IOException {
        BufferedImage img = render(series, title, xLabel);
        AtomicFiles.write(file, tmp -> ImageIO.write(img, "png", tmp.toFile()));
        return file;
    }

    static BufferedImage render(List<Series> series, String title, String xLabel) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        int left = 80;
        int right = W - 20;
        int top = 40;
        int bottom = H - 50;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(left, top, right - left, bottom - top);
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double[] p : s.points()) {
                x0 = Math.min(x0, p[0]);
                x1 = Math.max(x1, p[0]);
                y0 = Math.min(y0, p[1]);
                y1 = Math.max(y1, p[1]);
            }
        }
        if (x0 > x1) {
            g.drawString("no data yet", left + 10, top + 20);
            g.dispose();
            return img;
        }
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        if (y1 == y0) {
            y1 = y0 + Math.max(1e-12, Math.abs(y0) * 0.1);
        }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
        g.setColor(new Color(225, 225, 225));
        for (int i = 0; i <= 4; i++) {
            int y = bottom - (bottom - top) * i / 4;
            g.drawLine(left + 1, y, right - 1, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(format(y0 + (y1 - y0) * i / 4), 5, y + 4);
            int x = left + (right - left) * i / 4;
            g.drawString(format(x0 + (x1 - x0) * i / 4), x - 10, bottom + 18);
            g.setColor(new Color(225, 225, 225));
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString(xLabel, (left + right) / 2 - 10, H - 12);
        g.setStroke(new BasicStroke(1.6f));
        for (int k = 0; k < series.size(); k++) {
            List<double[]> points = series.get(k).points();
            g.setColor(PALETTE[k % PALETTE.length]);
            int px = -1;
            int py = -1;
            for (double[] p : points) {
                int x = left + (int) Math.round((p[0] - x0) / (x1 - x0) * (right - left));
                int y = bottom - (int) Math.round((p[1] - y0) / (y1 - y0) * (bottom - top));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                if (points.size() <= 40) { // sparse curves (one point per epoch) get markers
                    g.fillOval(x - 2, y - 2, 5, 5);
                }
                px = x;
                py = y;
            }
        }
        if (series.size() > 1) {
            int y = top + 16;
            for (int k = 0; k < series.size(); k++) {
                g.setColor(PALETTE[k % PALETTE.length]);
                g.fillRect(right - 150, y - 8, 14, 4);
                g.setColor(Color.DARK_GRAY);
                g.drawString(series.get(k).name(), right - 130, y - 3);
                y += 15;
            }
        }
        g.dispose();
        return img;
    }

    private static String format(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e5)
                ? String.format(Locale.ROOT, "%.2e", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }
}
