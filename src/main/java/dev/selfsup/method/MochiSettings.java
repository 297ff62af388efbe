package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkSetting;

/**
 * The {@code mochi:} part of a {@code moco:} or {@code simclr:} section: hard negative mixing
 * (METHODS.md §5), MoCHi(N, s, s′). With {@code feature_transform} on as well, the transformation
 * comes first and MoCHi mixes from the transformed query and negatives ({@link Negatives}).
 *
 * @param enabled mix hard negatives
 * @param hardest N, the hardest negatives considered per query (1024)
 * @param mixed s, synthetic negatives from pairs of hard negatives (1024)
 * @param mixedWithQuery s′, harder ones mixed with the query (128)
 * @param startEpoch the epoch mixing starts (warm-up without it before)
 */
public record MochiSettings(
        boolean enabled, int hardest, int mixed, int mixedWithQuery, int startEpoch) {
    /**
     * Validates ranges.
     *
     * @param enabled mix hard negatives
     * @param hardest N, the hardest negatives considered per query (1024)
     * @param mixed s, synthetic negatives from pairs of hard negatives (1024)
     * @param mixedWithQuery s′, harder ones mixed with the query (128)
     * @param startEpoch the epoch mixing starts (warm-up without it before)
     */
    public MochiSettings {
        checkSetting(hardest >= 1, "hardest", hardest, ">= 1");
        checkSetting(mixed >= 0, "mixed", mixed, ">= 0");
        checkSetting(mixedWithQuery >= 0, "mixed_with_query", mixedWithQuery, ">= 0");
        checkSetting(
                !enabled || mixed + mixedWithQuery > 0,
                "mixed",
                mixed,
                "mixed + mixed_with_query > 0 when enabled");
        checkSetting(startEpoch >= 0, "start_epoch", startEpoch, ">= 0");
    }

    /**
     * Off; MoCHi(1024, 1024, 128) when enabled.
     *
     * @return the defaults
     */
    public static MochiSettings defaults() {
        return new MochiSettings(false, 1024, 1024, 128, 0);
    }

    // Withers: start from defaults() and change what you need, e.g. {@code
    // MochiSettings.defaults().withEnabled(true).withHardest(256)}.

    /**
     * A copy with another {@code enabled}: mix hard negatives.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MochiSettings withEnabled(boolean value) {
        return new MochiSettings(value, hardest, mixed, mixedWithQuery, startEpoch);
    }

    /**
     * A copy with another {@code hardest}: N, the hardest negatives considered per query (1024).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MochiSettings withHardest(int value) {
        return new MochiSettings(enabled, value, mixed, mixedWithQuery, startEpoch);
    }

    /**
     * A copy with another {@code mixed}: s, synthetic negatives from pairs of hard negatives
     * (1024).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MochiSettings withMixed(int value) {
        return new MochiSettings(enabled, hardest, value, mixedWithQuery, startEpoch);
    }

    /**
     * A copy with another {@code mixedWithQuery}: s′, harder ones mixed with the query (128).
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MochiSettings withMixedWithQuery(int value) {
        return new MochiSettings(enabled, hardest, mixed, value, startEpoch);
    }

    /**
     * A copy with another {@code startEpoch}: the epoch mixing starts.
     *
     * @param value the new value
     * @return the copy, validated
     */
    public MochiSettings withStartEpoch(int value) {
        return new MochiSettings(enabled, hardest, mixed, mixedWithQuery, value);
    }
}
