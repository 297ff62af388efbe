package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import com.google.gson.GsonBuilder;
import dev.selfsup.internal.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Features on disk, so that a linear probe or kNN over the same weights and data runs without the
 * backbone.
 *
 * <p>An entry's key is SHA-256 over (the backbone's parameter hash {@link
 * Fingerprint#ofParameters}, {@link FeatureSource#cacheKey()}, {@link
 * FeatureSource#transformDescription()}): new weights, other data or another transform miss the
 * cache and are extracted afresh. Each entry is {@code <key>.ndlist} (DJL's NDList encoding of
 * features [N, F] float32 and labels [N] int64) plus {@code <key>.json} naming what went into the
 * key. Files are written to a temporary name and renamed, so a crash never leaves a half entry.
 */
public final class FeatureCache {
    private final Path directory;

    /**
     * A cache in a folder, created on first write.
     *
     * @param directory the cache folder
     */
    public FeatureCache(Path directory) {
        this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * The cache key of a backbone and a source.
     *
     * @param backbone an initialised block
     * @param source the images
     * @return 64 hex digits
     */
    public static String key(Block backbone, FeatureSource source) {
        return Fingerprint.ofStrings(
                Fingerprint.ofParameters(backbone),
                source.cacheKey(),
                source.transformDescription());
    }

    /**
     * The features of this backbone on this source: read from the cache when the key matches,
     * otherwise extracted with {@link FeatureExtractor#extract} and stored.
     *
     * @param backbone an initialised block mapping [B, C, H, W] to [B, F]
     * @param source the images
     * @param batchSize images per forward pass on a miss
     * @param manager where the result is created
     * @return features [N, F] float32 and labels [N] int64
     * @throws IOException if the cache folder cannot be read or written
     * @throws IllegalStateException if a cached entry does not match the source's size or labels
     *     (its {@code cacheKey} does not identify the data)
     */
    public Features extract(Block backbone, FeatureSource source, int batchSize, NDManager manager)
            throws IOException {
        String weights = Fingerprint.ofParameters(backbone);
        String key =
                Fingerprint.ofStrings(weights, source.cacheKey(), source.transformDescription());
        Path data = directory.resolve(key + ".ndlist");
        if (Files.isRegularFile(data)) {
            Features cached = read(data, manager);
            checkMatches(cached, source, data);
            return cached;
        }
        Features features = FeatureExtractor.extract(backbone, source, batchSize, manager);
        write(key, weights, source, features);
        return features;
    }

    /**
     * Whether an entry exists for this backbone and source.
     *
     * @param backbone an initialised block
     * @param source the images
     * @return true on a cache hit
     */
    public boolean contains(Block backbone, FeatureSource source) {
        return Files.isRegularFile(directory.resolve(key(backbone, source) + ".ndlist"));
    }

    private static Features read(Path file, NDManager manager) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            NDList list = NDList.decode(manager, in);
            checkState(
                    list.size() == 2,
                    "%s holds %s arrays, expected features and labels",
                    file,
                    list.size());
            return new Features(list.get(0), list.get(1));
        }
    }

    private static void checkMatches(Features cached, FeatureSource source, Path file) {
        long[] stored = cached.labels().toLongArray();
        int[] expected = source.labels();
        boolean same = stored.length == expected.length;
        for (int i = 0; same && i < stored.length; i++) {
            same = stored[i] == expected[i];
        }
        if (!same) {
            cached.close();
            throw new IllegalStateException(
                    String.format(
                            "cached features %s have %s labels that differ from source '%s' (%s labels):"
                                    + " its cacheKey() must change when the data changes",
                            file, stored.length, source.cacheKey(), expected.length));
        }
    }

    private void write(String key, String weights, FeatureSource source, Features features)
            throws IOException {
        NDArray labels = features.labels();
        checkState(labels.getDataType() == DataType.INT64, "labels must be int64");
        AtomicFiles.write(
                directory.resolve(key + ".ndlist"),
                tmp -> {
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                        new NDList(features.features(), labels).encode(out);
                    }
                });
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("key", key);
        info.put("weights_sha256", weights);
        info.put("source", source.cacheKey());
        info.put("transform", source.transformDescription());
        info.put(
                "shape", Arrays.stream(features.features().getShape().getShape()).boxed().toList());
        info.put("created", OffsetDateTime.now(ZoneOffset.UTC).toString());
        AtomicFiles.writeString(
                directory.resolve(key + ".json"),
                new GsonBuilder().setPrettyPrinting().create().toJson(info));
    }
}
