package dev.selfsup.train;

import com.google.gson.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** PNG line plots of a run's metrics (loss, learning rate, images/s), drawn with Java2D. */
public final class Plots {
    private static final int W = 720;
    private static final int H = 400;

    private Plots() {}

    /**
     * Writes {@code loss.png}, {@code lr.png} and {@code images_per_second.png} from the step
     * records of a metrics file.
     *
     * @param metrics the {@code metrics.jsonl} file
     * @param dir where the PNGs go
     * @return the files written
     * @throws IOException if reading or writing fails
     */
    public static List<Path> write(Path metrics, Path dir) throws IOException {
        List<JsonObject> rows = MetricsLog.read(metrics);
        List<Path> out = new ArrayList<>();
        out.add(plot(rows, "loss", "training loss", dir.resolve("loss.png")));
        out.add(plot(rows, "lr", "learning rate", dir.resolve("lr.png")));
        out.add(plot(rows, "images_per_second", "images / s", dir.resolve("images_per_second.png")));
        return out;
    }

    private static Path plot(List<JsonObject> rows, String key, String title, Path file) throws IOException {
        List<double[]> points = new ArrayList<>();
        for (JsonObject r : rows) {
            if (r.has("step") && r.has(key) && "step".equals(r.get("kind").getAsString())) {
                double y = r.get(key).getAsDouble();
                if (Double.isFinite(y)) {
                    points.add(new double[] {r.get("step").getAsDouble(), y});
                }
            }
        }
        BufferedImage img = render(points, title);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    static BufferedImage render(List<double[]> points, String title) {
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
        if (points.isEmpty()) {
            g.drawString("no data yet", left + 10, top + 20);
            g.dispose();
            return img;
        }
        double x0 = points.get(0)[0];
        double x1 = points.get(points.size() - 1)[0];
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (double[] p : points) {
            y0 = Math.min(y0, p[1]);
            y1 = Math.max(y1, p[1]);
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
            g.drawString(String.format(Locale.ROOT, "%.0f", x0 + (x1 - x0) * i / 4), x - 10, bottom + 18);
            g.setColor(new Color(225, 225, 225));
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("step", (left + right) / 2 - 10, H - 12);
        g.setColor(new Color(31, 119, 180));
        g.setStroke(new BasicStroke(1.6f));
        int px = -1;
        int py = -1;
        for (double[] p : points) {
            int x = left + (int) Math.round((p[0] - x0) / (x1 - x0) * (right - left));
            int y = bottom - (int) Math.round((p[1] - y0) / (y1 - y0) * (bottom - top));
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            } else if (points.size() == 1) {
                g.fillOval(x - 2, y - 2, 5, 5);
            }
            px = x;
            py = y;
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
