package dev.selfsup.config;

import dev.selfsup.method.MethodSettings;
import dev.selfsup.method.Methods;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Writes a resolved recipe back as YAML (every key explicit), the form kept in each run folder. */
public final class YamlWriter {
    private YamlWriter() {}

    /**
     * The recipe as YAML with {@code snake_case} keys; loading it gives an equal recipe.
     *
     * @param recipe the recipe
     * @return YAML text
     */
    public static String write(Record recipe) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setWidth(120);
        return new Yaml(o).dump(toTree(recipe));
    }

    static Object toTree(Object value) {
        if (value instanceof Record r) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object v = RecordBinder.read(c, r);
                if (v instanceof MethodSettings m) {
                    // method: NAME, then that method's section
                    Methods.Entry<?> e = Methods.of(m);
                    map.put(RecordBinder.snake(c.getName()), e.name());
                    map.put(e.section(), toTree(m));
                } else {
                    map.put(RecordBinder.snake(c.getName()), toTree(v));
                }
            }
            return map;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) {
                out.add(toTree(o));
            }
            return out;
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        return value;
    }
}
