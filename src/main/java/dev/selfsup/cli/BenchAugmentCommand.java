package dev.selfsup.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.config.AugmentSettings;
import dev.selfsup.data.DecodedImage;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.IdxDataset;
import dev.selfsup.data.IdxImageDataset;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.Loader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.run.Augmentations;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfsup bench augment-multicrop}: source images per second through SwAV multi-crop, from
 * JPEG files to normalised crop tensors on the device (decode, crop and resize on loader threads;
 * photometric ops on the loader threads or batched on the device, {@code --photometric}).
 */
@Command(
        name = "augment-multicrop",
        mixinStandardHelpOptions = true,
        description =
                "Throughput of multi-crop augmentation (decode → crops → device tensors), in source images/s.")
public final class BenchAugmentCommand implements Callable<Integer> {
    @Mixin EngineOptions engine;

    @Option(names = "--images", description = "folder of JPEG/PNG images (any depth); or --idx")
    Path images;

    @Option(
            names = "--idx",
            description =
                    "folder with IDX files (Fashion-MNIST/MNIST layout): its training images instead of --images")
    Path idx;

    @Option(
            names = "--preset",
            defaultValue = "swav",
            description =
                    "swav (multi-crop, SwAV's scales) or simclr (the recipe preset: 2 crops of --global-size, scale 0.08-1) (default: ${DEFAULT-VALUE})")
    Preset preset;

    @Option(
            names = "--generate",
            defaultValue = "0",
            description =
                    "write this many synthetic 500x375 JPEGs into --images first if it holds no image (default: ${DEFAULT-VALUE})")
    int generate;

