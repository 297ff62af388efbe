package dev.selfsup.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.eval.AugmentedLinearProbe;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.LinearProbe;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.ProbeResult;
import dev.selfsup.eval.Results;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code selfsup linear-probe}: a linear classifier on a frozen backbone's features. */
@Command(
        name = "linear-probe",
        mixinStandardHelpOptions = true,
        description = {
            "Linear probe of a frozen backbone (METHODS.md §10): cached features by default, or --augment for",
            "RandomResizedCrop + flip on every epoch (the ImageNet protocol). Writes OUT/results.json."
        })
public final class LinearProbeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin EngineOptions engine;

    @Mixin EvalInputs inputs;

    @Mixin ProbeOptions probe;

    @Override
    public Integer call() throws Exception {
        if (inputs.config != null) {
            return EvalConfig.rerun(spec, inputs.config, LinearProbeCommand::new);
        }
        ProbeProtocol protocol = probe.protocol();
        EvalInputs.Data data = inputs.data();
        Device device = engine.boot(0);
        long seed = engine.seed(0);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            EvalInputs.Model model = inputs.model(manager);
            ProbeResult r;
            try (Features test = inputs.features(model.block(), data.test(), manager)) {
                if (probe.augment) {
                    r = AugmentedLinearProbe.train(model.block(), data.train(), MultiCrop.linearProbe(inputs.size()),
                            test, data.numClasses(), protocol, seed, inputs.workers);
                } else {
                    try (Features train = inputs.features(model.block(), data.train(), manager)) {
                        r = LinearProbe.train(train.features(), train.labels(), test.features(), test.labels(),
                                data.numClasses(), protocol, seed);
                    }
                }
            }
            Results results = Results.linearProbe(r, data.record(), model.weights())
                    .withProtocolEntries(transforms(inputs, probe.augment));
            inputs.write(List.of(results), model.description(), data);
        }
        return 0;
    }

    /** The transforms behind a probe's numbers, for results.json. */
    static Map<String, Object> transforms(EvalInputs inputs, boolean augment) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("train_features", augment ? "online, frozen backbone in eval mode" : "cached (extracted once)");
        t.put("train_transform", (augment ? MultiCrop.linearProbe(inputs.size()) : inputs.evaluationTransform())
                .groups().get(0).toString());
        t.put("test_transform", inputs.evaluationTransform().groups().get(0).toString());
        return t;
    }
}
