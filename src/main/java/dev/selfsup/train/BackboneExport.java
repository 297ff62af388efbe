package dev.selfsup.train;

import dev.selfsup.method.Method;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Saves the trained backbone as safetensors ({@link Weights#save}) when the last epoch ends. */
final class BackboneExport implements LoopObserver {
    private final Method method;
    private final Path file;

    /**
     * Creates the export.
     *
     * @param method the method whose backbone is saved
     * @param file the safetensors file
     */
    BackboneExport(Method method, Path file) {
        this.method = method;
        this.file = file;
    }

    @Override
    public void onFinish() throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Weights.save(method.backbone(), file);
    }
}
