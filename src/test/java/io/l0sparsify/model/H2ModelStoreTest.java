package io.l0sparsify.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The model table on the embedded default database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:modelstore;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false",
        "l0.models.upload-dir=target/model-store-uploads"})
class H2ModelStoreTest extends ModelStoreContractTest {

    @Autowired
    ModelService service;

    @Autowired
    ModelProperties properties;

    @Test
    void partialUploadsUntouchedForLongAreRemovedAndRecentOnesKept() throws Exception {
        Path dir = Files.createDirectories(properties.uploadDir());
        Path old = Files.writeString(dir.resolve("old" + ModelService.PART), "x");
        Path recent = Files.writeString(dir.resolve("recent" + ModelService.PART), "x");
        Path other = Files.writeString(dir.resolve("notes.txt"), "x");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        assertThat(service.removeAbandonedUploads(Duration.ofHours(1))).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(recent).exists();
        assertThat(other).exists();
        Files.delete(recent);
        Files.delete(other);
    }
}
