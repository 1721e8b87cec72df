package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetUploads;
import jakarta.servlet.MultipartConfigElement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Multipart requests under the same limit as binary uploads ({@code l0.datasets.max-upload-size}) for the file
 * part, buffered on disk in the upload area rather than in memory; Spring Boot's own
 * {@code spring.servlet.multipart.*} settings give way to this. A body past the limit is answered 413.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole({Role.ALL, Role.API})
class UploadConfiguration {

    /** Room for the metadata part and the part headers besides the file. */
    static final long METADATA_ALLOWANCE = 1 << 20;

    @Bean
    MultipartConfigElement multipartConfigElement(DatasetUploads uploads) {
        try {
            Files.createDirectories(uploads.root());
        } catch (IOException e) {
            throw new UncheckedIOException("l0.datasets.upload.dir: cannot create " + uploads.root(), e);
        }
        long limit = uploads.maxUploadBytes();
        // 0: every part goes to disk as it arrives, none is held in memory
        return new MultipartConfigElement(uploads.root().toString(), limit, limit + METADATA_ALLOWANCE, 0);
    }
}
