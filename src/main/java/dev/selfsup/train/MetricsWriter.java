package dev.selfsup.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the run's metrics file ({@link MetricsLog}): a {@code step} line every N optimiser
 * iterations, an {@code epoch} line per epoch, and one line per non-empty observation. A resumed
 * run drops the lines logged after its checkpoint and continues the file.
 */
final class MetricsWriter implements LoopObserver {
    private final Path file;
    private final int everySteps;
    private MetricsLog log;

    /**
     * Creates the writer.
     *
     * @param file the metrics file, e.g. a run folder's {@code metrics.jsonl}
     * @param everySteps writes a step line every N iterations
     */
    MetricsWriter(Path file, int everySteps) {
        this.file = file;
        this.everySteps = everySteps;
    }

    @Override
    public void onStart(long iteration) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        log = new MetricsLog(file, iteration - 1);
    }

    @Override
    public void afterBatch(BatchDone b) throws IOException {
        if (!b.stepped() || b.iteration() % everySteps != 0) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", b.iteration());
        line.put("epoch", b.epoch());
        line.put("loss", b.loss());
        line.put("lr", b.learningRate());
        line.put("images_per_second", b.imagesPerSecond());
        line.put("step_seconds", b.stepSeconds());
        line.put("data_wait_seconds", b.dataWaitSeconds());
        line.put("wall_seconds", b.wallSeconds());
        line.putAll(b.methodMetrics());
        log.write("step", line);
    }

    @Override
    public void afterEpoch(EpochDone e) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", e.epoch());
        line.put("step", e.iterations() - 1);
        line.put("loss", e.meanLoss());
        line.put("skipped_images", e.skippedImages());
        line.put("wall_seconds", e.wallSeconds());
        line.put("observer_seconds", e.observerSeconds());
        log.write("epoch", line);
    }

    @Override
    public void observed(Observed o) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", o.epoch());
        line.put("step", o.step());
        line.put("wall_seconds", o.wallSeconds());
        line.put("seconds", o.seconds());
        line.putAll(o.observation().values());
        log.write(o.kind(), line);
    }

    @Override
    public void close() throws IOException {
        if (log != null) {
            log.close();
            log = null;
        }
    }
}
