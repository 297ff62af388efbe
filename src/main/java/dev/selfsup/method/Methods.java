package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of pretraining methods: name → recipe section → settings record (with its defaults)
 * → factory. Recipes, {@code selfsup bench train-step} and the composition root find a method here,
 * never by a {@code switch}. Adding a method is a {@link MethodSettings} record, a {@link Method}
 * class with a static factory, and one {@code register} line in this class.
 */
public final class Methods {
    private static final Map<String, Entry<?>> BY_NAME = builtIn();

    private static Map<String, Entry<?>> builtIn() {
        Map<String, Entry<?>> m = new LinkedHashMap<>();
        register(
                m,
                "simclr",
                "simclr",
                SimClrSettings.class,
                SimClrSettings.defaults(),
                SimClr::create);
        register(m, "mocov2", "moco", MocoSettings.class, MocoSettings.defaults(), MocoV2::create);
        register(m, "swav", "swav", SwavSettings.class, SwavSettings.defaults(), Swav::create);
        register(m, "dino", "dino", DinoSettings.class, DinoSettings.defaults(), Dino::create);
        return Collections.unmodifiableMap(m);
    }

    private Methods() {}

    /**
     * Builds a method from its settings and the run's parts.
     *
     * @param <S> the settings type
     */
    @FunctionalInterface
    public interface Factory<S extends MethodSettings> {
        /**
         * Builds the method; the engine must be seeded, initial weights are drawn from it.
         *
         * @param settings validated settings
         * @param parts the run's manager, batch size and networks
         * @return the method, ready to train
         */
        Method create(S settings, Parts parts);
    }

    /**
     * One method.
     *
     * @param name the name recipes give as {@code method:} and the CLI as {@code --method}
     * @param section the recipe key of its settings, e.g. {@code moco}
     * @param type the settings record
     * @param defaults the settings a recipe starts from
     * @param factory builds the method
     * @param <S> the settings type
     */
    public record Entry<S extends MethodSettings>(
            String name, String section, Class<S> type, S defaults, Factory<S> factory) {
        /**
         * Builds the method from settings of this entry's type.
         *
         * @param settings the settings
         * @param parts the run's parts
         * @return the method
         * @throws IllegalArgumentException if the settings are of another method
         */
        public Method create(MethodSettings settings, Parts parts) {
            checkArgument(
                    type.isInstance(settings),
                    "%s settings given to method %s",
                    settings.getClass().getSimpleName(),
                    name);
            return factory.create(type.cast(settings), parts);
        }
    }

    private static <S extends MethodSettings> void register(
            Map<String, Entry<?>> table,
            String name,
            String section,
            Class<S> type,
            S defaults,
            Factory<S> factory) {
        for (Entry<?> e : table.values()) {
            checkArgument(
                    !e.section().equals(section) && e.type() != type,
                    "method %s: section %s or %s already" + " belongs to %s",
                    name,
                    section,
                    type.getSimpleName(),
                    e.name());
        }
        checkArgument(
                table.putIfAbsent(name, new Entry<>(name, section, type, defaults, factory))
                        == null,
                "method %s registered twice",
                name);
    }

    /**
     * The method names, in registration order.
     *
     * @return e.g. {@code [simclr, mocov2, swav]}
     */
    public static List<String> names() {
        return new ArrayList<>(BY_NAME.keySet());
    }

    /**
     * Every method, in registration order.
     *
     * @return the entries
     */
    public static List<Entry<?>> entries() {
        return new ArrayList<>(BY_NAME.values());
    }

    /**
     * The method of a name.
     *
     * @param name e.g. {@code mocov2}
     * @return its entry
     * @throws IllegalArgumentException naming the known methods if there is none
     */
    public static Entry<?> named(String name) {
        Entry<?> e = BY_NAME.get(name);
        checkArgument(e != null, "unknown method '%s'; known methods: %s", name, names());
        return e;
    }

    /**
     * The method whose settings these are.
     *
     * @param settings a method's settings
     * @return its entry
     */
    public static Entry<?> of(MethodSettings settings) {
        for (Entry<?> e : BY_NAME.values()) {
            if (e.type().isInstance(settings)) {
                return e;
            }
        }
        throw new IllegalStateException(
                "no method registered for " + settings.getClass().getName());
    }

    /**
     * Builds the method the settings belong to.
     *
     * @param settings a method's settings
     * @param parts the run's manager, batch size and networks
     * @return the method
     */
    public static Method create(MethodSettings settings, Parts parts) {
        return of(settings).create(settings, parts);
    }
}
