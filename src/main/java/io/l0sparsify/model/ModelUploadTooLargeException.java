package io.l0sparsify.model;

/** An upload past {@code l0.models.max-upload-size}; nothing of it was kept. */
public class ModelUploadTooLargeException extends RuntimeException {

    public ModelUploadTooLargeException(long limitBytes) {
        super("the model file exceeds the limit of " + limitBytes + " bytes (l0.models.max-upload-size); nothing "
                + "was kept");
    }
}
