package dev.selfsup.cli;

import static dev.selfsup.internal.Checks.checkArgument;

import dev.selfsup.eval.ProbeProtocol;
import dev.selfsup.optim.LrSchedule;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Linear-probe protocol options shared by {@code linear-probe} and {@code transfer --mode linear}.
 */
final class ProbeOptions {
    @Option(
            names = "--protocol",
            defaultValue = "swav",
            description = "moco | swav | custom (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(
            names = "--lr",
            description = "learning rate (custom protocol; fine-tuning: the trunk's)")
    Double lr;

    @Option(names = "--epochs", description = "epochs (presets: 100)")
    Integer epochs;

    @Option(names = "--wd", description = "weight decay (custom protocol; fine-tuning)")
    Double wd;

    @Option(names = "--batch", description = "batch size (presets: 256)")
    Integer batch;

    @Option(
            names = "--bn",
            arity = "0..1",
            description = "BatchNorm without affine before the linear layer (MAE style)")
    boolean bn;

    @Option(
            names = "--augment",
            arity = "0..1",
            description =
                    "train on RandomResizedCrop + flip crops through the frozen backbone every epoch (the ImageNet"
                            + " protocol); default: cached features")
    boolean augment;

    @Option(
            names = "--eval-every",
            defaultValue = "1",
            description = "test every N epochs and after the last (default: ${DEFAULT-VALUE})")
    int evalEvery;

    /**
     * The probe protocol: a preset (its lr and weight decay are fixed; --epochs and --batch may
     * change, and are recorded) or custom (cosine to 0, momentum 0.9; --lr, --epochs required).
     *
     * @return the protocol
     */
    ProbeProtocol protocol() {
        String name = protocol.trim().toLowerCase(Locale.ROOT);
        ProbeProtocol p;
        switch (name) {
            case "moco", "swav" -> {
                checkArgument(
                        lr == null && wd == null,
                        "--lr/--wd define a protocol: use --protocol custom to set them (the %s preset has its own)",
                        name);
                p = name.equals("moco") ? ProbeProtocol.moco() : ProbeProtocol.swav();
            }
            case "custom" -> {
                checkArgument(lr != null, "--protocol custom needs --lr");
                checkArgument(epochs != null, "--protocol custom needs --epochs");
                p =
                        ProbeProtocol.custom(
                                lr,
                                epochs,
                                wd == null ? 0 : wd,
                                LrSchedule.cosine(0),
                                batch == null ? 256 : batch);
            }
            default ->
                    throw new IllegalArgumentException(
                            "--protocol '" + protocol + "' is unknown; valid: moco, swav, custom");
        }
        return new ProbeProtocol(
                p.name(),
                p.learningRate(),
                epochs != null ? epochs : p.epochs(),
                p.schedule(),
                p.momentum(),
                p.weightDecay(),
                batch != null ? batch : p.batchSize(),
                bn,
                evalEvery);
    }
}
