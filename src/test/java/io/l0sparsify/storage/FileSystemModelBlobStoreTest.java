package io.l0sparsify.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemModelBlobStoreTest extends ModelBlobStoreContract {

    @TempDir
    Path dir;

    private ModelBlobStore models;

    @BeforeEach
    void setUp() {
        models = new FileSystemModelBlobStore(new StorageProperties(StorageProperties.FILE, dir, null));
    }

    @Override
    ModelBlobStore models() {
        return models;
    }

    @Test
    void aModelIsOneFileNamedByItsIdWithNoTemporaryLeftBehind() throws IOException {
        models.put("m-1", Files.write(source.resolve("x.onnx"), new byte[] {4, 5}));
        try (Stream<Path> files = Files.list(dir.resolve("models"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("m-1.onnx");
        }
    }
}