    @Option(
            names = "--batch",
            defaultValue = "64",
            description = "images per batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--batches",
            defaultValue = "20",
            description = "batches timed after warm-up (default: ${DEFAULT-VALUE})")
    int batches;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            description = "batches run before timing (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--workers",
            defaultValue = "0",
            description = "loader threads; 0 = one per core (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(
            names = "--global-size",
            defaultValue = "224",
            description = "global crop side (default: ${DEFAULT-VALUE})")
    int globalSize;

    @Option(
            names = "--global-crops",
            defaultValue = "2",
            description = "global crops per image (default: ${DEFAULT-VALUE})")
    int globalCrops;

    @Option(
            names = "--local-size",
            defaultValue = "96",
            description = "local crop side (default: ${DEFAULT-VALUE})")
    int localSize;

    @Option(
            names = "--local-crops",
            defaultValue = "6",
            description = "local crops per image (default: ${DEFAULT-VALUE})")
    int localCrops;

    @Option(
            names = "--stage",
            defaultValue = "full",
            description =
                    "full (to device tensors), host (decode + crops only) or decode (decode only) (default: ${DEFAULT-VALUE})")
    Stage stage;

    @Option(
            names = "--photometric",
            defaultValue = "AUTO",
            description =
                    "where the photometric ops run: AUTO (loader threads on the CPU, else the device), LOADER or DEVICE (default: ${DEFAULT-VALUE})")
    Loader.PhotometricSite photometric;

    /** Which crop preset to run. */
    enum Preset {
        swav,
        simclr
    }

    /** How far down the pipeline the benchmark goes. */
    enum Stage {
        full,
        host,
        decode
    }

    @Override
    public Integer call() throws IOException {
        Device device = engine.boot();
        long seed = engine.seed(0);
        if ((images == null) == (idx == null)) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "give exactly one of --images and --idx");
        }
        ImageDataset dataset;
        if (idx != null) {
            dataset = new IdxImageDataset(IdxDataset.readSplit(idx, true));
        } else {
            if (generate > 0) {
                generateIfEmpty(images, generate, seed);
            }
            dataset = ImageFolder.unlabelled(images);
        }
        int threads = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
        MultiCrop transform =
                preset == Preset.simclr
                        ? Augmentations.multiCrop(
                                AugmentSettings.defaults(AugmentSettings.Preset.SIMCLR)
                                        .withCrops(
                                                List.of(
                                                        new AugmentSettings.CropSettings(
                                                                2, globalSize, 0.08, 1.0))))
                        : MultiCrop.swav(globalSize, globalCrops, localSize, localCrops);
        int total = warmup + batches;
        long start = 0;
        long cpuStart = 0;
        int timedImages = 0;
        long skipped;
        String photometricWhere = "none";
        if (stage == Stage.decode) {
            int n = Math.min(dataset.size(), total * batch);
            int warm = Math.min(n / 4, warmup * batch);
            decodeAll(dataset, 0, warm, threads);
            start = System.nanoTime();
            cpuStart = processCpuNanos();
            timedImages = decodeAll(dataset, warm, n, threads);
            skipped = 0;
        } else {
            try (Loader loader =
                            Loader.builder()
                                    .setDataset(dataset)
                                    .setTransform(transform)
                                    .setBatchSize(batch)
                                    .optThreads(threads)
                                    .optSeed(seed)
                                    .optDevice(device)
                                    .optPhotometricSite(
                                            stage == Stage.full
                                                    ? photometric
                                                    : Loader.PhotometricSite.DEVICE)
                                    .build();
                    NDManager run = NDManager.newBaseManager(device)) {
                int done = 0;
                for (int epoch = 0; done < total; epoch++) {
                    try (Loader.Epoch e = loader.epoch(epoch)) {
                        for (HostBatch host : e) {
                            if (done == warmup) {
                                start = System.nanoTime();
                                cpuStart = processCpuNanos();
                            }
                            if (stage == Stage.full) {
                                try (NDManager step = run.newSubManager()) {
                                    MultiCropBatch b = host.toDevice(step);
                                    if (done == total - 1) {
                                        // Wait for queued device work (asynchronous on CUDA).
                                        b.groups().get(0).images().sum().getFloat();
                                    }
                                }
                            }
                            if (done >= warmup) {
                                timedImages += host.batchSize();
                            }
                            if (++done == total) {
                                break;
                            }
                        }
                    }
                }
                skipped = loader.skippedImages();
                photometricWhere = loader.photometricOnLoader() ? "loader" : "device";
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        int cores = Runtime.getRuntime().availableProcessors();
        double perSecond = timedImages / seconds;
        JsonObject json = new JsonObject();
        json.addProperty("name", "augment-multicrop");
        json.addProperty("images_per_second", Math.round(perSecond * 10) / 10.0);
        json.addProperty(
                "crops_per_second", Math.round(perSecond * transform.cropCount() * 10) / 10.0);
        json.addProperty("stage", stage.name());
        json.addProperty("photometric", stage == Stage.full ? photometricWhere : "none");
        // On a shared machine wall-clock throughput depends on other load; CPU time per image
        // does not, and cores / (CPU s per image) is what the pipeline reaches with the cores free.
        json.addProperty("cpu_seconds_per_image", Math.round(cpuSeconds / timedImages * 1e5) / 1e5);
        json.addProperty(
                "images_per_second_if_cores_free",
                Math.round(cores * timedImages / cpuSeconds * 10) / 10.0);
        json.addProperty(
                "crops",
                preset == Preset.simclr
                        ? "2x" + globalSize
                        : globalCrops
                                + "x"
                                + globalSize
                                + (localCrops > 0 ? "+" + localCrops + "x" + localSize : ""));
        json.addProperty("preset", preset.name());
        json.addProperty("batch", batch);
        json.addProperty("timed_images", timedImages);
        json.addProperty("warmup_batches", warmup);
        json.addProperty("seconds", Math.round(seconds * 1000) / 1000.0);
        json.addProperty("workers", threads);
        json.addProperty(
                "intra_op_threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        json.addProperty("cores", cores);
        json.addProperty(
                "load_average",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        json.addProperty("device", device.toString());
        json.addProperty(
                "engine",
                Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        json.addProperty(
                "images", idx != null ? idx + " (IDX, training split)" : images.toString());
        json.addProperty("image_count", dataset.size());
        json.addProperty("skipped_images", skipped);
        json.addProperty("decoder", idx != null ? "IDX (raw bytes)" : "JDK ImageIO");
        System.out.printf(
                "%s: %.1f source images/s (%s, batch %d, %d workers, %s)%n",
                "augment-multicrop",
                perSecond,
                json.get("crops").getAsString(),
                batch,
                threads,
                stage);
        System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(json));
        return 0;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static int decodeAll(ImageDataset dataset, int from, int to, int threads) {
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
        try {
            return pool.submit(
                            () ->
                                    (int)
                                            IntStream.range(from, to)
                                                    .parallel()
                                                    .filter(
                                                            i -> {
                                                                try {
                                                                    DecodedImage d =
                                                                            dataset.decode(
                                                                                    i
                                                                                            % dataset
                                                                                                    .size());
                                                                    return d.pixels().length > 0;
                                                                } catch (IOException e) {
                                                                    return false;
                                                                }
                                                            })
                                                    .count())
                    .join();
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Writes {@code count} synthetic 500×375 JPEGs (quality 0.9, with pixel noise so files are
     * photo-sized) into an empty or missing folder; does nothing if it already holds images.
     */
    static void generateIfEmpty(Path dir, int count, long seed) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.walk(dir)) {
            if (s.anyMatch(p -> p.toString().toLowerCase().matches(".*\\.(jpe?g|png)$"))) {
                return;
            }
        }
        SyntheticShapes shapes = new SyntheticShapes(count, 100, 500, 375, seed, 12);
        IntStream.range(0, count)
                .parallel()
                .forEach(
                        i -> {
                            try {
                                writeJpeg(
                                        shapes.decode(i),
                                        dir.resolve(String.format("synthetic_%06d.jpg", i)));
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
    }

    private static void writeJpeg(DecodedImage d, Path file) throws IOException {
        BufferedImage img = new BufferedImage(d.width(), d.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        byte[] src = d.pixels();
        for (int i = 0; i < src.length; i += 3) {
            dst[i] = src[i + 2];
            dst[i + 1] = src[i + 1];
            dst[i + 2] = src[i];
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
