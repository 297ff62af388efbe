package dev.selfsup.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every bundled recipe whose header says it reproduces or follows an official run loads to that
 * run's semantics: each value the official script, command or code fixes and the recipe sets is
 * asserted, with the source cited in the message. Departures a header documents are asserted as
 * documented.
 *
 * <p>The recipes are tested by method family, one test per recipe named after it: {@link
 * SwavRecipesTest}, {@link MocoV2RecipesTest}, {@link SimClrRecipeTest} and {@link DinoRecipeTest}.
 * This class checks that no recipe claiming an official run goes untested.
 */
class OfficialRecipesTest {
    /** The classes holding the recipe tests; a class left out here counts as no test at all. */
    private static final List<Class<?>> RECIPE_TESTS =
            List.of(
                    SwavRecipesTest.class,
                    MocoV2RecipesTest.class,
                    SimClrRecipeTest.class,
                    DinoRecipeTest.class);

    @Test
    void everyRecipeClaimingAnOfficialRunIsTested() throws IOException {
        Set<String> tested = testedRecipes();
        Set<String> claiming = new TreeSet<>();
        for (String name : RecipeLoader.bundled()) {
            String header = header(name).toLowerCase(Locale.ROOT);
            boolean claims = header.contains("official") || header.contains("reproduc");
            if (claims && !header.contains("not a paper reproduction")) {
                claiming.add(name);
            }
        }
        for (String name : claiming) {
            assertTrue(
                    tested.contains(name),
                    name
                            + "'s header claims an official run or a reproduction but no test in "
                            + RECIPE_TESTS.stream().map(Class::getSimpleName).toList()
                            + " is named after it");
        }
    }

    /**
     * The recipes with a test: the names of the {@code @Test} methods of {@link #RECIPE_TESTS}.
     * They are the recipes whose header names an official run or a reproduction, and the MoCHi
     * recipe, which follows a paper without official code.
     */
    private static Set<String> testedRecipes() {
        Set<String> names = new TreeSet<>();
        for (Class<?> c : RECIPE_TESTS) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isAnnotationPresent(Test.class)) {
                    names.add(m.getName());
                }
            }
        }
        return names;
    }

    /**
     * The leading comment block of a bundled recipe, joined into one line without the {@code #}s.
     */
    private static String header(String name) throws IOException {
        try (InputStream in =
                OfficialRecipesTest.class.getResourceAsStream("/configs/" + name + ".yaml")) {
            assertNotNull(in, "bundled recipe " + name + " not on the classpath");
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#")) {
                    break;
                }
                lines.add(line.substring(1).trim());
            }
            return String.join(
                    " ", lines); // one line, so a phrase broken across lines still matches
        }
    }
}
