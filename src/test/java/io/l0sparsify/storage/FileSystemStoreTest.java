package io.l0sparsify.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemStoreTest extends StoreContract {

    @TempDir
    Path dir;

    private ArtifactStore artifacts;
    private CheckpointStore checkpoints;
    private DatasetBlobStore datasetBlobs;

    @BeforeEach
    void setUp() {
        StorageProperties properties = new StorageProperties(StorageProperties.FILE, dir, null);
        artifacts = new FileSystemArtifactStore(properties);
        checkpoints = new FileSystemCheckpointStore(properties);
        datasetBlobs = new FileSystemDatasetBlobStore(properties);
    }

    @Override
    DatasetBlobStore datasetBlobs() {
        return datasetBlobs;
    }

    @Test
    void aDatasetBlobIsAFileUnderDatasetsWithNoTemporaryFileLeft(@TempDir Path source) throws IOException {
        datasetBlobs.put("ds-1", randomFile(source, 100, 4));
        datasetBlobs.put("ds-1", randomFile(source, 200, 5));
        try (Stream<Path> files = Files.list(dir.resolve("datasets"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ds-1.l0ds");
        }
        assertThat(dir.resolve("datasets").resolve("ds-1.l0ds")).hasSize(200);
    }

    @Override
    ArtifactStore artifacts() {
        return artifacts;
    }

    @Override
    CheckpointStore checkpoints() {
        return checkpoints;
    }

    @Test
    void replacingAnArtifactLeavesNoTemporaryFiles() throws IOException {
        artifacts.put("job-1", "metrics.csv", "a\n".getBytes(StandardCharsets.UTF_8));
        artifacts.put("job-1", "metrics.csv", "a\nb\n".getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(dir.resolve("job-1"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("metrics.csv", ".metrics.csv.sha256");
        }
    }

    @Test
    void deleteAllRemovesTheJobsDirectory() throws IOException {
        artifacts.put("job-1", "spec.json", "{}".getBytes(StandardCharsets.UTF_8));
        artifacts.deleteAll("job-1");
        assertThat(dir.resolve("job-1")).doesNotExist();
    }

    @Test
    void aPutThatCannotWriteItsFileLeavesNoDigestBehind() throws IOException {
        // A non-empty directory where the file should go: the rename onto it fails, as a full disk would fail it.
        Files.createDirectories(dir.resolve("job-1").resolve("model.onnx").resolve("in-the-way"));
        assertThatThrownBy(() -> artifacts.put("job-1", "model.onnx", new byte[] {1, 2, 3}))
                .isInstanceOf(IOException.class);
        try (Stream<Path> files = Files.list(dir.resolve("job-1"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
        }
    }
}
