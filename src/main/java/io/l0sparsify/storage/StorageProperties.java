package io.l0sparsify.storage;

import java.net.URI;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where artifacts and checkpoints live ({@code l0.storage.*}).
 *
 * @param type {@code file} (default): under {@link #dir}, a shared volume when several processes serve one
 *     queue; {@code s3}: in an S3-compatible bucket ({@link #s3})
 * @param dir the directory under which each job's artifacts live in a sub-directory ({@code file})
 * @param s3 the bucket ({@code s3})
 */
@ConfigurationProperties("l0.storage")
public record StorageProperties(String type, Path dir, S3 s3) {

    public static final String FILE = "file";
    public static final String S3_TYPE = "s3";

    public StorageProperties {
        type = type != null ? type : FILE;
        if (!type.equals(FILE) && !type.equals(S3_TYPE)) {
            throw new IllegalArgumentException("l0.storage.type: must be file or s3 but is " + type);
        }
        dir = dir != null ? dir : Path.of("data", "artifacts");
        s3 = s3 != null ? s3 : new S3(null, null, null, null, null, null, null);
        if (type.equals(S3_TYPE) && s3.bucket() == null) {
            throw new IllegalArgumentException("l0.storage.s3.bucket: required when l0.storage.type is s3");
        }
    }

    /**
     * An S3-compatible bucket. Credentials: {@code access-key}/{@code secret-key} when given, else the AWS SDK's
     * default chain (environment {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profile, instance
     * role).
     *
     * @param bucket the bucket; it must exist
     * @param prefix put before every key, e.g. {@code l0/} (default none)
     * @param endpoint for a store other than AWS (MinIO, Ceph, ...), e.g. {@code http://minio:9000}
     * @param region unset: the AWS SDK's own lookup ({@code AWS_REGION}, profile), or {@code us-east-1} with an
     *     endpoint
     * @param pathStyle path-style URLs ({@code endpoint/bucket/key}); default true when an endpoint is set
     * @param accessKey optional static credentials
     * @param secretKey optional static credentials
     */
    public record S3(String bucket, String prefix, URI endpoint, String region, Boolean pathStyle, String accessKey,
            String secretKey) {

        public S3 {
            prefix = prefix != null ? prefix : "";
            region = region != null || endpoint == null ? region : "us-east-1";
            pathStyle = pathStyle != null ? pathStyle : endpoint != null;
            if ((accessKey == null) != (secretKey == null)) {
                throw new IllegalArgumentException("l0.storage.s3: give both access-key and secret-key, or neither");
            }
        }

        /** Without the secret: settings end up in logs and error messages. */
        @Override
        public String toString() {
            return "S3[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region=" + region
                    + ", pathStyle=" + pathStyle + ", accessKey=" + accessKey + ", secretKey="
                    + (secretKey == null ? null : "***") + "]";
        }
    }
}
