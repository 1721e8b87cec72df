package io.l0sparsify.storage;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code l0.storage.type=s3}: artifacts, checkpoints and dataset blobs in an S3-compatible bucket instead of a directory. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "l0.storage.type", havingValue = StorageProperties.S3_TYPE)
class S3StorageConfiguration {

    @Bean(destroyMethod = "close")
    S3Client s3Client(StorageProperties properties) {
        S3Client client;
        try {
            client = S3Clients.create(properties.s3());
        } catch (SdkException e) {
            throw new IllegalStateException("l0.storage.s3: cannot set up the S3 client (set l0.storage.s3.region or"
                    + " AWS_REGION when no region is configured): " + e.getMessage(), e);
        }
        // Fail at start-up, naming the setting, rather than at the first finished job.
        try {
            client.headBucket(b -> b.bucket(properties.s3().bucket()));
        } catch (SdkException e) {
            client.close();
            throw new IllegalStateException("l0.storage.s3.bucket: cannot reach bucket " + properties.s3().bucket()
                    + (properties.s3().endpoint() != null ? " at " + properties.s3().endpoint() : "") + ": "
                    + e.getMessage(), e);
        }
        return client;
    }

    @Bean
    ArtifactStore s3ArtifactStore(S3Client s3, StorageProperties properties) {
        return new S3ArtifactStore(s3, properties.s3());
    }

    @Bean
    DatasetBlobStore s3DatasetBlobStore(S3Client s3, StorageProperties properties) {
        return new S3DatasetBlobStore(s3, properties.s3());
    }

    @Bean
    ModelBlobStore s3ModelBlobStore(S3Client s3, StorageProperties properties) {
        return new S3ModelBlobStore(s3, properties.s3());
    }

    @Bean
    CheckpointStore s3CheckpointStore(S3Client s3, StorageProperties properties) {
        return new S3CheckpointStore(s3, properties.s3());
    }
}
