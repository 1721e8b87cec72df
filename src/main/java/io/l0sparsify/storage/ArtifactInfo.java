package io.l0sparsify.storage;

/**
 * What is known about one stored artifact without reading it.
 *
 * @param name file name within the job, e.g. {@code model.onnx}
 * @param mediaType e.g. {@code application/onnx}
 * @param size bytes
 * @param sha256 lower-case hex digest of the content
 */
public record ArtifactInfo(String name, String mediaType, long size, String sha256) {}
