package dev.selfsup.run;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.GaussianBlur;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.PhotometricDraw;
import dev.selfsup.augment.RandomGrayscale;
import dev.selfsup.augment.Solarize;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.internal.InPlace;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import dev.selfsup.method.Step;
import dev.selfsup.model.Weights;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.optim.Schedule;
import dev.selfsup.optim.Sgd;
import dev.selfsup.train.TrainStep;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A device self-check in well under a minute ({@code selfsup info --check}): can this machine's
 * engine and device train, and do they compute what the CPU computes?
 *
 * <ul>
 *   <li>{@code train-step METHOD}: a tiny ResNet ({@code resnet10_cifar}, width 8), head and
 *       method, four optimiser steps ({@link TrainStep}, SGD) on a synthetic batch of 16 images
 *       with 2×32 px crops (SwAV also 2×16 px); passes when every loss is finite and the weights
 *       moved and stayed finite;
 *   <li>{@code photometric}: the device-side batched photometric ops (colour jitter, grayscale,
 *       blur, solarisation, normalisation) against the host (loader-thread) path on the same crops
 *       and draws; passes within {@value #PHOTOMETRIC_TOLERANCE} (normalised units);
 *   <li>{@code cpu-vs-device METHOD}: the same weights, state and batch on the CPU and on the
 *       device; the losses agree within a relative {@value #LOSS_TOLERANCE} (on the CPU the two are
 *       the same computation and agree exactly).
 * </ul>
 *
 * <p>Each check reports images per second (median of the timed steps) and the peak memory sampled
 * after each step: on a GPU the memory in use on the whole device (CUDA's counter, other processes
 * included), on the CPU the process's resident set.
 */
public final class DeviceCheck {
    /** Largest absolute difference allowed between the device and host photometric paths. */
    public static final double PHOTOMETRIC_TOLERANCE = 1e-4;

    /** Largest relative difference allowed between CPU and device losses. */
    public static final double LOSS_TOLERANCE = 1e-3;

    private static final int BATCH = CheckModels.BATCH;
    private static final int SIZE = CheckModels.SIZE;
    private static final List<String> METHODS = Methods.names();

    private DeviceCheck() {}

    /**
     * One check's outcome.
     *
     * @param name e.g. {@code train-step swav}
     * @param passed whether it passed
     * @param imagesPerSecond images per second, NaN if not timed
     * @param peakMemoryBytes the largest memory reading taken during the check, -1 if unknown
     * @param memoryKind what {@code peakMemoryBytes} measures
     * @param detail the measured values, or why it failed
     */
    public record Outcome(
            String name,
            boolean passed,
            double imagesPerSecond,
            long peakMemoryBytes,
            String memoryKind,
            String detail) {}

    /**
     * Runs every check on a device; a check that throws fails with the exception's message.
     *
     * @param device the device to check (the engine must be booted)
     * @param seed seeds weights and data
     * @return the outcomes, in order
     */
    public static List<Outcome> run(Device device, long seed) {
        List<Outcome> out = new ArrayList<>();
        for (String m : METHODS) {
            out.add(guard("train-step " + m, device, () -> trainStep(m, device, seed)));
        }
        out.add(guard("photometric", device, () -> photometric(device, seed)));
        for (String m : METHODS) {
            out.add(guard("cpu-vs-device " + m, device, () -> cpuVersusDevice(m, device, seed)));
        }
        return out;
    }

    /** A check body. */
    @FunctionalInterface
    private interface Body {
        Outcome run() throws IOException;
    }

    private static Outcome guard(String name, Device device, Body body) {
        try {
            return body.run();
        } catch (IOException | RuntimeException | AssertionError e) {
            return new Outcome(
                    name,
                    false,
                    Double.NaN,
                    -1,
                    CheckMemory.kind(device),
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * A few optimiser steps of one method on a synthetic batch.
     *
     * @param method a registered method name ({@code Methods.names()})
     * @param device the device
     * @param seed seeds weights and data
     * @return the outcome
     */
    public static Outcome trainStep(String method, Device device, long seed) {
        String name = "train-step " + method;
        CheckMemory memory = new CheckMemory(device);
        try (NDManager run = NDManager.newBaseManager(device)) {
            SelfsupEngine.seed(seed);
            Method m = CheckModels.build(method, run);
            Optimizer sgd =
                    Sgd.builder()
                            .setManager(run)
                            .setGroups(m.paramGroups())
                            .setLearningRate(Schedule.constant(0.05))
                            .optMomentum(0.9)
                            .build();
            TrainStep stepper = new TrainStep(m, sgd, new ParameterStore(run, false), 1, 0);
            m.beforeEpoch(0);
            NDArray watched = firstParameter(m.backbone());
            float[] before = watched.toFloatArray();
            List<Double> seconds = new ArrayList<>();
            List<Float> losses = new ArrayList<>();
            int steps = 4;
            try (NDManager data = run.newSubManager()) {
                MultiCropBatch batch = CheckModels.batch(method, data, seed);
                NDArray[] arrays = batch.arrays().toArray(new NDArray[0]);
                for (int i = 0; i < steps; i++) {
                    long t0 = System.nanoTime();
                    try (NDManager step = run.newSubManager(device)) {
                        step.tempAttachAll(arrays);
                        losses.add(
                                stepper.run(
                                        step, batch, new Step(i, 0, steps, seed), true, "none"));
                    }
                    if (i > 0) {
                        seconds.add((System.nanoTime() - t0) / 1e9); // step 0 is warm-up
                    }
                    memory.sample();
                }
            }
            float[] after = watched.toFloatArray();
            boolean finite = losses.stream().allMatch(Float::isFinite);
            boolean moved = !Arrays.equals(before, after);
            boolean finiteWeights = allFinite(after);
            String detail =
                    String.format(
                            Locale.ROOT,
                            "losses %s; weights %s",
                            losses,
                            !finiteWeights ? "not finite" : moved ? "updated" : "unchanged");
            return new Outcome(
                    name,
                    finite && moved && finiteWeights,
                    BATCH / median(seconds),
                    memory.peak(),
                    memory.kind(),
                    detail);
        }
    }

    /**
     * The device's batched photometric ops against the host path on the same crops and draws.
     *
     * @param device the device
     * @param seed seeds crops and draws
     * @return the outcome
     */
    public static Outcome photometric(Device device, long seed) {
        CheckMemory memory = new CheckMemory(device);
        Photometric p =
                new Photometric(
                        ColorJitter.simclr(1.0),
                        new RandomGrayscale(0.2),
                        GaussianBlur.forCrop(0.5, SIZE),
                        new Solarize(0.2, Solarize.DEFAULT_THRESHOLD),
                        Normalize.IMAGENET);
        int n = BATCH;
        int len = 3 * SIZE * SIZE;
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[n * len];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        PhotometricDraw[] draws = new PhotometricDraw[n];
        for (int i = 0; i < n; i++) {
            draws[i] = p.sample(rng);
        }
        float[] host = new float[n * len];
        for (int i = 0; i < n; i++) {
            p.applyOnHost(draws[i], pixels, i * len, SIZE, host, i * len);
        }
        float[] dev = null;
        List<Double> seconds = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(device)) {
            for (int rep = 0; rep < 4; rep++) {
                try (NDManager scope = m.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray raw =
                            scope.create(
                                    ByteBuffer.wrap(pixels),
                                    new Shape(n, 3, SIZE, SIZE),
                                    DataType.UINT8);
                    NDArray x = raw.toType(DataType.FLOAT32, false).divi(255f);
                    dev = p.apply(x, draws).toFloatArray();
                    if (rep > 0) {
                        seconds.add((System.nanoTime() - t0) / 1e9);
                    }
                    memory.sample();
                }
            }
        }
        double worst = 0;
        int at = 0;
        for (int i = 0; i < host.length; i++) {
            double d = Math.abs(host[i] - dev[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        boolean ok = worst <= PHOTOMETRIC_TOLERANCE;
        String detail =
                String.format(
                        Locale.ROOT,
                        "max |device - host| %.2e%s",
                        worst,
                        ok
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        " at crop %d (%s) > %.0e",
                                        at / len,
                                        draws[at / len],
                                        PHOTOMETRIC_TOLERANCE));
        return new Outcome(
                "photometric", ok, n / median(seconds), memory.peak(), memory.kind(), detail);
    }

    /**
     * One method's loss on the CPU and on the device with the same weights, state and batch.
     *
     * @param method a registered method name ({@code Methods.names()})
     * @param device the device
     * @param seed seeds weights and data
     * @return the outcome
     */
    public static Outcome cpuVersusDevice(String method, Device device, long seed) {
        String name = "cpu-vs-device " + method;
        CheckMemory memory = new CheckMemory(device);
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu());
                NDManager dev = NDManager.newBaseManager(device)) {
            SelfsupEngine.seed(seed);
            Method onCpu = CheckModels.build(method, cpu);
            Method onDevice = CheckModels.build(method, dev);
            for (Map.Entry<String, Block> e : onCpu.blocks().entrySet()) {
                Weights.copy(e.getValue(), onDevice.blocks().get(e.getKey()));
            }
            for (Map.Entry<String, NDArray> e : onCpu.stateTensors().entrySet()) {
                InPlace.copy(onDevice.stateTensors().get(e.getKey()), e.getValue());
            }
            onCpu.beforeEpoch(0);
            onDevice.beforeEpoch(0);
            Step step = new Step(0, 0, 1, seed);
            float a;
            float b;
            try (NDManager scope = cpu.newSubManager()) {
                a =
                        onCpu.loss(
                                        new ParameterStore(scope, false),
                                        CheckModels.batch(method, scope, seed),
                                        step)
                                .getFloat();
            }
            long t0 = System.nanoTime();
            try (NDManager scope = dev.newSubManager()) {
                b =
                        onDevice.loss(
                                        new ParameterStore(scope, false),
                                        CheckModels.batch(method, scope, seed),
                                        step)
                                .getFloat();
                memory.sample();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rel = Math.abs(a - b) / Math.max(1.0, Math.abs(a));
            boolean ok = Float.isFinite(a) && Float.isFinite(b) && rel <= LOSS_TOLERANCE;
            String detail =
                    String.format(
                            Locale.ROOT,
                            "loss cpu %.6f, %s %.6f, relative difference %.1e%s",
                            a,
                            device,
                            b,
                            rel,
                            ok ? "" : String.format(Locale.ROOT, " > %.0e", LOSS_TOLERANCE));
            return new Outcome(name, ok, BATCH / seconds, memory.peak(), memory.kind(), detail);
        }
    }

    private static NDArray firstParameter(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            return p.getValue().getArray();
        }
        throw new IllegalStateException("block has no parameters");
    }

    private static boolean allFinite(float[] v) {
        for (float f : v) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }

    private static double median(List<Double> seconds) {
        checkArgument(!seconds.isEmpty(), "no timed steps");
        double[] s = seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s[s.length / 2];
    }
}
