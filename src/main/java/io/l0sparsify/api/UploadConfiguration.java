package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetUploads;
import io.l0sparsify.model.ModelService;
import jakarta.servlet.MultipartConfigElement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Multipart requests under the larger of the upload limits ({@code l0.datasets.max-upload-size},
 * {@code l0.models.max-upload-size}) for the file part, buffered on disk in the upload area rather than in
 * memory; Spring Boot's own {@code spring.servlet.multipart.*} settings give way to this. A body past it is
 * answered 413; each upload then holds its file to its own limit as it reads it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole({Role.ALL, Role.API})
class UploadConfiguration {

    /** Room for the metadata part and the part headers besides the file. */
    static final long METADATA_ALLOWANCE = 1 << 20;

    @Bean
    MultipartConfigElement multipartConfigElement(DatasetUploads uploads, ModelService models) {
        try {
            Files.createDirectories(uploads.root());
        } catch (IOException e) {
            throw new UncheckedIOException("l0.datasets.upload.dir: cannot create " + uploads.root(), e);
        }
        long limit = Math.max(uploads.maxUploadBytes(), models.maxUploadBytes());
        // 0: every part goes to disk as it arrives, none is held in memory
        return new MultipartConfigElement(uploads.root().toString(), limit, limit + METADATA_ALLOWANCE, 0);
    }
}
