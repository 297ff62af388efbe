package dev.selfsup.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** Maps exceptions to exit codes and prints one clear line for the user's own mistakes. */
final class ExitCodes {
    static final int USAGE = 2;
    static final int BAD_INPUT = 3;
    static final int IO = 4;
    static final int INTERNAL = 1;

    private ExitCodes() {}

    static int of(Throwable t) {
        if (t instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            return BAD_INPUT;
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return IO;
        }
        return INTERNAL;
    }

    static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        int code = of(e);
        if (code == INTERNAL) {
            e.printStackTrace(cmd.getErr());
        } else {
            cmd.getErr().println("error: " + e.getMessage());
        }
        return code;
    }
}
