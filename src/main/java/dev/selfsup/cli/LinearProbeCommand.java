package dev.selfsup.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.Results;
import dev.selfsup.run.EvalData;
import dev.selfsup.run.EvalModel;
import dev.selfsup.run.Evaluation;
import java.util.List;
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
        EvalData data = inputs.data();
        Evaluation evaluation = inputs.evaluation();
        Device device = engine.boot(0);
        long seed = engine.seed(0);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            EvalModel model = inputs.model(manager);
            Results results =
                    evaluation.linearProbe(model, data, protocol, probe.augment, seed, manager);
            evaluation.write(List.of(results), model, data, System.out);
        }
        return 0;
    }
}
