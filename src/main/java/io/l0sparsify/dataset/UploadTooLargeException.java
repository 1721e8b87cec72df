package io.l0sparsify.dataset;

/** An upload over {@code l0.datasets.max-upload-size}; nothing of it was kept. */
public final class UploadTooLargeException extends RuntimeException {

    public UploadTooLargeException(long limit) {
        super("the upload exceeds the limit of " + limit + " bytes (l0.datasets.max-upload-size); nothing was kept");
    }
}
