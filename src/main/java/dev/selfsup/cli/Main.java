package dev.selfsup.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code selfsup} command-line program. */
@Command(
        name = "selfsup",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description =
                "Self-supervised contrastive pretraining (SwAV, MoCo v2, SimCLR) on DJL + PyTorch.",
        subcommands = {
            InfoCommand.class,
            QuickstartCommand.class,
            PretrainCommand.class,
            LinearProbeCommand.class,
            KnnCommand.class,
            TransferCommand.class,
            BenchCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Builds the command line with selfsup's exit-code mapping (used by tests and by {@link
     * #main}).
     *
     * @return the configured command line
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExitCodeExceptionMapper(ExitCodes::of)
                .setExecutionExceptionHandler(ExitCodes::handle);
    }

    /**
     * Entry point; the only place that calls {@link System#exit}.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        Logging.configure();
        System.exit(commandLine().execute(args));
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"selfsup " + dev.selfsup.Version.selfsup()};
        }
    }
}
