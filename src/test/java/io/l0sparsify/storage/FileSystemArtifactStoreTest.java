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

class FileSystemArtifactStoreTest {

    @TempDir
    Path dir;

    private ArtifactStore store;

    @BeforeEach
    void setUp() {
        store = new FileSystemArtifactStore(new StorageProperties(dir));
    }

    @Test
    void storedArtifactIsListedWithSizeMediaTypeAndSha256() throws IOException {
        store.put("job-1", "result.json", "{}".getBytes(StandardCharsets.UTF_8));
        store.put("job-1", "model.onnx", new byte[] {1, 2, 3});
        // sha256("{}") = 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
        assertThat(store.list("job-1")).containsExactly(
                new ArtifactInfo("model.onnx", "application/onnx", 3,
                        "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"),
                new ArtifactInfo("result.json", "application/json", 2,
                        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"));
        assertThat(store.read("job-1", "model.onnx")).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
    }

    @Test
    void replacingAnArtifactLeavesNoTemporaryFiles() throws IOException {
        store.put("job-1", "metrics.csv", "a\n".getBytes(StandardCharsets.UTF_8));
        store.put("job-1", "metrics.csv", "a\nb\n".getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(dir.resolve("job-1"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("metrics.csv", ".metrics.csv.sha256");
        }
        assertThat(store.info("job-1", "metrics.csv").orElseThrow().size()).isEqualTo(4);
    }

    @Test
    void unknownJobsAndNamesReadAsEmpty() throws IOException {
        assertThat(store.list("nobody")).isEmpty();
        assertThat(store.info("nobody", "model.onnx")).isEmpty();
        assertThat(store.open("nobody", "model.onnx")).isEmpty();
    }

    @Test
    void namesThatCouldLeaveTheJobDirectoryAreRejected() throws IOException {
        assertThat(store.open("job-1", "../secret")).isEmpty();
        assertThat(store.info("job-1", ".hidden")).isEmpty();
        assertThat(store.open("../etc", "passwd")).isEmpty();
        assertThatThrownBy(() -> store.put("job-1", "a/b", new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteAllRemovesTheJobsFiles() throws IOException {
        store.put("job-1", "spec.json", "{}".getBytes(StandardCharsets.UTF_8));
        store.deleteAll("job-1");
        assertThat(store.list("job-1")).isEmpty();
        assertThat(dir.resolve("job-1")).doesNotExist();
    }
}
