package dev.selfsup.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import dev.selfsup.config.ModelSettings;
import dev.selfsup.config.OptimizerSettings;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.method.Method;
import dev.selfsup.method.MethodSettings;
import dev.selfsup.method.Methods;
import dev.selfsup.method.MocoSettings;
import dev.selfsup.method.Step;
import dev.selfsup.method.SwavSettings;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.run.ModelParts;
import dev.selfsup.run.Optimizers;
import dev.selfsup.train.TrainStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfsup bench train-step}: the time of one training step (forward, backward, optimiser,
 * method state) on pre-made inputs, median over timed steps after warm-up. Runs exactly the code
 * the trainer runs ({@link TrainStep}).
 */
@Command(
        name = "train-step",
        mixinStandardHelpOptions = true,
        description = "Median training-step time on pre-made inputs (augmentation excluded).")
final class BenchTrainStepCommand implements Callable<Integer> {
    @Mixin EngineOptions engine;

    @Option(
            names = "--method",
            defaultValue = "simclr",
            description = "a method name: simclr, mocov2, swav, … (default: ${DEFAULT-VALUE})")
    String method;

    @Option(
            names = "--backbone",
            defaultValue = "resnet18_cifar",
            description = "zoo name (default: ${DEFAULT-VALUE})")
    String backbone;

    @Option(
            names = "--base-width",
            defaultValue = "0",
            description = "ResNet width override, 0 = the model's")
    int baseWidth;

    @Option(
            names = "--batch",
            defaultValue = "128",
            description = "images per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--size",
            defaultValue = "32",
            description = "side of the large crops (default: ${DEFAULT-VALUE})")
    int size;

    @Option(
            names = "--crops",
            defaultValue = "2",
            description =
                    "crop groups COUNTxSIZE, comma-separated, e.g. 2x224,6x96; a bare count uses --size (default: ${DEFAULT-VALUE})")
    String crops;

    @Option(
            names = "--head",
            defaultValue = "2048",
            description = "hidden widths of the head, comma-separated (default: ${DEFAULT-VALUE})")
    String head;

    @Option(
            names = "--dim",
            defaultValue = "128",
            description = "embedding size D (default: ${DEFAULT-VALUE})")
    int dim;

    @Option(
            names = "--head-batch-norm",
            defaultValue = "true",
            negatable = true,
            fallbackValue = "true",
            description =
                    "BatchNorm after the head's hidden layers; --no-head-batch-norm as MoCo v2 (default: ${DEFAULT-VALUE})")
    boolean headBatchNorm;

