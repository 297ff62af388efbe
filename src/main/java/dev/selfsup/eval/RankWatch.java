package dev.selfsup.eval;

import java.util.Locale;
import java.util.Optional;

/**
 * RankMe of one embedding across the {@link DiagnosticsMonitor}'s measurements: its maximum so far
 * and whether it has collapsed (below a share of its ceiling, or fallen far below that maximum).
 */
final class RankWatch {
    private final String name;
    private final double warnFraction;
    private final double warnDrop;
    private double maxRank;
    private boolean collapsed;

    /**
     * A watch with no measurement yet.
     *
     * @param name the embedding, named in the warning: {@code backbone} or {@code projector}
     * @param warnFraction collapsed below this share of min(B, width)
     * @param warnDrop collapsed more than this share below the maximum so far
     */
    RankWatch(String name, double warnFraction, double warnDrop) {
        this.name = name;
        this.warnFraction = warnFraction;
        this.warnDrop = warnDrop;
    }

    /**
     * Records one measurement; returns a warning on entering the collapsed state (not again until
     * it recovers).
     *
     * @param rank RankMe of the embedding
     * @param ceiling min(B, width), the highest rank it can report
     * @param step the optimiser iteration just done, named in the warning
     * @return the warning, or empty when the state was not entered at this step
     */
    Optional<String> record(double rank, long ceiling, long step) {
        if (step > 0) { // a random network's rank is no baseline: early training lowers it
            maxRank = Math.max(maxRank, rank);
        }
        boolean low = rank < warnFraction * ceiling;
        boolean dropped = rank < (1 - warnDrop) * maxRank;
        boolean entered = (low || dropped) && !collapsed;
        collapsed = low || dropped;
        if (!entered) {
            return Optional.empty();
        }
        return Optional.of(
                String.format(
                        Locale.ROOT,
                        "step %d: %s effective rank (RankMe) %.1f is %s — the embedding may be collapsing"
                                + " (check the learning rate, temperature, augmentations and head)",
                        step,
                        name,
                        rank,
                        low
                                ? String.format(
                                        Locale.ROOT,
                                        "below %.0f %% of its ceiling %d",
                                        100 * warnFraction,
                                        ceiling)
                                : String.format(
                                        Locale.ROOT,
                                        "%.0f %% below its maximum %.1f",
                                        100 * (1 - rank / maxRank),
                                        maxRank)));
    }

    /**
     * Whether the last measurement found the rank collapsed.
     *
     * @return the state after the last {@link #record}
     */
    boolean collapsed() {
        return collapsed;
    }
}
