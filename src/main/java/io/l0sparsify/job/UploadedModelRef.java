package io.l0sparsify.job;

import io.l0sparsify.dataset.Preprocessing;

/**
 * A job's reference to the uploaded model it fine-tunes.
 *
 * @param uri {@code model:ID}
 * @param preprocessing how the dataset's stored values become the upload's input, as the model was trained to
 *     take them; null for the dataset's own (bytes scaled to [0, 1], floats as they are, standardised when the
 *     dataset reference asks)
 */
public record UploadedModelRef(String uri, Preprocessing preprocessing) {

    /** The scheme of a reference to an uploaded model. */
    public static final String SCHEME = "model:";

    /** The id in {@link #uri()}. */
    public String modelId() {
        return uri.substring(SCHEME.length());
    }
}
