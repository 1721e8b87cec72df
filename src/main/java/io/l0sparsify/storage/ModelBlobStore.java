package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the original ONNX file of each uploaded model is kept, so that every worker on any machine can read it:
 * a directory (a shared volume when several processes serve one queue) or the S3 bucket, as for artifacts
 * ({@code l0.storage.type}). Writes are atomic and streamed from a file, never held whole in memory.
 */
public interface ModelBlobStore {

    /** Stores the file's content as model {@code modelId}'s blob, replacing any earlier one atomically. */
    void put(String modelId, Path file) throws IOException;

    /** Opens the blob for streaming; empty when there is none. The caller closes the stream. */
    Optional<InputStream> open(String modelId) throws IOException;

    /** Removes the blob; nothing happens when there is none. */
    void delete(String modelId) throws IOException;

    /** Whether {@code modelId} can name a blob: letters, digits and dashes, as model ids (UUIDs) are. */
    static boolean isValidId(String modelId) {
        return ArtifactStore.isValidJobId(modelId);
    }
}
