package dev.selfsup.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Redraws the run's plots after every epoch from its metrics file: loss, learning rate and images
 * per second ({@link Plots#write}), then each user observer's own ({@code plot}).
 */
final class PlotWriter implements LoopObserver {
    private final Path metrics;
    private final Function<String, Path> chartFile;
    private final List<EpochObserver> epochObservers;
    private final List<StepObserver> stepObservers;

    /**
     * Creates the writer.
     *
     * @param metrics the metrics file the plots are drawn from
     * @param chartFile a chart's file from its name ({@code loss}, {@code lr}, {@code
     *     images_per_second})
     * @param epochObservers observers asked to draw their plots
     * @param stepObservers observers asked to draw their plots
     */
    PlotWriter(
            Path metrics,
            Function<String, Path> chartFile,
            List<EpochObserver> epochObservers,
            List<StepObserver> stepObservers) {
        this.metrics = metrics;
        this.chartFile = chartFile;
        this.epochObservers = List.copyOf(epochObservers);
        this.stepObservers = List.copyOf(stepObservers);
    }

    @Override
    public void afterEpoch(EpochDone e) throws IOException {
        List<JsonObject> rows = MetricsLog.read(metrics);
        Plots.write(rows, chartFile);
        for (EpochObserver o : epochObservers) {
            o.plot(rows);
        }
        for (StepObserver o : stepObservers) {
            o.plot(rows);
        }
    }
}
