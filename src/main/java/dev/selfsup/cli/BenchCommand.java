package dev.selfsup.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code selfsup bench}: named benchmarks; each prints one JSON object as its last line. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Run a named benchmark; the last output line is a JSON object with images_per_second.",
        subcommands = {BenchAugmentCommand.class, BenchTrainStepCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
