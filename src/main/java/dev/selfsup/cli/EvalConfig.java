package dev.selfsup.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --config FILE} for the evaluation commands: a flat YAML mapping whose keys are the
 * command's long option names ({@code epochs: 100}, {@code k: [20, 200]}, {@code bn: true}; {@code
 * snake_case} or {@code kebab-case}). The file becomes command-line arguments placed before the
 * user's own, so every value goes through the same picocli conversion and checks, and an option
 * given on the command line wins over the file. An unknown key is an error naming the key, the file
 * and the valid keys.
 */
final class EvalConfig {
    private EvalConfig() {}

    /**
     * Re-runs a command with the file's options added.
     *
     * @param spec the parsed command (its matched options are kept)
     * @param file the YAML file
     * @param fresh makes a new, unparsed instance of the same command
     * @param <T> the command type
     * @return the command's exit code
     * @throws Exception whatever the command throws
     */
    static <T extends Callable<Integer>> int rerun(CommandSpec spec, Path file, Supplier<T> fresh)
            throws Exception {
        List<String> args = fromFile(file, spec);
        args.addAll(commandLine(spec));
        T command = fresh.get();
        CommandLine cl = new CommandLine(command);
        try {
            cl.parseArgs(args.toArray(new String[0]));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        return command.call();
    }

    /** The file's options as arguments, skipping those given on the command line. */
    static List<String> fromFile(Path file, CommandSpec spec) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "--config " + file + ": no such file (see configs/eval/ for examples)");
        }
        Object root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + " is not valid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return new ArrayList<>();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(
                    file + " must be a mapping of option names to values, e.g. 'epochs: 100'");
        }
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        List<String> args = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            String name = "--" + key.replace('_', '-');
            OptionSpec option = spec.findOption(name);
            if (option == null
                    || name.equals("--config")
                    || option.usageHelp()
                    || option.versionHelp()) {
                throw new IllegalArgumentException(
                        String.format(
                                "%s: unknown key '%s'; valid keys: %s",
                                file, key, validKeys(spec)));
            }
            if (parsed != null && parsed.hasMatchedOption(option)) {
                continue; // the command line wins
            }
            Object value = e.getValue();
            if (value == null) {
                throw new IllegalArgumentException(file + ": key '" + key + "' has no value");
            }
            if (value instanceof List<?> list) {
                args.add(
                        name
                                + "="
                                + list.stream()
                                        .map(String::valueOf)
                                        .collect(Collectors.joining(",")));
            } else if (value instanceof Boolean b && option.arity().max() == 0) {
                if (b) {
                    args.add(name);
                }
            } else {
                args.add(name + "=" + value);
            }
        }
        return args;
    }

    /** The options matched on the command line, as arguments, without --config. */
    private static List<String> commandLine(CommandSpec spec) {
        List<String> args = new ArrayList<>();
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec option : parsed.matchedOptions()) {
            if (option.longestName().equals("--config")) {
                continue;
            }
            List<String> values = option.originalStringValues();
            if (values.isEmpty()) {
                args.add(option.longestName());
            }
            for (String v : values) {
                args.add(option.longestName() + "=" + v);
            }
        }
        return args;
    }

    private static String validKeys(CommandSpec spec) {
        return spec.options().stream()
                .filter(
                        o ->
                                !o.usageHelp()
                                        && !o.versionHelp()
                                        && !o.longestName().equals("--config"))
                .map(o -> o.longestName().substring(2).replace('-', '_'))
                .collect(Collectors.toCollection(TreeSet::new))
                .toString();
    }
}
