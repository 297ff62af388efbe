package dev.selfsup.run;

import com.google.gson.JsonObject;
import dev.selfsup.eval.Knn;
import dev.selfsup.eval.KnnMonitor;
import dev.selfsup.train.EpochObserver;
import dev.selfsup.train.Observation;
import dev.selfsup.train.Plots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link KnnMonitor} as a trainer observer: on its evaluation epochs a metrics line of kind
 * {@code knn} with {@code knn_top1} and {@code knn_top5} in percent (the trainer adds {@code
 * epoch}, {@code step}, {@code wall_seconds} and this evaluation's {@code seconds}), the accuracy
 * in the progress output, and the charts {@code knn_top1} (against epochs) and {@code
 * knn_top1_time} (against training minutes).
 *
 * <pre>{@code
 * Trainer.builder() ...
 *         .addEpochObserver(new KnnObserver(monitor, RunFolder.of(runDir)::plotFile))
 * }</pre>
 */
public final class KnnObserver implements EpochObserver {
    private final KnnMonitor monitor;
    private final Function<String, Path> chartFile;

    /**
     * Wraps a monitor.
     *
     * @param monitor the kNN monitor
     * @param chartFile a chart's PNG file from its name ({@code knn_top1}, {@code knn_top1_time})
     */
    public KnnObserver(KnnMonitor monitor, Function<String, Path> chartFile) {
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.chartFile = Objects.requireNonNull(chartFile, "chartFile");
    }

    @Override
    public String kind() {
        return "knn";
    }

    @Override
    public Observation afterEpoch(EpochEnd end) throws IOException {
        if (!monitor.evaluates(end.epoch(), end.epochs())) {
            return Observation.none();
        }
        long t0 = System.nanoTime();
        Knn.Score score = monitor.evaluate(end.backbone(), end.scope());
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("knn_top1", score.top1());
        values.put("knn_top5", score.top5());
        String message =
                String.format(
                        Locale.ROOT,
                        "epoch %d/%d: %s in %.1f s",
                        end.epoch() + 1,
                        end.epochs(),
                        monitor.describe(score),
                        (System.nanoTime() - t0) / 1e9);
        return new Observation(values, message);
    }

    @Override
    public void plot(List<JsonObject> metrics) throws IOException {
        List<double[]> byEpoch = Plots.points(metrics, kind(), "epoch", "knn_top1", 1);
        byEpoch.forEach(p -> p[0] += 1); // epochs completed, not the 0-based index
        Plots.lines(
                chartFile.apply("knn_top1"),
                "kNN top-1 % (validation split)",
                "epoch",
                List.of(new Plots.Series("kNN top-1", byEpoch)));
        Plots.lines(
                chartFile.apply("knn_top1_time"),
                "kNN top-1 % (validation split)",
                "training minutes (monitor time excluded)",
                List.of(
                        new Plots.Series(
                                "kNN top-1",
                                Plots.points(
                                        metrics, kind(), "wall_seconds", "knn_top1", 1 / 60.0))));
    }
}
