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
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
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
            // written by something else than this store: hash it once here
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
        call(() -> {
            List<ObjectIdentifier> batch = new ArrayList<>();
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(jobPrefix)).contents()) {
                batch.add(ObjectIdentifier.builder().key(object.key()).build());
                if (batch.size() == 1000) { // the most one request deletes
                    deleteBatch(batch);
                }
            }
            if (!batch.isEmpty()) {
                deleteBatch(batch);
            }
            return null;
        });
    }

    private void deleteBatch(List<ObjectIdentifier> batch) {
        List<ObjectIdentifier> keys = List.copyOf(batch);
        s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(keys).quiet(true).build()));
        batch.clear();
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

    /** Runs one store call; a missing key becomes {@link NotFound}, any other failure an IOException. */
    static <T> T call(S3Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (NoSuchKeyException e) {
            throw new NotFound(e.getMessage());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NotFound(e.getMessage());
            }
            throw new IOException("object store: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("object store: " + e.getMessage(), e);
        }
    }
}
