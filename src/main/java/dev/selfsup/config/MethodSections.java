package dev.selfsup.config;

import dev.selfsup.method.MethodSettings;
import dev.selfsup.method.Methods;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The recipe layout of a {@link MethodSettings} component: the per-method sections {@link Methods}
 * names, which method owns which, and where a key misplaced outside its section belongs.
 */
final class MethodSections {
    private MethodSections() {}

    /** Whether the record has a method component, and so takes the method sections as keys. */
    static boolean hasMethod(RecordComponent[] components) {
        return Arrays.stream(components).anyMatch(c -> c.getType() == MethodSettings.class);
    }

    /** Every method's section key, in {@link Methods} order. */
    static List<String> sections() {
        return Methods.entries().stream().map(Methods.Entry::section).toList();
    }

    /** {@code [name → section, ...]} for the error on a section of another method. */
    static String sectionsByMethod() {
        return Methods.entries().stream()
                .map(e -> e.name() + " → " + e.section())
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /** Where a key that belongs inside a method section may be meant (e.g. mochi → moco.mochi). */
    static String movedHint(String key) {
        List<String> places = new ArrayList<>();
        for (Methods.Entry<?> e : Methods.entries()) {
            if (Arrays.stream(e.type().getRecordComponents())
                    .anyMatch(c -> RecordBinder.snake(c.getName()).equals(key))) {
                places.add(e.section() + "." + key);
            }
        }
        return places.isEmpty()
                ? ""
                : "; a method's "
                        + key
                        + " sits inside its section: "
                        + String.join(" or ", places);
    }
}
