package dev.selfsup.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The keys in which two recipes differ, as they would be written to YAML. */
public final class RecipeDiff {
    private RecipeDiff() {}

    /**
     * Every key whose value differs, in recipe order, as {@code key: before → after} with dotted
     * keys ({@code train.epochs: 100 → 200}; list elements by index, {@code augment.crops.0.size}).
     *
     * @param before one recipe
     * @param after the other
     * @return the differences; empty if the recipes are equal
     */
    public static List<String> differences(Recipe before, Recipe after) {
        Map<String, Object> a = flatten(YamlWriter.toTree(before));
        Map<String, Object> b = flatten(YamlWriter.toTree(after));
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : a.entrySet()) {
            if (!Objects.equals(e.getValue(), b.get(e.getKey()))) {
                out.add(e.getKey() + ": " + text(e.getValue()) + " → " + text(b.get(e.getKey())));
            }
        }
        for (Map.Entry<String, Object> e : b.entrySet()) {
            if (!a.containsKey(e.getKey())) {
                out.add(e.getKey() + ": (none) → " + text(e.getValue()));
            }
        }
        return out;
    }

    private static String text(Object value) {
        return value == null ? "(none)" : value.toString();
    }

    private static Map<String, Object> flatten(Object tree) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", tree, out);
        return out;
    }

    private static void flatten(String prefix, Object value, Map<String, Object> out) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(RecordBinder.join(prefix, String.valueOf(k)), v, out));
        } else if (value instanceof List<?> list
                && list.stream().anyMatch(v -> v instanceof Map<?, ?>)) {
            for (int i = 0; i < list.size(); i++) {
                flatten(RecordBinder.join(prefix, String.valueOf(i)), list.get(i), out);
            }
        } else {
            out.put(prefix, value);
        }
    }
}
