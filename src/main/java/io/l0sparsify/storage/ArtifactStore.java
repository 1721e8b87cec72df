package io.l0sparsify.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where the files a job produces are kept. Writes are atomic: a reader sees either no artifact or the whole
 * of it. The file-system implementation is the default; the interface leaves room for an object store.
 */
public interface ArtifactStore {

    /** Stores {@code content} as {@code name} of job {@code jobId}, replacing any earlier version atomically. */
    ArtifactInfo put(String jobId, String name, byte[] content) throws IOException;

    /** The job's artifacts, sorted by name; empty when it has none. */
    List<ArtifactInfo> list(String jobId) throws IOException;

    Optional<ArtifactInfo> info(String jobId, String name) throws IOException;

    /** Opens an artifact for streaming; the caller closes the stream. */
    Optional<InputStream> open(String jobId, String name) throws IOException;

    /** Reads a small artifact whole. */
    default Optional<byte[]> read(String jobId, String name) throws IOException {
        Optional<InputStream> in = open(jobId, name);
        if (in.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream stream = in.get()) {
            return Optional.of(stream.readAllBytes());
        }
    }

    /** Removes everything stored for a job (e.g. partial files of an attempt that will be rerun). */
    void deleteAll(String jobId) throws IOException;

    /** Whether {@code jobId} can name a job's place in a store: letters, digits and dashes, as job ids are. */
    static boolean isValidJobId(String jobId) {
        return jobId != null && jobId.matches("[A-Za-z0-9-]{1,64}");
    }

    /** Whether {@code name} is an acceptable artifact name: no path separators, no leading dot. */
    static boolean isValidName(String name) {
        return name != null && name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}") && !name.contains("..");
    }

    /** Media type by extension, for listings and downloads. */
    static String mediaTypeOf(String name) {
        if (name.endsWith(".json")) {
            return "application/json";
        } else if (name.endsWith(".onnx")) {
            return "application/onnx";
        } else if (name.endsWith(".csv")) {
            return "text/csv";
        } else if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        return "application/octet-stream";
    }
}
