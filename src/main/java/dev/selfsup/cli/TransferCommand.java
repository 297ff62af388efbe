package dev.selfsup.cli;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.FineTune;
import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.eval.ProbeResult;
import dev.selfsup.eval.Results;
import dev.selfsup.optim.LrSchedule;
import dev.selfsup.run.EvalData;
import dev.selfsup.run.EvalModel;
import dev.selfsup.run.Evaluation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code selfsup transfer}: linear probe or full fine-tuning on another labelled dataset. */
@Command(
        name = "transfer",
        mixinStandardHelpOptions = true,
        description = {
            "Transfer to a labelled dataset (METHODS.md §10): --mode linear (a linear probe on the new data,",
            "frozen backbone) or --mode finetune (backbone + linear classifier trained end to end with SGD,",
            "RandomResizedCrop + flip; --head-lr gives the new head its own rate). Reports top-1/top-5 in",
            "OUT/results.json. Semi-supervised ImageNet (SwAV): --config configs/eval/semisup_1pct.yaml or",
            "semisup_10pct.yaml."
        })
public final class TransferCommand implements Callable<Integer> {
    /** Fine-tuning defaults: a CPU-sized starting point, not a paper's grid-searched values. */
    static final double FINETUNE_LR = 0.01;

    static final int FINETUNE_EPOCHS = 30;

    static final double FINETUNE_WD = 1e-4;

    static final int FINETUNE_BATCH = 64;

    @Spec CommandSpec spec;

    @Mixin EngineOptions engine;

    @Mixin EvalInputs inputs;

    @Mixin ProbeOptions probe;

    @Option(
            names = "--mode",
            defaultValue = "finetune",
            description = "linear | finetune (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(
            names = "--momentum",
            defaultValue = "0.9",
            description = "fine-tuning SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(
            names = "--head-lr",
            paramLabel = "LR",
            description =
                    "fine-tuning: the new linear head's learning rate (SwAV semi-supervised: 5 at 1 %%, 0.2 at 10 %%); default: --lr")
    Double headLr;

    @Option(
            names = "--milestones",
            split = ",",
            paramLabel = "EPOCHS",
            description =
                    "fine-tuning: multiply the learning rates by --gamma at these 0-based epochs (SwAV semi-supervised: 12,16); default: cosine to 0")
    List<Integer> milestones;

    @Option(
            names = "--gamma",
            paramLabel = "FACTOR",
            description =
                    "fine-tuning: the factor per milestone (default: 0.1; SwAV semi-supervised: 0.2)")
    Double gamma;

    @Override
    public Integer call() throws Exception {
        if (inputs.config != null) {
            return EvalConfig.rerun(spec, inputs.config, TransferCommand::new);
        }
        String m = mode.trim().toLowerCase(Locale.ROOT);
        checkArgument(
                m.equals("linear") || m.equals("finetune"),
                "--mode '%s' is unknown; valid: linear, finetune",
                mode);
        boolean finetune = m.equals("finetune");
        checkArgument(
                finetune || (headLr == null && milestones == null && gamma == null),
                "--head-lr, --milestones and --gamma apply to --mode finetune only");
        ProbeProtocol protocol = finetune ? fineTuneProtocol() : probe.protocol();
        EvalData data = inputs.data();
        Evaluation evaluation = inputs.evaluation();
        Device device = engine.boot(0);
        long seed = engine.seed(0);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            EvalModel model = inputs.model(manager);
            Results results;
            if (finetune) {
                ProbeResult r;
                double head = headLr != null ? headLr : protocol.learningRate();
                try (DatasetFeatureSource test = evaluation.source(data.test())) {
                    r =
                            FineTune.train(
                                    model.backbone(),
                                    data.train(),
                                    evaluation.trainingTransform(),
                                    test,
                                    data.numClasses(),
                                    protocol,
                                    head,
                                    seed,
                                    evaluation.settings().workers(),
                                    manager);
                }
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("head_lr", head);
                t.put(
                        "param_groups",
                        List.of(
                                group("backbone", protocol.learningRate()),
                                group("classifier", head)));
                t.put("train_transform", evaluation.trainingTransform().groups().get(0).toString());
                t.put("test_transform", evaluation.transform().groups().get(0).toString());
                results =
                        Results.fineTune(r, data.record(), model.weights()).withProtocolEntries(t);
            } else {
                results =
                        evaluation.linearProbe(model, data, protocol, probe.augment, seed, manager);
            }
            evaluation.write(List.of(results), model, data, System.out);
        }
        return 0;
    }

    /** One parameter group's name and initial learning rate, for results.json. */
    private static Map<String, Object> group(String name, double lr) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("name", name);
        g.put("lr", lr);
        return g;
    }

    /**
     * Fine-tuning hyper-parameters: --lr (the trunk's), --epochs, --wd, --batch, --momentum; per
     * epoch cosine to 0, or step decay with --milestones and --gamma.
     */
    private ProbeProtocol fineTuneProtocol() {
        checkArgument(
                !spec.commandLine().getParseResult().hasMatchedOption("--protocol"),
                "--protocol applies to --mode linear; fine-tuning takes --lr --epochs --wd --batch --momentum");
        checkArgument(
                !probe.bn && !probe.augment, "--bn and --augment apply to --mode linear only");
        checkArgument(headLr == null || headLr > 0, "--head-lr must be > 0, got %s", headLr);
        checkArgument(
                milestones != null || gamma == null, "--gamma needs --milestones (step decay)");
        LrSchedule schedule =
                milestones == null
                        ? LrSchedule.cosine(0)
                        : LrSchedule.step(milestones, gamma != null ? gamma : 0.1);
        return new ProbeProtocol(
                "custom",
                probe.lr != null ? probe.lr : FINETUNE_LR,
                probe.epochs != null ? probe.epochs : FINETUNE_EPOCHS,
                schedule,
                momentum,
                probe.wd != null ? probe.wd : FINETUNE_WD,
                probe.batch != null ? probe.batch : FINETUNE_BATCH,
                false,
                probe.evalEvery);
    }
}
