package dev.selfsup.run;

import com.google.gson.JsonObject;
import dev.selfsup.eval.DiagnosticsMonitor;
import dev.selfsup.train.Observation;
import dev.selfsup.train.Plots;
import dev.selfsup.train.StepObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link DiagnosticsMonitor} as a trainer observer: on its measured steps a metrics line of kind
 * {@code diagnostics}, and the charts {@code diagnostics_alignment_uniformity}, {@code
 * diagnostics_rankme}, {@code diagnostics_pair_scores} (contrastive methods) and {@code
 * diagnostics_tolerance} (labelled images) against steps.
 */
public final class DiagnosticsObserver implements StepObserver {
    private final DiagnosticsMonitor monitor;
    private final Function<String, Path> chartFile;

    /**
     * Wraps a monitor.
     *
     * @param monitor the diagnostics monitor
     * @param chartFile a chart's PNG file from its name
     */
    public DiagnosticsObserver(DiagnosticsMonitor monitor, Function<String, Path> chartFile) {
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.chartFile = Objects.requireNonNull(chartFile, "chartFile");
    }

    @Override
    public String kind() {
        return "diagnostics";
    }

    @Override
    public Observation afterStep(StepEnd end) {
        return monitor.measures(end.step())
                ? new Observation(monitor.measure(end.method(), end.step(), end.scope()), "")
                : Observation.none();
    }

    @Override
    public void plot(List<JsonObject> metrics) throws IOException {
        chart(
                metrics,
                "diagnostics_alignment_uniformity",
                "alignment and uniformity (fixed batch)",
                "alignment backbone",
                "alignment_backbone",
                "uniformity backbone",
                "uniformity_backbone",
                "alignment projector",
                "alignment_projector",
                "uniformity projector",
                "uniformity_projector");
        chart(
                metrics,
                "diagnostics_rankme",
                "effective rank, RankMe (fixed batch)",
                "backbone",
                "rankme_backbone",
                "projector",
                "rankme_projector");
        if (monitor.pairScores()) {
            chart(
                    metrics,
                    "diagnostics_pair_scores",
                    "cosine scores of the projector (fixed batch)",
                    "positive mean",
                    "pos_score_mean",
                    "negative mean",
                    "neg_score_mean",
                    "positive variance",
                    "pos_score_var",
                    "negative variance",
                    "neg_score_var");
        }
        if (monitor.labelled()) {
            chart(
                    metrics,
                    "diagnostics_tolerance",
                    "tolerance: same-class cosine (uses labels)",
                    "backbone",
                    "tolerance_backbone",
                    "projector",
                    "tolerance_projector");
        }
    }

    /** One chart against steps; {@code series} alternates legend entries and metric keys. */
    private void chart(List<JsonObject> metrics, String name, String title, String... series)
            throws IOException {
        List<Plots.Series> lines = new java.util.ArrayList<>();
        for (int i = 0; i < series.length; i += 2) {
            lines.add(
                    new Plots.Series(
                            series[i], Plots.points(metrics, kind(), "step", series[i + 1], 1)));
        }
        Plots.lines(chartFile.apply(name), title, "step", lines);
    }
}
