package dev.selfsup.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A terminal progress bar (epoch, step, loss, images/s, ETA) redrawn in place, or plain log lines
 * every N steps when the output is not a terminal (CI logs, files).
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private final int plainEvery;
    private long lastDraw;

    /**
     * Creates a progress reporter.
     *
     * @param out where to print (usually {@code System.err})
     * @param terminal redraw one line in place when true; print lines otherwise
     * @param plainEvery in plain mode, print every N steps
     */
    public Progress(PrintStream out, boolean terminal, int plainEvery) {
        this.out = out;
        this.terminal = terminal;
        this.plainEvery = Math.max(1, plainEvery);
    }

    /**
     * A reporter for this process: in place on a terminal, plain lines otherwise.
     *
     * @param plainEvery in plain mode, print every N steps
     * @return the reporter
     */
    public static Progress forConsole(int plainEvery) {
        return new Progress(System.err, System.console() != null, plainEvery);
    }

    /**
     * A reporter that prints nothing (a quiet {@code Trainer}).
     *
     * @return the silent reporter
     */
    public static Progress none() {
        return new Progress(
                new PrintStream(java.io.OutputStream.nullOutputStream()), false, Integer.MAX_VALUE);
    }

    /**
     * Reports one finished step.
     *
     * @param epoch 0-based epoch
     * @param epochs total epochs
     * @param step 0-based step within the epoch
     * @param steps steps per epoch
     * @param loss the step's loss
     * @param imagesPerSecond source images per second (smoothed)
     * @param etaSeconds estimated seconds to the end of training
     */
    public void step(
            int epoch,
            int epochs,
            int step,
            int steps,
            double loss,
            double imagesPerSecond,
            double etaSeconds) {
        String text =
                String.format(
                        Locale.ROOT,
                        "epoch %d/%d %s %d/%d loss %.4f %.1f img/s ETA %s",
                        epoch + 1,
                        epochs,
                        bar(step + 1, steps),
                        step + 1,
                        steps,
                        loss,
                        imagesPerSecond,
                        duration(etaSeconds));
        if (terminal) {
            long now = System.nanoTime();
            if (now - lastDraw > 100_000_000L || step + 1 == steps) {
                out.print("\r" + text + "\u001b[K");
                out.flush();
                lastDraw = now;
            }
            if (step + 1 == steps) {
                out.println();
            }
        } else if ((step + 1) % plainEvery == 0 || step + 1 == steps) {
            out.println(text);
        }
    }

    /**
     * Prints a message on its own line (epoch summaries, checkpoints).
     *
     * @param message the message
     */
    public void message(String message) {
        out.println(message);
    }

    static String bar(int done, int total) {
        int width = 20;
        int filled = total <= 0 ? 0 : (int) Math.round(width * (double) done / total);
        return "["
                + "#".repeat(Math.min(width, filled))
                + " ".repeat(Math.max(0, width - filled))
                + "]";
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }
}
