package io.l0sparsify.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every model blob store must do; one subclass per store. */
abstract class ModelBlobStoreContract {

    @TempDir
    Path source;

    abstract ModelBlobStore models();

    @Test
    void storedFileIsReadBackByteForByteAndReplacedWhole() throws IOException {
        byte[] first = new byte[1000];
        byte[] second = new byte[3 << 20];
        new Random(7).nextBytes(first);
        new Random(8).nextBytes(second);
        models().put("model-1", Files.write(source.resolve("a.onnx"), first));
        try (InputStream in = models().open("model-1").orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(first);
        }
        models().put("model-1", Files.write(source.resolve("b.onnx"), second));
        try (InputStream in = models().open("model-1").orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(second);
        }
    }

    @Test
    void deletedOrUnknownModelsHaveNoFile() throws IOException {
        models().put("model-2", Files.write(source.resolve("c.onnx"), new byte[] {1, 2, 3}));
        models().delete("model-2");
        assertThat(models().open("model-2")).isEmpty();
        models().delete("model-2");
        assertThat(models().open("nobody")).isEmpty();
    }

    @Test
    void idsThatCouldLeaveTheModelsPlaceAreRejected() throws IOException {
        assertThat(models().open("../secret")).isEmpty();
        assertThatThrownBy(() -> models().put("../x", Files.write(source.resolve("d.onnx"), new byte[1])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> models().delete("a/b")).isInstanceOf(IllegalArgumentException.class);
    }
}
