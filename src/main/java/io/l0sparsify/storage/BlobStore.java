package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where one kind of uploaded resource keeps its file, so that every worker on any machine can read it: a
 * directory (a shared volume when several processes serve one queue) or the S3 bucket, as for artifacts
 * ({@code l0.storage.type}). Writes are atomic and streamed from a file, never held whole in memory. Each kind
 * has its own interface ({@link DatasetBlobStore}, {@link ModelBlobStore}) so that its bean is injected by type.
 */
public interface BlobStore {

    /** Stores the file's content as resource {@code id}'s blob, replacing any earlier one atomically. */
    void put(String id, Path file) throws IOException;

    /** Opens the blob for streaming; empty when there is none. The caller closes the stream. */
    Optional<InputStream> open(String id) throws IOException;

    /** Removes the blob; nothing happens when there is none. */
    void delete(String id) throws IOException;

    /** Whether {@code id} can name a blob: letters, digits and dashes, as resource ids (UUIDs) are. */
    static boolean isValidId(String id) {
        return ArtifactStore.isValidJobId(id);
    }

    /**
     * Where a kind of blob lies and how it is named: {@code <folder>/<id><extension>} under the storage
     * directory or the bucket's prefix.
     *
     * @param noun what an id names, for messages ("dataset", "model")
     * @param contentType the object's type in S3
     */
    record Kind(String noun, String folder, String extension, String contentType) {

        /** The blob's name within {@link #folder}, refusing an id that could lead elsewhere. */
        String fileName(String id) {
            if (!isValidId(id)) {
                throw new IllegalArgumentException("not a " + noun + " id: " + id);
            }
            return id + extension;
        }
    }
}
