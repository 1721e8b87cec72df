package io.l0sparsify.dataset;

/**
 * What an upload says about itself, checked ({@link DatasetUploadRules}).
 *
 * @param name the user's label
 * @param format the format with its options, defaults filled in
 */
public record DatasetUpload(String name, DatasetFormat format) {}
