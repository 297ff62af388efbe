package dev.selfsup.train;

import dev.selfsup.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the run's checkpoints: the latest one after every epoch and when the run stops early, and a
 * numbered copy every N epochs and after the last. Each file is written to a temporary file and
 * renamed over the target, so a crash mid-write leaves the previous one intact.
 */
final class CheckpointWriter implements LoopObserver {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final CheckpointLayout layout;
    private final RunClock clock;
    private final Path latest;
    private final int everyEpochs;
    private final IntFunction<Path> epochFile;
    private final int epochs;
    private String lastGood = "none yet";

    /**
     * Creates the writer.
     *
     * @param layout what a checkpoint holds
     * @param clock the run's clocks, recorded in each checkpoint
     * @param latest the latest checkpoint's file
     * @param everyEpochs keeps a numbered copy every N epochs and after the last; 0 = none
     * @param epochFile the numbered copy's file for a count of finished epochs
     * @param epochs the run's epochs
     */
    CheckpointWriter(
            CheckpointLayout layout,
            RunClock clock,
            Path latest,
            int everyEpochs,
            IntFunction<Path> epochFile,
            int epochs) {
        this.layout = layout;
        this.clock = clock;
        this.latest = latest;
        this.everyEpochs = everyEpochs;
        this.epochFile = epochFile;
        this.epochs = epochs;
    }

    /**
     * The latest checkpoint's file.
     *
     * @return the path
     */
    Path latest() {
        return latest;
    }

    /**
     * The checkpoint a failed run can resume from, for error messages.
     *
     * @return its path, or {@code "none yet"}
     */
    String lastGood() {
        return lastGood;
    }

    @Override
    public void onStart(long iteration) {
        lastGood = Files.exists(latest) ? latest.toString() : "none yet";
    }

    @Override
    public void afterEpoch(EpochDone e) throws IOException {
        save(new Position(e.iterations(), e.epoch() + 1, 0));
        int done = e.epoch() + 1;
        if (everyEpochs > 0 && (done % everyEpochs == 0 || done == epochs)) {
            AtomicFiles.write(
                    epochFile.apply(done),
                    tmp -> Files.copy(latest, tmp, StandardCopyOption.REPLACE_EXISTING));
        }
    }

    @Override
    public void onStop(Position at) throws IOException {
        save(at);
        LOG.warn(
                "stopped at iteration {}; checkpoint {} written; resume with --resume",
                at.iteration(),
                latest);
    }

    private void save(Position at) throws IOException {
        layout.capture(at, clock.wallSeconds(), clock.observerSeconds()).write(latest);
        lastGood = latest.toString();
    }
}
