package dev.selfsup.engine;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Derives independent, reproducible random generators from a run seed (STYLE.md R7).
 *
 * <p>Every random draw in selfsup comes from a generator derived from (run seed, purpose,
 * coordinates such as epoch, step or sample index), so a resumed run draws exactly the numbers an
 * uninterrupted run would, without saving generator state.
 *
 * <pre>{@code
 * RandomGenerator crops = Seeds.derive(seed, "crop", epoch, index);   // per sample
 * RandomGenerator mochi = Seeds.derive(seed, "mochi", step);          // per step
 * }</pre>
 */
public final class Seeds {
    private Seeds() {}

    /**
     * A generator determined by the seed, a purpose label and any number of coordinates.
     *
     * @param seed the run seed
     * @param purpose a short label that separates streams ("crop", "mochi", "queue-init", …)
     * @param coordinates epoch, step, index, … in a fixed order
     * @return a fresh generator; equal arguments give equal streams
     */
    public static RandomGenerator derive(long seed, String purpose, long... coordinates) {
        return new SplittableRandom(mix(seed, purpose, coordinates));
    }

    /**
     * The 64-bit value {@link #derive} seeds its generator with; usable to seed the engine.
     *
     * @param seed the run seed
     * @param purpose the stream label
     * @param coordinates the coordinates
     * @return a well-mixed 64-bit value
     */
    public static long mix(long seed, String purpose, long... coordinates) {
        long h = murmur(seed ^ 0x9E3779B97F4A7C15L);
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) {
            h = murmur(h ^ b);
        }
        for (long c : coordinates) {
            h = murmur(h ^ murmur(c + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    private static long murmur(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
