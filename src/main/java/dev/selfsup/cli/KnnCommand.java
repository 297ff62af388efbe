package dev.selfsup.cli;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.Knn;
import dev.selfsup.eval.Results;
import dev.selfsup.run.EvalData;
import dev.selfsup.run.EvalModel;
import dev.selfsup.run.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code selfsup knn}: weighted kNN classification on a frozen backbone's features. */
@Command(
        name = "knn",
        mixinStandardHelpOptions = true,
        description = {
            "Weighted kNN on L2-normalised features (METHODS.md §10): the k nearest training images vote",
            "exp(sim / T) for their class. Writes OUT/results.json (one record per k)."
        })
public final class KnnCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin EngineOptions engine;

    @Mixin EvalInputs inputs;

    @Option(
            names = "--k",
            split = ",",
            defaultValue = "20,200",
            description = "neighbour counts (default: ${DEFAULT-VALUE})")
    List<Integer> k;

    @Option(
            names = "--temperature",
            defaultValue = "0.07",
            description = "vote temperature T (default: ${DEFAULT-VALUE})")
    double temperature;

    @Override
    public Integer call() throws Exception {
        if (inputs.config != null) {
            return EvalConfig.rerun(spec, inputs.config, KnnCommand::new);
        }
        checkArgument(
                !k.isEmpty() && k.stream().allMatch(v -> v >= 1),
                "--k needs counts >= 1, got %s",
                k);
        checkArgument(temperature > 0, "--temperature must be > 0, got %s", temperature);
        EvalData data = inputs.data();
        Evaluation evaluation = inputs.evaluation();
        checkArgument(
                k.stream().allMatch(v -> v <= data.train().size()),
                "--k %s: each k must be <= the %s training images",
                k,
                data.train().size());
        Device device = engine.boot(0);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            EvalModel model = inputs.model(manager);
            List<Knn.Score> scores;
            try (Features train = evaluation.features(model.block(), data.train(), manager);
                    Features test = evaluation.features(model.block(), data.test(), manager)) {
                scores =
                        Knn.evaluate(
                                train.features(),
                                train.labels(),
                                test.features(),
                                test.labels(),
                                k.stream().mapToInt(Integer::intValue).toArray(),
                                temperature,
                                data.numClasses());
            }
            List<Results> results = new ArrayList<>();
            for (Knn.Score s : scores) {
                results.add(
                        Results.knn(s, data.record(), model.weights())
                                .withProtocolEntries(
                                        Map.of(
                                                "test_transform",
                                                evaluation
                                                        .transform()
                                                        .groups()
                                                        .get(0)
                                                        .toString())));
            }
            evaluation.write(results, model, data, System.out);
        }
        return 0;
    }
}
