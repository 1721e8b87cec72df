package io.l0sparsify.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every artifact and checkpoint store must do; one subclass per store. */
abstract class StoreContract {

    abstract ArtifactStore artifacts();

    abstract CheckpointStore checkpoints();

    abstract DatasetBlobStore datasetBlobs();

    /** A file of {@code size} random bytes, for blobs that are put from files. */
    static Path randomFile(Path dir, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(Files.createTempFile(dir, "blob", ".bin"), bytes);
    }

    @Test
    void aDatasetBlobIsStoredFromAFileReplacedWholeAndDeleted(@TempDir Path dir) throws IOException {
        String id = "3d0c7a52-1a8e-4c1f-9f43-0a7e2b6d9c11";
        datasetBlobs().put(id, randomFile(dir, 1000, 1));
        Path larger = randomFile(dir, 3 << 20, 2);
        datasetBlobs().put(id, larger);
        try (InputStream in = datasetBlobs().open(id).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(larger));
        }
        assertThat(artifacts().list(id)).as("dataset blobs are not artifacts").isEmpty();
        datasetBlobs().delete(id);
        assertThat(datasetBlobs().open(id)).isEmpty();
    }

    @Test
    void unknownOrInvalidDatasetBlobsReadAsEmptyAndCannotBeWritten(@TempDir Path dir) throws IOException {
        assertThat(datasetBlobs().open("nobody")).isEmpty();
        assertThat(datasetBlobs().open("../etc")).isEmpty();
        datasetBlobs().delete("nobody");
        Path file = randomFile(dir, 10, 3);
        assertThatThrownBy(() -> datasetBlobs().put("../x", file)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void storedArtifactIsListedWithSizeMediaTypeAndSha256() throws IOException {
        artifacts().put("job-1", "result.json", "{}".getBytes(StandardCharsets.UTF_8));
        artifacts().put("job-1", "model.onnx", new byte[] {1, 2, 3});
        // sha256("{}") = 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
        assertThat(artifacts().list("job-1")).containsExactly(
                new ArtifactInfo("model.onnx", "application/onnx", 3,
                        "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"),
                new ArtifactInfo("result.json", "application/json", 2,
                        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"));
        assertThat(artifacts().read("job-1", "model.onnx"))
                .hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
    }

    @Test
    void aReplacedArtifactIsReadWholeInItsNewVersion() throws IOException {
        artifacts().put("job-2", "metrics.csv", "a\n".getBytes(StandardCharsets.UTF_8));
        byte[] large = new byte[3 << 20];
        new Random(1).nextBytes(large);
        ArtifactInfo stored = artifacts().put("job-2", "metrics.csv", large);
        assertThat(artifacts().list("job-2")).containsExactly(stored);
        assertThat(artifacts().info("job-2", "metrics.csv")).contains(stored);
        try (InputStream in = artifacts().open("job-2", "metrics.csv").orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(large);
        }
    }

    @Test
    void unknownJobsAndNamesReadAsEmpty() throws IOException {
        assertThat(artifacts().list("nobody")).isEmpty();
        assertThat(artifacts().info("nobody", "model.onnx")).isEmpty();
        assertThat(artifacts().open("nobody", "model.onnx")).isEmpty();
        assertThat(checkpoints().get("nobody")).isEmpty();
        checkpoints().delete("nobody");
        artifacts().deleteAll("nobody");
    }

    @Test
    void namesThatCouldLeaveTheJobsPlaceAreRejected() throws IOException {
        assertThat(artifacts().open("job-3", "../secret")).isEmpty();
        assertThat(artifacts().info("job-3", ".hidden")).isEmpty();
        assertThat(artifacts().open("../etc", "passwd")).isEmpty();
        assertThat(artifacts().list("../etc")).isEmpty();
        assertThatThrownBy(() -> artifacts().put("job-3", "a/b", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> checkpoints().put("../x", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deleteAllRemovesOneJobsArtifactsOnly() throws IOException {
        artifacts().put("job-4", "spec.json", "{}".getBytes(StandardCharsets.UTF_8));
        artifacts().put("job-4", "model.onnx", new byte[] {7});
        artifacts().put("job-40", "spec.json", "{}".getBytes(StandardCharsets.UTF_8));
        artifacts().deleteAll("job-4");
        assertThat(artifacts().list("job-4")).isEmpty();
        assertThat(artifacts().list("job-40")).extracting(ArtifactInfo::name).containsExactly("spec.json");
    }

    @Test
    void checkpointIsReplacedAndDeleted() throws IOException {
        checkpoints().put("job-5", new byte[] {1, 2});
        byte[] checkpoint = new byte[1 << 20];
        new Random(2).nextBytes(checkpoint);
        checkpoints().put("job-5", checkpoint);
        assertThat(checkpoints().get("job-5")).as("stored as given, unread").hasValueSatisfying(
                back -> assertThat(back).isEqualTo(checkpoint));
        assertThat(artifacts().list("job-5")).as("checkpoints are not artifacts").isEmpty();
        checkpoints().delete("job-5");
        assertThat(checkpoints().get("job-5")).isEmpty();
    }
}