    @Option(
            names = "--prototypes",
            defaultValue = "3000",
            description = "SwAV prototypes (default: ${DEFAULT-VALUE})")
    int prototypes;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            description = "untimed steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--steps",
            defaultValue = "5",
            description = "timed steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Override
    public Integer call() {
        MethodSettings settings = settings();
        List<CropShape> shapes = new ArrayList<>();
        for (String g : crops.split(",")) {
            String[] p = g.trim().split("x");
            shapes.add(
                    new CropShape(
                            Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : size));
        }
        int cropCount = shapes.stream().mapToInt(CropShape::count).sum();
        settings.checkBatches(new MethodSettings.Batches(batch, cropCount, true));
        List<Integer> hidden =
                Arrays.stream(head.split(","))
                        .map(String::trim)
                        .filter(w -> !w.isEmpty())
                        .map(Integer::valueOf)
                        .toList();
        ModelSettings model =
                new ModelSettings(
                        backbone, baseWidth, false, 0.0, hidden, dim, headBatchNorm, false);
        // the optimizer section's defaults (SGD with momentum, BN and bias exempt from decay): the
        // learning rate's value and schedule do not change a step's cost
        OptimizerSettings sgd = OptimizerSettings.defaults();
        long seed = 0;
        Device device = engine.boot(seed);
        List<Double> times = new ArrayList<>();
        List<TrainStep.Phases> phases = new ArrayList<>();
        List<Double> cpuTimes = new ArrayList<>();
        var os =
                (com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try (NDManager run = NDManager.newBaseManager(device)) {
            int first = shapes.get(0).size();
            Method m = Methods.create(settings, new ModelParts(model, run, first, batch));
            Optimizer opt = Optimizers.optimizer(sgd, batch, 1, m, run, warmup + steps);
            TrainStep stepper = new TrainStep(m, opt, new ParameterStore(run, false), 1, 0);
            m.beforeEpoch(0);
            try (NDManager data = run.newSubManager()) {
                List<MultiCropBatch.Group> gs = new ArrayList<>();
                for (CropShape c : shapes) {
                    gs.add(
                            new MultiCropBatch.Group(
                                    c.size(),
                                    c.count(),
                                    data.randomNormal(
                                            new Shape(
                                                    (long) c.count() * batch,
                                                    3,
                                                    c.size(),
                                                    c.size()))));
                }
                MultiCropBatch inputs =
                        new MultiCropBatch(
                                gs, data.zeros(new Shape(batch), DataType.INT64), new int[batch]);
                NDArray[] arrays = inputs.arrays().toArray(new NDArray[0]);
                for (int i = 0; i < warmup + steps; i++) {
                    long t0 = System.nanoTime();
                    long c0 = os.getProcessCpuTime();
                    try (NDManager step = run.newSubManager(device)) {
                        step.tempAttachAll(arrays);
                        stepper.run(
                                step, inputs, new Step(i, 0, warmup + steps, seed), true, "none");
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    double cpu = (os.getProcessCpuTime() - c0) / 1e9;
                    TrainStep.Phases p = stepper.lastPhases();
                    if (i >= warmup) {
                        times.add(s);
                        phases.add(p);
                        cpuTimes.add(cpu);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "step %d: %.3f s (forward %.3f, backward %.3f, optimizer %.3f, method %.3f)%s%n",
                            i,
                            s,
                            p.forward(),
                            p.backward(),
                            p.optimizer(),
                            p.method(),
                            i < warmup ? " (warm-up)" : "");
                }
            }
        }
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = median(sorted);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", "train-step");
        json.put("images_per_second", batch / median);
        json.put("median_step_seconds", median);
        json.put("step_seconds", Arrays.stream(sorted).boxed().toList());
        // process CPU time (all threads, spin-waits included): less sensitive to other load than
        // wall time
        json.put(
                "median_step_cpu_seconds",
                median(cpuTimes.stream().mapToDouble(Double::doubleValue).toArray()));
        // medians of each part over the timed steps; "other" = step − parts (sub-manager,
        // borrowing)
        Map<String, Double> parts = new LinkedHashMap<>();
        parts.put(
                "forward",
                median(phases.stream().mapToDouble(TrainStep.Phases::forward).toArray()));
        parts.put(
                "backward",
                median(phases.stream().mapToDouble(TrainStep.Phases::backward).toArray()));
        parts.put(
                "optimizer",
                median(phases.stream().mapToDouble(TrainStep.Phases::optimizer).toArray()));
        parts.put(
                "method", median(phases.stream().mapToDouble(TrainStep.Phases::method).toArray()));
        double[] other = new double[phases.size()];
        for (int i = 0; i < other.length; i++) {
            TrainStep.Phases p = phases.get(i);
            other[i] = times.get(i) - p.forward() - p.backward() - p.optimizer() - p.method();
        }
        parts.put("other", median(other));
        json.put("median_phase_seconds", parts);
        json.put("method", method);
        json.put("backbone", backbone);
        json.put("base_width", baseWidth);
        json.put("batch", batch);
        json.put("crops", crops);
        json.put("size", size);
        json.put("head", head);
        json.put("dim", dim);
        json.put("head_batch_norm", headBatchNorm);
        json.put("device", device.toString());
        json.put(
                "threads",
                engine.threads() == 0
                        ? Runtime.getRuntime().availableProcessors()
                        : engine.threads());
        json.put("warmup", warmup);
        json.put("steps", steps);
        System.out.println(new Gson().toJson(json));
        return 0;
    }

    /** One group of {@code --crops}: COUNT crops of side SIZE. */
    private record CropShape(int count, int size) {}

    /**
     * The method's default settings with the bench's sizes: a MoCo queue of about 65,536 rows (a
     * multiple of the batch), SwAV with {@code --prototypes}.
     */
    private MethodSettings settings() {
        MethodSettings s = Methods.named(method).defaults();
        if (s instanceof MocoSettings moco) {
            return moco.withQueueLength(Math.max(batch, 65536 / batch * batch));
        }
        if (s instanceof SwavSettings swav) {
            return swav.withPrototypes(prototypes);
        }
        return s;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
