package io.l0sparsify.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class StoragePropertiesTest {

    @Test
    void settingsAreCheckedWhenBound() {
        assertThatThrownBy(() -> new StorageProperties("s3", null, null))
                .hasMessage("l0.storage.s3.bucket: required when l0.storage.type is s3");
        assertThatThrownBy(() -> new StorageProperties("ftp", null, null))
                .hasMessage("l0.storage.type: must be file or s3 but is ftp");
        assertThatThrownBy(() -> new StorageProperties.S3("b", null, null, null, null, "key", null))
                .hasMessageContaining("both access-key and secret-key");
    }

    @Test
    void anEndpointMeansPathStyleAndADefaultRegionWhileAwsKeepsTheSdksOwn() {
        StorageProperties.S3 minio = new StorageProperties.S3("b", null, URI.create("http://minio:9000"), null, null,
                null, null);
        assertThat(minio.pathStyle()).isTrue();
        assertThat(minio.region()).isEqualTo("us-east-1");
        StorageProperties.S3 aws = new StorageProperties.S3("b", null, null, null, null, null, null);
        assertThat(aws.pathStyle()).isFalse();
        assertThat(aws.region()).isNull();
        assertThat(aws.prefix()).isEmpty();
    }

    @Test
    void theSecretKeyStaysOutOfToString() {
        assertThat(new StorageProperties.S3("b", null, null, "eu-west-1", null, "AKIA", "very-secret").toString())
                .contains("accessKey=AKIA").doesNotContain("very-secret");
    }
}
