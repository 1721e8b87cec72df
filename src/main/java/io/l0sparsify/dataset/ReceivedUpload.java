package io.l0sparsify.dataset;

import java.nio.file.Path;

/**
 * An upload that has arrived whole in a temporary directory of its own ({@link DatasetUploads}).
 *
 * @param dir the directory, removed with everything in it when the upload is done with
 * @param file the uploaded bytes, named as the client named the file (or {@code upload.<ext>}), so that what a
 *     format reader reports names it
 * @param sha256 of the bytes, hex
 * @param size in bytes
 */
public record ReceivedUpload(Path dir, Path file, String sha256, long size) {}
