package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Artifacts as objects {@code <prefix>jobs/<jobId>/<name>} in an S3-compatible bucket, each with its SHA-256 in
 * the object's metadata. A PUT replaces an object whole, so a reader never sees half an artifact. Store
 * errors surface as {@link IOException}s, as the file store's do.
 */
public class S3ArtifactStore implements ArtifactStore {

    private static final String SHA256 = "sha256";

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3ArtifactStore(S3Client s3, StorageProperties.S3 properties) {
        this.s3 = s3;
        this.bucket = properties.bucket();
        this.prefix = properties.prefix();
    }

    @Override
    public ArtifactInfo put(String jobId, String name, byte[] content) throws IOException {
        String key = keyOf(jobId, name);
        String sha256 = FileSystemArtifactStore.sha256(content);
        call(() -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(ArtifactStore.mediaTypeOf(name))
                .metadata(Map.of(SHA256, sha256)), RequestBody.fromBytes(content)));
        return new ArtifactInfo(name, ArtifactStore.mediaTypeOf(name), content.length, sha256);
    }

    @Override
    public List<ArtifactInfo> list(String jobId) throws IOException {
        if (!ArtifactStore.isValidJobId(jobId)) {
            return List.of();
        }
        String jobPrefix = jobPrefix(jobId);
        List<String> names = new ArrayList<>();
        call(() -> {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(jobPrefix)).contents()) {
                String name = object.key().substring(jobPrefix.length());
                if (ArtifactStore.isValidName(name)) {
                    names.add(name);
                }
            }
            return null;
        });
        names.sort(null);
        List<ArtifactInfo> infos = new ArrayList<>();
        for (String name : names) {
            info(jobId, name).ifPresent(infos::add);
        }
        return infos;
    }

    @Override
    public Optional<ArtifactInfo> info(String jobId, String name) throws IOException {
        if (!ArtifactStore.isValidName(name) || !ArtifactStore.isValidJobId(jobId)) {
            return Optional.empty();
        }
        String key = keyOf(jobId, name);
        HeadObjectResponse head;
        try {
            head = call(() -> s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (NotFound e) {
            return Optional.empty();
        }
        String sha256 = head.metadata().get(SHA256);
        if (sha256 == null) {
            // put there by something other than this store, without a digest: hashed on every look
            sha256 = FileSystemArtifactStore.sha256(read(jobId, name).orElse(new byte[0]));
        }
        return Optional.of(new ArtifactInfo(name, ArtifactStore.mediaTypeOf(name), head.contentLength(), sha256));
    }

    @Override
    public Optional<InputStream> open(String jobId, String name) throws IOException {
        if (!ArtifactStore.isValidName(name) || !ArtifactStore.isValidJobId(jobId)) {
            return Optional.empty();
        }
        String key = keyOf(jobId, name);
        try {
            return Optional.of(call(() -> s3.getObject(b -> b.bucket(bucket).key(key))));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public void deleteAll(String jobId) throws IOException {
        String jobPrefix = jobPrefix(jobId);
        // One DELETE per object (a job has a handful): the batch call needs a content checksum that some
        // S3-compatible stores do not accept from this SDK, and reports failures per key instead of failing.
        List<String> keys = new ArrayList<>();
        call(() -> {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(jobPrefix)).contents()) {
                keys.add(object.key());
            }
            return null;
        });
        for (String key : keys) {
            call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
        }
    }

    private String jobPrefix(String jobId) {
        if (!ArtifactStore.isValidJobId(jobId)) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return prefix + "jobs/" + jobId + "/";
    }

    private String keyOf(String jobId, String name) {
        if (!ArtifactStore.isValidName(name)) {
            throw new IllegalArgumentException("not an artifact name: " + name);
        }
        return jobPrefix(jobId) + name;
    }

    /** A missing key, told apart from other store errors. */
    static final class NotFound extends IOException {
        NotFound(String message) {
            super(message);
        }
    }

    interface S3Call<T> {
        T run();
    }

    /**
     * Runs one store call; a missing key becomes {@link NotFound}, any other failure (a missing bucket too) an
     * IOException, so that a misconfigured store is an error and not an empty one.
     */
    static <T> T call(S3Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (NoSuchKeyException e) {
            throw new NotFound(e.getMessage());
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            // a HEAD answer has no body, hence no code: its 404 can only mean "no such key" here
            if (e.statusCode() == 404 && (code == null || code.isEmpty() || code.equals("NoSuchKey")
                    || code.equals("NotFound"))) {
                throw new NotFound(e.getMessage());
            }
            throw new IOException("object store: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("object store: " + e.getMessage(), e);
        }
    }
}
