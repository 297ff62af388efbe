package dev.selfsup.config;

import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * YAML scalars as the scalar types of record components (integers, numbers, booleans, enums,
 * strings), and the wording {@link RecordBinder}'s errors use for expected and given values.
 */
final class ScalarValues {
    private ScalarValues() {}

    /**
     * {@code node} as a value of {@code raw}, the erasure of {@code type}; a {@link
     * ConfigException} naming {@code key} and the node's line if it is not a scalar or does not
     * parse.
     */
    static Object convert(Type type, Class<?> raw, Node node, String key) {
        if (!(node instanceof ScalarNode scalar)) {
            throw new ConfigException(
                            key, "expected a single " + describe(raw) + ", got a " + kind(node))
                    .at(RecordBinder.location(node.getStartMark()));
        }
        String s = scalar.getValue().trim();
        try {
            if (raw == String.class) {
                return scalar.getValue();
            }
            if (s.isEmpty() || s.equals("~") || s.equalsIgnoreCase("null")) {
                throw new ConfigException(key, "needs a value (" + describe(raw) + ")");
            }
            if (raw == int.class || raw == Integer.class) {
                double d = Double.parseDouble(s.replace("_", ""));
                if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                    throw new NumberFormatException();
                }
                return (int) d;
            }
            if (raw == long.class || raw == Long.class) {
                double d = Double.parseDouble(s.replace("_", ""));
                if (d != Math.rint(d)) {
                    throw new NumberFormatException();
                }
                return s.matches("-?[0-9_]+") ? Long.parseLong(s.replace("_", "")) : (long) d;
            }
            if (raw == double.class || raw == Double.class) {
                return Double.parseDouble(s);
            }
            if (raw == boolean.class || raw == Boolean.class) {
                if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                    return Boolean.parseBoolean(s);
                }
                throw new NumberFormatException();
            }
            if (raw.isEnum()) {
                String wanted = s.toUpperCase(Locale.ROOT).replace('-', '_');
                for (Object constant : raw.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equals(wanted)) {
                        return constant;
                    }
                }
                throw new ConfigException(key, "got '" + s + "', valid: " + enumNames(raw));
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "got '" + s + "', expected " + describe(raw))
                    .at(RecordBinder.location(node.getStartMark()));
        } catch (ConfigException e) {
            throw e.at(RecordBinder.location(node.getStartMark()));
        }
        throw new IllegalStateException("unsupported recipe field type " + type + " at " + key);
    }

    static String describe(Class<?> raw) {
        if (raw == int.class || raw == long.class || raw == Integer.class || raw == Long.class) {
            return "an integer";
        }
        if (raw == double.class || raw == Double.class) {
            return "a number";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "true or false";
        }
        if (raw.isEnum()) {
            return "one of " + enumNames(raw);
        }
        return "a " + raw.getSimpleName();
    }

    static String enumNames(Class<?> raw) {
        return Arrays.stream(raw.getEnumConstants())
                .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    static String kind(Node n) {
        return n instanceof MappingNode ? "mapping" : n instanceof SequenceNode ? "list" : "value";
    }

    static String text(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : kind(n);
    }
}
